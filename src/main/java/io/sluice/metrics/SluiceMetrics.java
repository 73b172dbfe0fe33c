package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.sql.StatementKind;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The recorder for per-request and per-statement meters. Meters are created once per tag combination and
 * cached, so the hot path is a map lookup and an increment; tag values come only from enums.
 */
@Singleton
public class SluiceMetrics {

    /**
     * Whose fault an outcome is: the one definition of failure every verdict uses (health score,
     * deployment check, migration gate, {@code monitor:metrics}, baselines, the alert rules). Only
     * {@link #SERVER} fails a verdict; {@link #CLIENT} (the application's own SQL errors) is counted apart.
     */
    public enum Blame {
        /** Succeeded, or an expected refusal that is not a failure (a draining replica's retryable 503). */
        NONE,
        /** The application's own error: constraint, syntax, missing table, read-only violation, bad arguments. */
        CLIENT,
        /** The server's or the database's: connection faults, timeouts, breaker refusals, 5xx. */
        SERVER
    }

    /** How a statement ended. */
    public enum StatementOutcome {
        OK(Blame.NONE),
        /** The statement's own error (SQL the database refused); the Prometheus tag stays {@code error}. */
        ERROR(Blame.CLIENT),
        CONNECTION_ERROR(Blame.SERVER),
        /** Stopped at the statement timeout or cancelled: counted as a server-side failure by every verdict. */
        TIMEOUT(Blame.SERVER);

        private final Blame blame;

        StatementOutcome(Blame blame) {
            this.blame = blame;
        }

        public Blame blame() {
            return blame;
        }
    }

    /** Which Hrana endpoint answered. */
    public enum Endpoint {
        PIPELINE_V2, PIPELINE_V3, CURSOR, PIPELINE_V3_PROTOBUF, CURSOR_PROTOBUF,
        /** One request message on a Hrana WebSocket connection. */
        WEBSOCKET
    }

    /**
     * How a Hrana HTTP request ended. The statements inside a 200 response are counted by
     * {@link StatementOutcome}; a request blamed on the server here ran none (refused or failed whole).
     */
    public enum RequestOutcome {
        OK(Blame.NONE), FORWARDED(Blame.NONE), BAD_REQUEST(Blame.CLIENT), UNAUTHORIZED(Blame.CLIENT),
        STREAM_EXPIRED(Blame.CLIENT), UNAVAILABLE(Blame.SERVER), CIRCUIT_OPEN(Blame.SERVER),
        /**
         * Refused by a breaker an operator forced open: a deliberate refusal (maintenance), not a fault of the server
         * or of a new version, so no verdict counts it; it is its own figure ({@code outcome="circuit_forced_open"},
         * {@link MetricsWindows.Figures#operatorRefusals()}).
         */
        CIRCUIT_FORCED_OPEN(Blame.NONE), TOO_LARGE(Blame.CLIENT),
        SERVER_ERROR(Blame.SERVER),
        /** Refused because the caller's own share (per-principal streams or leases) is used up: 429. */
        LIMITED(Blame.CLIENT),
        /** The client's connection closed or was reset before its request was answered (mid-body, say): no one to answer. */
        CLIENT_CLOSED(Blame.CLIENT),
        /** A new stream refused by a draining replica: retryable, expected during every rollout. */
        SHUTTING_DOWN(Blame.NONE);

        private final Blame blame;

        RequestOutcome(Blame blame) {
            this.blame = blame;
        }

        public Blame blame() {
            return blame;
        }
    }

    /** The blame of a statement's or request's {@code outcome} tag value; unknown values count as the server's. */
    public static Blame blameOf(String meterName, String outcomeTag) {
        String name = outcomeTag == null ? "" : outcomeTag.toUpperCase(Locale.ROOT);
        try {
            return Meters.STATEMENTS.equals(meterName) ? StatementOutcome.valueOf(name).blame() : RequestOutcome.valueOf(name).blame();
        } catch (IllegalArgumentException e) {
            return Blame.SERVER;
        }
    }

    private static final int OUTCOMES = StatementOutcome.values().length;
    private static final int KINDS = StatementKind.values().length;
    static final Duration MIN_LATENCY = Duration.ofNanos(10_000);
    static final Duration MAX_LATENCY = Duration.ofSeconds(30);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    /**
     * The hot meters, looked up by enum constants rather than by a key string built per call: statement
     * counters and timers by kind, then by outcome; request counters by endpoint and outcome; work by blame.
     */
    private final AtomicReferenceArray<Counter> statementCounters = new AtomicReferenceArray<>(KINDS * OUTCOMES);
    private final AtomicReferenceArray<Timer> statementTimers = new AtomicReferenceArray<>(KINDS * OUTCOMES);
    private final AtomicReferenceArray<Counter> requestCounters =
            new AtomicReferenceArray<>(Endpoint.values().length * RequestOutcome.values().length);
    private final AtomicReferenceArray<Counter> workCounters = new AtomicReferenceArray<>(Blame.values().length);

    /** While set, nothing is recorded: the self-warm-up's requests count in no meter. */
    private volatile boolean muted;

    public SluiceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Stops (true) or resumes (false) recording statements, requests, units of work, transitions and lease
     * waits, for the self-warm-up before readiness goes UP, so that its requests count in no figure users see.
     */
    public void mute(boolean on) {
        muted = on;
    }

    /** True while recording is {@link #mute muted}. */
    public boolean muted() {
        return muted;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Counts a statement; with detailed monitoring also records its latency in a percentile histogram.
     *
     * @param kind the statement's classification (an enum, so the tag stays bounded)
     */
    public void statement(StatementKind kind, StatementOutcome outcome, long nanos, boolean detailed) {
        if (muted) {
            return;
        }
        int at = kind.ordinal() * OUTCOMES + outcome.ordinal();
        Counter counter = statementCounters.get(at);
        if (counter == null) {
            counter = Counter.builder(Meters.STATEMENTS).tag(Meters.KIND, tag(kind)).tag(Meters.OUTCOME, tag(outcome))
                    .description("Statements run").register(registry);
            statementCounters.set(at, counter);
        }
        counter.increment();
        work(outcome.blame());
        if (detailed) {
            Timer timer = statementTimers.get(at);
            if (timer == null) {
                timer = Timer.builder(Meters.STATEMENT_DURATION)
                        .tag(Meters.KIND, tag(kind)).tag(Meters.OUTCOME, tag(outcome))
                        .publishPercentileHistogram()
                        // sub-millisecond buckets: an embedded SQLite statement often takes tens of microseconds
                        .minimumExpectedValue(MIN_LATENCY).maximumExpectedValue(MAX_LATENCY).description("Statement latency")
                        .register(registry);
                statementTimers.set(at, timer);
            }
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public void request(Endpoint endpoint, RequestOutcome outcome) {
        if (muted) {
            return;
        }
        int at = endpoint.ordinal() * RequestOutcome.values().length + outcome.ordinal();
        Counter counter = requestCounters.get(at);
        if (counter == null) {
            counter = Counter.builder(Meters.HRANA_REQUESTS).tag(Meters.ENDPOINT, tag(endpoint)).tag(Meters.OUTCOME, tag(outcome))
                    .description("Hrana HTTP requests").register(registry);
            requestCounters.set(at, counter);
        }
        counter.increment();
        if (outcome.blame() == Blame.SERVER) {
            // a request that failed whole ran no statement: it is one unit of work the server failed
            work(Blame.SERVER);
        }
    }

    /** Counts one unit of work (a statement, or a request that failed before any ran) by whose fault its outcome is. */
    private void work(Blame blame) {
        Counter counter = workCounters.get(blame.ordinal());
        if (counter == null) {
            // registering the same name and tags again returns the meter already registered, so a race is harmless
            counter = Counter.builder(Meters.WORK).tag(Meters.BLAME, tag(blame))
                    .description("Units of work (statements, and requests failed whole) by whose fault the outcome is").register(registry);
            workCounters.set(blame.ordinal(), counter);
        }
        counter.increment();
    }

    /** Counts a state-machine transition by machine name and target state. */
    public void transition(String machine, Enum<?> to) {
        if (muted) {
            return;
        }
        counters.computeIfAbsent("sm/" + machine + '/' + to.name(), k -> Counter.builder(Meters.STATE_TRANSITIONS)
                .tag(Meters.MACHINE, machine).tag(Meters.STATE, tag(to))
                .description("State machine transitions").register(registry)).increment();
    }

    public static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
