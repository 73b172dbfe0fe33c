package io.sluice.health;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.sluice.breaker.BreakerState;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.config.RuntimeSettings;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.metrics.MetricsWindows;
import io.sluice.pool.Backend;
import io.sluice.pool.PoolStatus;
import io.sluice.state.Connectivity;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The health score, 0–100, from weighted checks: the database reachable (30), the breaker closed (20),
 * the server-side failure rate over the last minute (15; client SQL errors are not failures, see
 * {@link io.sluice.metrics.SluiceMetrics.Blame}), p95 statement latency against its threshold (15),
 * (pass mark, error-rate limit and latency threshold are the live {@code monitoring} settings),
 * pool saturation and waiters (10), heap headroom (10). Database down and breaker open are critical
 * failures. Figures come from Micrometer's meters over the last minute ({@link MetricsWindows}).
 */
@ApplicationScoped
public class HealthScore {
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final Backend backend;
    private final CircuitBreaker breaker;
    private final MetricsWindows windows;

    /**
     * What the score weighs, with its name in reports and its weight. Callers match checks by factor, never by
     * their name.
     */
    public enum Factor {
        DATABASE("database", 30, false),
        CIRCUIT_BREAKER("circuit-breaker", 20, false),
        ERROR_RATE("error-rate", 15, true),
        LATENCY_P95("latency-p95", 15, true),
        POOL("pool", 10, false),
        MEMORY("memory", 10, false);

        private final String label;
        private final int weight;
        private final boolean gatesDeployment;

        Factor(String label, int weight, boolean gatesDeployment) {
            this.label = label;
            this.weight = weight;
            this.gatesDeployment = gatesDeployment;
        }

        public String label() {
            return label;
        }

        public int weight() {
            return weight;
        }

        /** A deployment check fails when this factor loses any point (not only when the total drops). */
        public boolean gatesDeployment() {
            return gatesDeployment;
        }
    }

    /** One weighted check: how many of its points it earned and why ({@code factor} is not in the JSON: {@code name} is). */
    public record Check(@JsonIgnore Factor factor, String name, int weight, int score, String detail) {
        Check(Factor factor, int score, String detail) {
            this(factor, factor.label(), factor.weight(), score, detail);
        }
    }

    /** The score, its checks and the critical failures. */
    public record Report(int score, int threshold, boolean healthy, List<Check> checks, List<String> criticalFailures) {
    }

    private final RuntimeSettingsService settings;

    HealthScore(Backend backend, CircuitBreaker breaker, MetricsWindows windows, RuntimeSettingsService settings) {
        this.backend = backend;
        this.breaker = breaker;
        this.windows = windows;
        this.settings = settings;
    }

    public Report evaluate() {
        RuntimeSettings.Monitoring limits = settings.current().monitoring();
        double errorRateLimit = limits.errorRateThreshold();
        long latencyLimit = limits.latencyThresholdMs();
        List<Check> checks = new ArrayList<>();
        List<String> critical = new ArrayList<>();
        MetricsWindows.Figures minute = windows.window(WINDOW).statements().get(MetricsWindows.ALL);

        Connectivity connectivity = backend.connectivity().current();
        boolean dbUp = connectivity == Connectivity.CONNECTED || connectivity == Connectivity.DEGRADED
                || backend.probe(Duration.ofSeconds(2));
        checks.add(new Check(Factor.DATABASE, dbUp ? 30 : 0, "connectivity " + backend.connectivity().current()));
        if (!dbUp) {
            critical.add("database unreachable");
        }

        BreakerState state = breaker.status().state();
        boolean closed = state == BreakerState.CLOSED;
        checks.add(new Check(Factor.CIRCUIT_BREAKER, closed ? 20 : state == BreakerState.HALF_OPEN ? 10 : 0, "state " + state));
        if (state.refusesCalls()) {
            critical.add("circuit breaker " + state);
        }

        // server-side failures only; the application's own SQL errors are shown, never scored
        double rate = minute.errorRate();
        checks.add(new Check(Factor.ERROR_RATE, rate < errorRateLimit ? 15 : rate < 5 * errorRateLimit ? 7 : 0,
                String.format("%.2f%% server-side failures of %d statements in the last minute (%d client SQL errors, "
                        + "%d requests refused by the breaker an operator forced open, not counted)",
                        rate * 100, minute.count(), minute.clientErrors(), minute.operatorRefusals())));

        Double p95 = minute.p95Ms();
        // no latency recorded in the window is not slowness: full points
        checks.add(new Check(Factor.LATENCY_P95, p95 == null || p95 <= latencyLimit ? 15 : p95 <= 2 * latencyLimit ? 7 : 0,
                p95 == null ? "no statement latency recorded in the last minute"
                        : String.format("p95 %.1f ms (threshold %d ms)", p95, latencyLimit)));

        PoolStatus pool = backend.status();
        double saturation = pool.maxConnections() == 0 ? 0 : (double) pool.active() / pool.maxConnections();
        int poolScore = pool.awaiting() > 0 ? 3 : saturation >= 0.9 ? 6 : 10;
        checks.add(new Check(Factor.POOL, poolScore, String.format("%d of %d connections leased, %d waiting%s",
                pool.active(), pool.maxConnections(), pool.awaiting(), pool.saturated() ? " (saturated)" : "")));

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        double used = heap.getMax() <= 0 ? 0 : (double) heap.getUsed() / heap.getMax();
        checks.add(new Check(Factor.MEMORY, used < 0.8 ? 10 : used < 0.9 ? 5 : 0, String.format("heap %.0f%% used", used * 100)));

        int score = checks.stream().mapToInt(Check::score).sum();
        return new Report(score, limits.healthScoreThreshold(), score >= limits.healthScoreThreshold() && critical.isEmpty(), checks, critical);
    }
}
