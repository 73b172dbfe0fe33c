package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The recorder for per-request and per-statement meters. Meters are created once per tag combination and
 * cached, so the hot path is a map lookup and an increment; tag values come only from enums.
 */
@ApplicationScoped
public class SluiceMetrics {

    /** How a statement ended. */
    public enum StatementOutcome {
        OK, ERROR, CONNECTION_ERROR, TIMEOUT
    }

    /** Which Hrana endpoint answered. */
    public enum Endpoint {
        PIPELINE_V2, PIPELINE_V3, CURSOR
    }

    /** How a Hrana HTTP request ended. */
    public enum RequestOutcome {
        OK, FORWARDED, BAD_REQUEST, UNAUTHORIZED, STREAM_EXPIRED, UNAVAILABLE, CIRCUIT_OPEN, TOO_LARGE, SERVER_ERROR
    }

    static final Duration MIN_LATENCY = Duration.ofNanos(10_000);
    static final Duration MAX_LATENCY = Duration.ofSeconds(30);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    SluiceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Counts a statement; with detailed monitoring also records its latency in a percentile histogram.
     *
     * @param kind the statement's classification (an enum, so the tag stays bounded)
     */
    public void statement(Enum<?> kind, StatementOutcome outcome, long nanos, boolean detailed) {
        String key = kind.name() + '/' + outcome.name();
        counters.computeIfAbsent(key, k -> Counter.builder(Meters.STATEMENTS)
                .tag(Meters.KIND, tag(kind)).tag(Meters.OUTCOME, tag(outcome))
                .description("Statements run").register(registry)).increment();
        if (detailed) {
            timers.computeIfAbsent(key, k -> Timer.builder(Meters.STATEMENT_DURATION)
                    .tag(Meters.KIND, tag(kind)).tag(Meters.OUTCOME, tag(outcome))
                    .publishPercentileHistogram()
                    // sub-millisecond buckets: an embedded SQLite statement often takes tens of microseconds
                    .minimumExpectedValue(MIN_LATENCY).maximumExpectedValue(MAX_LATENCY).description("Statement latency")
                    .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public void request(Endpoint endpoint, RequestOutcome outcome) {
        counters.computeIfAbsent("req/" + endpoint.name() + '/' + outcome.name(), k -> Counter.builder(Meters.HRANA_REQUESTS)
                .tag(Meters.ENDPOINT, tag(endpoint)).tag(Meters.OUTCOME, tag(outcome))
                .description("Hrana HTTP requests").register(registry)).increment();
    }

    /** Counts a state-machine transition by machine name and target state. */
    public void transition(String machine, Enum<?> to) {
        counters.computeIfAbsent("sm/" + machine + '/' + to.name(), k -> Counter.builder(Meters.STATE_TRANSITIONS)
                .tag(Meters.MACHINE, machine).tag(Meters.STATE, tag(to))
                .description("State machine transitions").register(registry)).increment();
    }

    public static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
