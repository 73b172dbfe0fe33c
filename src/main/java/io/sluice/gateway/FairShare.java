package io.sluice.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.metrics.Meters;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Per-principal shares of the open streams and of the backend connections held by streams, so that
 * one principal cannot take every stream slot or every connection (docs/architecture.md "Trust model").
 *
 * <p>A principal's {@link Share} exists while it has an open stream: it is created by the first
 * {@link #openStream} and removed by the {@link #closeStream} that ends the last one. Leases are held
 * only by open streams, so a share with a lease is never removed. Over its stream limit a principal
 * gets 429 {@code PRINCIPAL_STREAMS_EXHAUSTED} at once; at its lease limit a stream waits for one of the principal's
 * own leases to end, at most the acquire timeout, then gets 429 {@code PRINCIPAL_LEASES_EXHAUSTED}; both with
 * {@code Retry-After}. Other principals are not slowed down by either.
 *
 * <p>A null share key means no per-principal limit: the unnamed caller of {@code auth.mode=none}, which
 * stands for every caller at once, is bounded by the global limits only.
 */
final class FairShare {

    private final ConcurrentHashMap<String, Share> shares = new ConcurrentHashMap<>();
    private final Counter streamRefusals;
    private final Counter leaseRefusals;
    private volatile int maxStreams;
    private volatile int maxLeases;
    private volatile long leaseWaitNanos;

    /** One principal's open streams (changed only inside the map's compute) and leases (under its lock). */
    static final class Share {
        final String key;
        private volatile int streams;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition freed = lock.newCondition();
        private int leases;

        private Share(String key) {
            this.key = key;
        }

        private void wakeAll() {
            lock.lock();
            try {
                freed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    FairShare(MeterRegistry registry) {
        this.streamRefusals = Counter.builder(Meters.PRINCIPAL_LIMIT_REFUSALS).tag(Meters.LIMIT, "streams").register(registry);
        this.leaseRefusals = Counter.builder(Meters.PRINCIPAL_LIMIT_REFUSALS).tag(Meters.LIMIT, "leases").register(registry);
    }

    /**
     * The per-principal stream limit in force: {@code configured}, or when it is 0 (automatic) half the
     * global stream limit, at least 1.
     */
    static int effectiveStreams(int configured, int maxStreams) {
        return configured > 0 ? configured : Math.max(1, maxStreams / 2);
    }

    /**
     * The per-principal lease limit in force: {@code configured}, or when it is 0 (automatic) one less
     * than the pool's maximum (so another principal always finds a connection), at least 1.
     */
    static int effectiveLeases(int configured, int maxConnections) {
        return configured > 0 ? configured : Math.max(1, maxConnections - 1);
    }

    /** Applies effective limits; streams and leases already held stay, waiting streams see a raised limit at once. */
    void limits(int maxStreamsPerPrincipal, int maxLeasesPerPrincipal, Duration leaseWait) {
        this.maxStreams = maxStreamsPerPrincipal;
        this.maxLeases = maxLeasesPerPrincipal;
        this.leaseWaitNanos = leaseWait.toNanos();
        shares.values().forEach(Share::wakeAll);
    }

    int maxStreams() {
        return maxStreams;
    }

    int maxLeases() {
        return maxLeases;
    }

    /**
     * Counts a new stream against the principal's share.
     *
     * @param key the principal's share key; null = no per-principal limit
     * @return the share to give back with {@link #closeStream}; null when {@code key} is null
     * @throws ProtocolException 429 when the principal already has its limit of open streams
     */
    Share openStream(String key) {
        if (key == null) {
            return null;
        }
        int limit = maxStreams;
        boolean[] refused = new boolean[1];
        Share share = shares.compute(key, (k, current) -> {
            Share s = current == null ? new Share(k) : current;
            if (s.streams >= limit) {
                refused[0] = true;
                return current;
            }
            s.streams++;
            return s;
        });
        if (refused[0]) {
            streamRefusals.increment();
            throw new ProtocolException(HranaError.PRINCIPAL_STREAMS_EXHAUSTED,
                    "Too many open streams for this principal (limit " + limit + "); close streams or retry later");
        }
        return share;
    }

    /** Gives back a stream slot taken by {@link #openStream}; exactly once per stream. */
    void closeStream(Share share) {
        if (share != null) {
            shares.computeIfPresent(share.key, (k, current) -> --current.streams == 0 ? null : current);
        }
    }

    /**
     * Takes one of the principal's lease slots, waiting for one of its own leases to end at most the lease
     * wait (the pool's acquire timeout).
     *
     * @throws ProtocolException 429 when none came free in time
     */
    void acquireLease(Share share) {
        if (share == null) {
            return;
        }
        long deadline = System.nanoTime() + leaseWaitNanos;
        share.lock.lock();
        try {
            while (share.leases >= maxLeases) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    leaseRefusals.increment();
                    throw new ProtocolException(HranaError.PRINCIPAL_LEASES_EXHAUSTED, "Too many database connections held by this principal (limit "
                            + maxLeases + ") for " + TimeUnit.NANOSECONDS.toMillis(leaseWaitNanos) + " ms; end transactions or close streams, "
                            + "or retry later");
                }
                share.freed.awaitNanos(left);
            }
            share.leases++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProtocolException(HranaError.BACKEND_UNAVAILABLE, "Interrupted while waiting for a database connection");
        } finally {
            share.lock.unlock();
        }
    }

    /** True when the share of {@code key} holds its limit of leases now (its next lease would wait); false for a null key. */
    boolean atLeaseLimit(String key) {
        return atLeaseLimit(key == null ? null : shares.get(key));
    }

    /** True when {@code share} holds its limit of leases now (its next lease would wait); false for none. */
    boolean atLeaseLimit(Share share) {
        if (share == null) {
            return false;
        }
        share.lock.lock();
        try {
            return share.leases >= maxLeases;
        } finally {
            share.lock.unlock();
        }
    }

    /** Gives back a lease slot taken by {@link #acquireLease}; exactly once per lease. */
    void releaseLease(Share share) {
        if (share == null) {
            return;
        }
        share.lock.lock();
        try {
            share.leases--;
            share.freed.signal();
        } finally {
            share.lock.unlock();
        }
    }

    /** Open streams of one share key, 0 when it has none (for tests and diagnostics). */
    int streamsOf(String key) {
        Share s = shares.get(key);
        return s == null ? 0 : s.streams;
    }
}
