package io.sluice.metrics;

/** Every Sluice meter name and tag key. Prometheus names are these with dots as underscores. */
public final class Meters {
    /** Counter: Hrana HTTP requests, tags {@link #ENDPOINT}, {@link #OUTCOME}. */
    public static final String HRANA_REQUESTS = "sluice.hrana.requests";
    /** Counter: statements run, tags {@link #KIND}, {@link #OUTCOME}. */
    public static final String STATEMENTS = "sluice.statements";
    /** Timer with percentile histogram (detailed monitoring only): statement latency, tags {@link #KIND}, {@link #OUTCOME}. */
    public static final String STATEMENT_DURATION = "sluice.statement.duration";
    /**
     * Counter: units of work — every statement, plus every request that failed whole before any statement
     * ran — by {@link #BLAME} ({@code none}, {@code client}, {@code server}). The alert rules' error rate is
     * its {@code server} share, the same definition the health score and deployment check use.
     */
    public static final String WORK = "sluice.work";
    /** Gauge: open Hrana WebSocket connections. */
    public static final String WEBSOCKET_CONNECTIONS = "sluice.websocket.connections";
    /** Gauge: open streams. */
    public static final String STREAMS_OPEN = "sluice.streams.open";
    /** Counter: streams closed by the idle timeout. */
    public static final String STREAMS_EXPIRED = "sluice.streams.expired";
    /** Counter: requests forwarded to the replica owning their stream. */
    public static final String STREAMS_FORWARDED = "sluice.streams.forwarded";
    /** Gauges: pool connections by {@link #STATE} (active, idle, awaiting, direct) and the configured maximum. */
    public static final String POOL_CONNECTIONS = "sluice.pool.connections";
    public static final String POOL_MAX = "sluice.pool.max";
    /** Counters: acquire timeouts, leak reports, evicted connections. */
    public static final String POOL_ACQUIRE_TIMEOUTS = "sluice.pool.acquire.timeouts";
    public static final String POOL_LEAKS = "sluice.pool.leaks";
    public static final String POOL_EVICTED = "sluice.pool.evicted";
    /** Gauge: 1 while every pooled connection is leased or requests wait for one (saturated, not failing). */
    public static final String POOL_SATURATED = "sluice.pool.saturated";
    /** SQLite's write lane: gauges of writers waiting and of the lane held (0/1), counters of admissions and timed-out waits. */
    public static final String WRITE_LANE_WAITING = "sluice.sqlite.write.lane.waiting";
    public static final String WRITE_LANE_HELD = "sluice.sqlite.write.lane.held";
    public static final String WRITE_LANE_ADMITTED = "sluice.sqlite.write.lane.admitted";
    public static final String WRITE_LANE_TIMEOUTS = "sluice.sqlite.write.lane.timeouts";
    /**
     * Histogram exported as a timer's ({@code _bucket}, {@code _count}, {@code _sum}, {@code _max}): how long pooled
     * leases waited for a connection, timeouts included; recorded by {@code pool.AcquireWaits}, not a Micrometer timer.
     */
    public static final String POOL_ACQUIRE_WAIT = "sluice.pool.acquire.wait";
    /** Gauge: statements running now. */
    public static final String STATEMENTS_RUNNING = "sluice.statements.running";
    /** Counter: statements Sluice stopped, tag {@link #REASON} (timeout, client_gone, operator, shutdown). */
    public static final String STATEMENTS_STOPPED = "sluice.statements.stopped";
    /** Gauge: 1 for the backend's current connectivity {@link #STATE}, 0 for the others. */
    public static final String BACKEND_CONNECTIVITY = "sluice.backend.connectivity";
    /** Counter: state machine transitions, tags {@link #MACHINE}, {@link #STATE} (the target state). */
    public static final String STATE_TRANSITIONS = "sluice.state.transitions";
    /** Gauge: 1 for the breaker's current {@link #STATE}. Counter: breaker transitions by target state. */
    public static final String BREAKER_STATE = "sluice.breaker.state";
    public static final String BREAKER_TRANSITIONS = "sluice.breaker.transitions";
    /** Counter: requests refused while the breaker was open. */
    public static final String BREAKER_REJECTED = "sluice.breaker.rejected";
    /** Counter: requests refused because their principal reached its share, tag {@link #LIMIT} (streams, leases). */
    public static final String PRINCIPAL_LIMIT_REFUSALS = "sluice.principal.limit.refusals";

    /** Gauge: 1 while the flag store is stale (see {@code FlagService#isStale}). */
    public static final String FLAGS_STORE_STALE = "sluice.flags.store.stale";
    /** Gauge: keys of the flag store that do not parse. */
    public static final String FLAGS_STORE_INVALID_KEYS = "sluice.flags.store.invalid.keys";
    /** Gauge: 1 while the killswitch is active. */
    public static final String FLAGS_KILLSWITCH = "sluice.flags.killswitch";

    /** Gauges: the running migration's current rollout percentage, and 1 while a migration runs. */
    public static final String ROLLOUT_MIGRATION_PERCENT = "sluice.rollout.migration.percent";
    public static final String ROLLOUT_MIGRATION_RUNNING = "sluice.rollout.migration.running";

    /** Counter: admin credential attempts refused with 429 after too many failures from one address, by {@link #ENDPOINT}. */
    public static final String ADMIN_AUTH_LIMITED = "sluice.admin.auth.limited";

    public static final String ENDPOINT = "endpoint";
    public static final String OUTCOME = "outcome";
    public static final String KIND = "kind";
    public static final String STATE = "state";
    public static final String MACHINE = "machine";
    public static final String LIMIT = "limit";
    public static final String REASON = "reason";
    public static final String BLAME = "blame";
    /** Common tags on every meter: the application version and the release track (stable, canary). */
    public static final String VERSION = "version";
    public static final String TRACK = "track";

    private Meters() {
    }
}
