package io.sluice.gateway;

import io.sluice.pool.Backend;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Requests that will lease a connection on PostgreSQL wait here, HTTP pipelines that open a stream and the
 * requests of a WebSocket stream that holds no connection alike, as queued requests rather than as threads: at most as
 * many run at once as the pool has connections ({@code width}), and the worker that finishes one runs the
 * next queued one itself. With every connection busy, a request thus costs no worker parked in the pool and
 * woken again, and no hand-off to a fresh worker: the few workers running stay busy.
 *
 * <p>What a request met in the pool it meets here: one that waited longer than the acquire timeout
 * ({@code timeoutNanos}) before a worker took it fails with the pool's own saturation error
 * ({@link Waiter#timedOut}), whether a runner takes it or {@link #sweep} (every {@value #SWEEP_MILLIS} ms) finds it. A
 * request whose principal holds its whole share of connections ({@link Waiter#overShare}) is handed to the
 * ordinary worker path ({@link Waiter#elsewhere}) instead, where it waits for one of its own principal's leases as before, so it never
 * holds a runner another principal's request needs. Every other rule (breaker, drain, statement timeout) is
 * applied by the request's own work, as on the ordinary path.
 */
@Singleton
class LeaseQueue {
    static final long SWEEP_MILLIS = 50;

    /** A request waiting for a connection: what the queue does with it. */
    interface Waiter {
        /**
         * Runs the request's work on the calling runner thread.
         *
         * @param queuedAtNanos when the request was queued ({@link System#nanoTime()}): its wait for a connection began then
         */
        void run(long queuedAtNanos) throws Exception;

        /** Answers the request with the pool's saturation error: it waited longer than the acquire timeout since {@code queuedAtNanos}. */
        void timedOut(long queuedAtNanos);

        /** Fails the request: its work threw. */
        void fail(Throwable failure);

        /** True when the request's principal holds its share of connections: its lease would wait for one of its own. */
        boolean overShare();

        /** Hands the request to the ordinary worker path. */
        void elsewhere();
    }

    /** One queued request. Identity matters: the sweep and a runner race to take it out of the queue. */
    private static final class Entry {
        final Waiter request;
        final long queuedAt;

        Entry(Waiter request, long queuedAt) {
            this.request = request;
            this.queuedAt = queuedAt;
        }
    }

    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    /** Requests in {@link #queue}, kept apart: counting the queue's nodes would walk them. */
    private final AtomicInteger queued = new AtomicInteger();
    private final Executor workers;
    private final IntSupplier width;
    private final LongSupplier timeoutNanos;
    private final boolean active;

    /** The server's queue: in front of the PostgreSQL pool; on SQLite, where nothing {@link #active() queues}, unused. */
    @Inject
    LeaseQueue(Backend backend) {
        this(runners(), backend::maxConnections, () -> backend.acquireTimeout().toNanos(), backend.isPostgres());
        if (active) {
            backend.alsoWaiting(this::queued);
        }
    }

    /**
     * @param workers runs a runner (a loop over queued requests) on a thread that may block
     * @param width how many requests may run at once: the pool's connections, read at every decision
     * @param timeoutNanos the acquire timeout, read live
     * @param active whether requests are to wait here ({@link #active()})
     */
    LeaseQueue(Executor workers, IntSupplier width, LongSupplier timeoutNanos, boolean active) {
        this.workers = workers;
        this.width = width;
        this.timeoutNanos = timeoutNanos;
        this.active = active;
    }

    private static Executor runners() {
        AtomicInteger threads = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sluice-lease-queue-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * True on PostgreSQL, where requests that will lease wait here; false on SQLite, whose leases are short
     * (and whose writes queue on the database's own lock), where they go to a worker directly.
     */
    boolean active() {
        return active;
    }

    /** Queues a request, which then runs on a runner: a new one when fewer than the width run, else the next one free. */
    void submit(Waiter request) {
        Entry entry = new Entry(request, System.nanoTime());
        queued.incrementAndGet();
        queue.add(entry);
        if (tryStartRunner()) {
            try {
                workers.execute(this::runQueued);
            } catch (RuntimeException e) {
                running.decrementAndGet();
                if (remove(entry)) {
                    throw e; // the caller fails it; queued, it would be answered twice
                }
            }
        }
    }

    /** Requests queued for a connection now. */
    int queued() {
        return queued.get();
    }

    /** Takes an entry out of the queue; false when a runner or the sweep took it first. */
    private boolean remove(Entry e) {
        if (queue.remove(e)) {
            queued.decrementAndGet();
            return true;
        }
        return false;
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
            Entry e = running.get() > width.getAsInt() ? null : queue.poll();
            if (e != null) {
                queued.decrementAndGet();
            }
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

    private void run(Entry e) {
        if (System.nanoTime() - e.queuedAt > timeoutNanos.getAsLong()) {
            e.request.timedOut(e.queuedAt);
            return;
        }
        try {
            if (e.request.overShare()) {
                e.request.elsewhere();
            } else {
                e.request.run(e.queuedAt);
            }
        } catch (Throwable t) {
            e.request.fail(t);
        }
    }

    /** Fails every queued request that has waited longer than the acquire timeout (no runner came free in time). */
    void sweep() {
        long timeout = timeoutNanos.getAsLong();
        for (Entry e = queue.peek(); e != null && System.nanoTime() - e.queuedAt > timeout; e = queue.peek()) {
            if (remove(e)) {
                e.request.timedOut(e.queuedAt);
            }
        }
    }
}
