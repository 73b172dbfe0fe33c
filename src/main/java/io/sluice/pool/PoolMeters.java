package io.sluice.pool;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.sql.RunningStatements;
import io.sluice.sql.StopReason;
import io.sluice.sql.WriteLane;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool manager's meters and the counters Sluice keeps itself (Agroal's own figures are read when
 * scraped): acquire timeouts, leaks, evictions, the acquire-wait histogram; connections, statements and the
 * SQLite write lane as gauges.
 */
final class PoolMeters {
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong leaks = new AtomicLong();
    final AtomicLong evicted = new AtomicLong();
    final AcquireWaits acquireWaits = new AcquireWaits();

    PoolMeters(MeterRegistry registry) {
        acquireWaits.bind(registry, Meters.POOL_ACQUIRE_WAIT);
    }

    /** How long a pooled lease waited (detailed monitoring). */
    void acquireWaited(long nanos) {
        acquireWaits.record(nanos);
    }

    /** How long a pooled lease waited, recorded into {@code stripe}, which the lease owns (see {@link AcquireWaits#record(long, int)}). */
    void acquireWaited(long nanos, int stripe) {
        acquireWaits.record(nanos, stripe);
    }

    /** Registers the gauges and counters over the started pool manager's figures. */
    void bind(MeterRegistry registry, Backend b, DirectConnections direct, RunningStatements statements, WriteLane lane) {
        Gauge.builder(Meters.POOL_CONNECTIONS, b, x -> x.pool().getMetrics().activeCount()).tag(Meters.STATE, "active").register(registry);
        Gauge.builder(Meters.POOL_CONNECTIONS, b, x -> x.pool().getMetrics().availableCount()).tag(Meters.STATE, "idle").register(registry);
        Gauge.builder(Meters.POOL_CONNECTIONS, b, Backend::awaiting).tag(Meters.STATE, "awaiting").register(registry);
        Gauge.builder(Meters.POOL_CONNECTIONS, direct, DirectConnections::openCount).tag(Meters.STATE, "direct").register(registry);
        Gauge.builder(Meters.POOL_MAX, b, x -> x.pool().getConfiguration().connectionPoolConfiguration().maxSize()).register(registry);
        FunctionCounter.builder(Meters.POOL_ACQUIRE_TIMEOUTS, timeouts, AtomicLong::get).register(registry);
        Gauge.builder(Meters.POOL_SATURATED, b, x -> x.saturated() ? 1 : 0).register(registry);
        Gauge.builder(Meters.STATEMENTS_RUNNING, statements, RunningStatements::count).register(registry);
        for (StopReason why : StopReason.values()) {
            FunctionCounter.builder(Meters.STATEMENTS_STOPPED, statements, r -> r.stoppedCount(why))
                    .tag(Meters.REASON, SluiceMetrics.tag(why)).register(registry);
        }
        if (lane != null) {
            Gauge.builder(Meters.WRITE_LANE_WAITING, lane, WriteLane::waiting).register(registry);
            Gauge.builder(Meters.WRITE_LANE_HELD, lane, l -> l.isFree() ? 0 : 1).register(registry);
            FunctionCounter.builder(Meters.WRITE_LANE_ADMITTED, lane, WriteLane::admittedCount).register(registry);
            FunctionCounter.builder(Meters.WRITE_LANE_TIMEOUTS, lane, WriteLane::timedOutCount).register(registry);
        }
        FunctionCounter.builder(Meters.POOL_LEAKS, leaks, AtomicLong::get).register(registry);
        FunctionCounter.builder(Meters.POOL_EVICTED, evicted, AtomicLong::get).register(registry);
    }
}
