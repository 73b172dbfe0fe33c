package io.sluice.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.sluice.breaker.BreakerState;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.pool.Backend;
import io.sluice.pool.PoolStatus;
import io.sluice.state.Connectivity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The health score, 0–100, from weighted checks: the database reachable (30), the breaker closed (20),
 * the statement error rate over the last minute (15), p95 statement latency against its threshold (15),
 * pool saturation and waiters (10), heap headroom (10). Database down and breaker open are critical
 * failures. Figures come from Micrometer's meters, sampled into a one-minute window.
 */
@ApplicationScoped
public class HealthScore {
    /** The seed's pass mark. */
    public static final int THRESHOLD = 85;
    static final double ERROR_RATE_LIMIT = 0.01;
    static final double LATENCY_THRESHOLD_MS = 100;
    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final Backend backend;
    private final CircuitBreaker breaker;
    private final MeterRegistry registry;
    private final Deque<Sample> window = new ArrayDeque<>();
    private ScheduledExecutorService sampler;

    private record Sample(long at, double total, double errors, long[] latencyBuckets, double[] bounds) {
    }

    /** One weighted check: how many of its points it earned and why. */
    public record Check(String name, int weight, int score, String detail) {
    }

    /** The score, its checks and the critical failures. */
    public record Report(int score, int threshold, boolean healthy, List<Check> checks, List<String> criticalFailures) {
    }

    HealthScore(Backend backend, CircuitBreaker breaker, SluiceMetrics metrics) {
        this.backend = backend;
        this.breaker = breaker;
        this.registry = metrics.registry();
    }

    /** Samples the meters every few seconds, so the window is there when someone asks for the score. */
    void onStart(@Observes StartupEvent event) {
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-health-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::record, 0, 5, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    private synchronized Sample record() {
        Sample now = sample();
        window.addLast(now);
        while (window.size() > 1 && now.at - window.peekFirst().at > WINDOW_NANOS) {
            window.removeFirst();
        }
        return now;
    }

    public synchronized Report evaluate() {
        List<Check> checks = new ArrayList<>();
        List<String> critical = new ArrayList<>();
        Sample now = record();
        Sample first = window.peekFirst();

        Connectivity connectivity = backend.connectivity().current();
        boolean dbUp = connectivity == Connectivity.CONNECTED || connectivity == Connectivity.DEGRADED
                || backend.probe(java.time.Duration.ofSeconds(2));
        checks.add(new Check("database", 30, dbUp ? 30 : 0, "connectivity " + backend.connectivity().current()));
        if (!dbUp) {
            critical.add("database unreachable");
        }

        BreakerState state = breaker.status().state();
        boolean closed = state == BreakerState.CLOSED;
        checks.add(new Check("circuit-breaker", 20, closed ? 20 : state == BreakerState.HALF_OPEN ? 10 : 0, "state " + state));
        if (state.refusesCalls()) {
            critical.add("circuit breaker " + state);
        }

        double total = now.total - first.total;
        double errors = now.errors - first.errors;
        double rate = total <= 0 ? 0 : errors / total;
        checks.add(new Check("error-rate", 15, rate < ERROR_RATE_LIMIT ? 15 : rate < 5 * ERROR_RATE_LIMIT ? 7 : 0,
                String.format("%.2f%% of %.0f statements in the last minute", rate * 100, total)));

        double p95 = p95Millis(first, now);
        // no statements in the window is not slowness: full points
        checks.add(new Check("latency-p95", 15, Double.isNaN(p95) || p95 <= LATENCY_THRESHOLD_MS ? 15 : p95 <= 2 * LATENCY_THRESHOLD_MS ? 7 : 0,
                Double.isNaN(p95) ? "no statements in the last minute" : String.format("p95 %.1f ms (threshold %.0f ms)", p95, LATENCY_THRESHOLD_MS)));

        PoolStatus pool = backend.status();
        double saturation = pool.maxConnections() == 0 ? 0 : (double) pool.active() / pool.maxConnections();
        int poolScore = pool.awaiting() > 0 ? 3 : saturation >= 0.9 ? 6 : 10;
        checks.add(new Check("pool", 10, poolScore, String.format("%d of %d connections leased, %d waiting",
                pool.active(), pool.maxConnections(), pool.awaiting())));

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        double used = heap.getMax() <= 0 ? 0 : (double) heap.getUsed() / heap.getMax();
        checks.add(new Check("memory", 10, used < 0.8 ? 10 : used < 0.9 ? 5 : 0, String.format("heap %.0f%% used", used * 100)));

        int score = checks.stream().mapToInt(Check::score).sum();
        return new Report(score, THRESHOLD, score >= THRESHOLD && critical.isEmpty(), checks, critical);
    }

    private Sample sample() {
        double total = 0;
        double errors = 0;
        for (Counter c : registry.find(Meters.STATEMENTS).counters()) {
            total += c.count();
            if (!"ok".equals(c.getId().getTag(Meters.OUTCOME))) {
                errors += c.count();
            }
        }
        double[] bounds = null;
        long[] counts = null;
        for (Timer t : registry.find(Meters.STATEMENT_DURATION).timers()) {
            HistogramSnapshot h = t.takeSnapshot();
            CountAtBucket[] buckets = h.histogramCounts();
            if (bounds == null) {
                bounds = new double[buckets.length];
                counts = new long[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
                }
            }
            for (int i = 0; i < Math.min(buckets.length, counts.length); i++) {
                counts[i] += (long) buckets[i].count();
            }
        }
        return new Sample(System.nanoTime(), total, errors, counts == null ? new long[0] : counts, bounds == null ? new double[0] : bounds);
    }

    /** p95 over the window from cumulative bucket counts; NaN when nothing ran. */
    private static double p95Millis(Sample first, Sample now) {
        int n = now.latencyBuckets.length;
        if (n == 0) {
            return Double.NaN;
        }
        long[] delta = new long[n];
        for (int i = 0; i < n; i++) {
            delta[i] = now.latencyBuckets[i] - (i < first.latencyBuckets.length ? first.latencyBuckets[i] : 0);
        }
        long all = delta[n - 1];
        if (all <= 0) {
            return Double.NaN;
        }
        double target = all * 0.95;
        for (int i = 0; i < n; i++) {
            if (delta[i] >= target) {
                return now.bounds[i];
            }
        }
        return now.bounds[n - 1];
    }
}
