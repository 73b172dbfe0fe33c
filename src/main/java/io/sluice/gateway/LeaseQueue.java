package io.sluice.gateway;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Requests that will lease a connection wait here, as queued requests rather than as threads: at most as
 * many run at once as the pool has connections ({@code width}), and the worker that finishes one runs the
 * next queued one itself. With every connection busy, a request thus costs no worker parked in the pool and
 * woken again, and no hand-off to a fresh worker: the few workers running stay busy.
 *
 * <p>What a request met in the pool it meets here: one that waited longer than the acquire timeout
 * ({@code timeoutNanos}) before a worker took it fails with the pool's own saturation error
 * ({@link Requests#timedOut}), whether a runner takes it or {@link #sweep} (every {@value #SWEEP_MILLIS} ms) finds it. A
 * request whose principal holds its whole share of connections ({@link Requests#overShare}) is handed to the
 * ordinary worker path ({@link Requests#elsewhere}) instead, where it waits for one of its own principal's leases as before, so it never
 * holds a runner another principal's request needs. Every other rule (breaker, drain, statement timeout) is
 * applied by the request's own work, as on the ordinary path.
 */
final class LeaseQueue<T> {
    static final long SWEEP_MILLIS = 50;

    /** What the queue does with a request. */
    interface Requests<T> {
        /**
         * Runs the request's work on the calling runner thread.
         *
         * @param queuedAtNanos when the request was queued ({@link System#nanoTime()}): its wait for a connection began then
         */
        void run(T request, long queuedAtNanos) throws Exception;

        /** Fails the request (it waited too long, or its work threw). */
        void fail(T request, Throwable failure);

        /** The failure of a request that waited longer than the acquire timeout since {@code queuedAtNanos}. */
        RuntimeException timedOut(T request, long queuedAtNanos);

        /** True when the request's principal holds its share of connections: its lease would wait for one of its own. */
        boolean overShare(T request);

        /** Hands the request to the ordinary worker path. */
        void elsewhere(T request);
    }

    /** One queued request. Identity matters: the sweep and a runner race to take it out of the queue. */
    private static final class Entry<T> {
        final T request;
        final long queuedAt;

        Entry(T request, long queuedAt) {
            this.request = request;
            this.queuedAt = queuedAt;
        }
    }

    private final ConcurrentLinkedQueue<Entry<T>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final Executor workers;
    private final IntSupplier width;
    private final LongSupplier timeoutNanos;
    private final Requests<T> requests;

    /**
     * @param workers runs a runner (a loop over queued requests) on a thread that may block
     * @param width how many requests may run at once: the pool's connections, read at every decision
     * @param timeoutNanos the acquire timeout, read live
     */
    LeaseQueue(Executor workers, IntSupplier width, LongSupplier timeoutNanos, Requests<T> requests) {
        this.workers = workers;
        this.width = width;
        this.timeoutNanos = timeoutNanos;
        this.requests = requests;
    }

    /** Queues a request, which then runs on a runner: a new one when fewer than the width run, else the next one free. */
    void submit(T request) {
        Entry<T> entry = new Entry<>(request, System.nanoTime());
        queue.add(entry);
        if (tryStartRunner()) {
            try {
                workers.execute(this::runQueued);
            } catch (RuntimeException e) {
                running.decrementAndGet();
                if (queue.remove(entry)) {
                    throw e; // the caller fails it; queued, it would be answered twice
                }
            }
        }
    }

    /** True when requests are queued for a connection. */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** Takes a runner slot when one is free and a request is queued. */
    private boolean tryStartRunner() {
        while (true) {
            int r = running.get();
            if (r >= width.getAsInt() || queue.isEmpty()) {
                return false;
            }
            if (running.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** A runner: runs queued requests one after the other until none is left, or the width shrank below the runners. */
    private void runQueued() {
        while (true) {
            Entry<T> e = running.get() > width.getAsInt() ? null : queue.poll();
            if (e == null) {
                running.decrementAndGet();
                // a request queued after the poll may have found every runner slot taken: take it here
                if (!tryStartRunner()) {
                    return;
                }
                continue;
            }
            run(e);
        }
    }

    private void run(Entry<T> e) {
        if (System.nanoTime() - e.queuedAt > timeoutNanos.getAsLong()) {
            requests.fail(e.request, requests.timedOut(e.request, e.queuedAt));
            return;
        }
        try {
            if (requests.overShare(e.request)) {
                requests.elsewhere(e.request);
            } else {
                requests.run(e.request, e.queuedAt);
            }
        } catch (Throwable t) {
            requests.fail(e.request, t);
        }
    }

    /** Fails every queued request that has waited longer than the acquire timeout (no runner came free in time). */
    void sweep() {
        long timeout = timeoutNanos.getAsLong();
        for (Entry<T> e = queue.peek(); e != null && System.nanoTime() - e.queuedAt > timeout; e = queue.peek()) {
            if (queue.remove(e)) {
                requests.fail(e.request, requests.timedOut(e.request, e.queuedAt));
            }
        }
    }
}
