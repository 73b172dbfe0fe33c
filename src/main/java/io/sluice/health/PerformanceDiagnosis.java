package io.sluice.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.metrics.MetricsWindows;
import io.sluice.pool.Backend;
import io.sluice.pool.PoolStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code debug:performance}: where time goes right now. Statement kinds over the last five minutes
 * slowest first, the pool's acquire waits, the JVM (heap, GC, CPU, threads), and findings — each naming
 * the figure that triggered it and the threshold it crossed.
 */
@ApplicationScoped
public class PerformanceDiagnosis {
    static final Duration WINDOW = Duration.ofMinutes(5);

    private final MetricsWindows windows;
    private final Backend backend;
    private final MeterRegistry registry;
    private final RuntimeSettingsService settings;

    PerformanceDiagnosis(MetricsWindows windows, Backend backend, MeterRegistry registry, RuntimeSettingsService settings) {
        this.windows = windows;
        this.backend = backend;
        this.registry = registry;
        this.settings = settings;
    }

    /** One statement kind's figures over the window. */
    @RegisterForReflection
    public record KindFigures(String kind, long count, double perSecond, double errorRate, double clientErrorRate, Double p50Ms, Double p95Ms,
            Double p99Ms) {
    }

    @RegisterForReflection
    public record Pool(long active, long maxConnections, long awaiting, double acquireAverageMs, double acquireMaxMs, long timeouts) {
    }

    @RegisterForReflection
    public record Jvm(long heapUsedBytes, long heapMaxBytes, long gcPauses, double gcPauseMs, Double processCpu, int threads) {
    }

    @RegisterForReflection
    public record Report(String window, boolean latencyRecorded, List<KindFigures> slowest, Pool pool, Jvm jvm, List<String> findings) {
    }

    public Report diagnose() {
        var monitoring = settings.current().monitoring();
        MetricsWindows.Window window = windows.window(WINDOW);
        List<KindFigures> kinds = new ArrayList<>();
        for (Map.Entry<String, MetricsWindows.Figures> e : window.statements().entrySet()) {
            MetricsWindows.Figures f = e.getValue();
            if (!MetricsWindows.ALL.equals(e.getKey())) {
                kinds.add(new KindFigures(e.getKey(), f.count(), round(f.perSecond()), f.errorRate(), f.clientErrorRate(), f.p50Ms(), f.p95Ms(),
                        f.p99Ms()));
            }
        }
        kinds.sort(Comparator.comparing((KindFigures k) -> k.p99Ms() == null ? -1 : k.p99Ms()).reversed()
                .thenComparing(Comparator.comparingLong(KindFigures::count).reversed()));

        List<String> findings = new ArrayList<>();
        boolean latencyRecorded = windows.latencyRecorded();
        if (!latencyRecorded) {
            findings.add("no statement latency recorded: enable the enterprise-monitoring flag for percentiles");
        }
        for (KindFigures k : kinds) {
            if (k.p95Ms() != null && k.p95Ms() > monitoring.latencyThresholdMs()) {
                findings.add(String.format("%s statements: p95 %.1f ms over the last %s is above the %d ms threshold",
                        k.kind(), k.p95Ms(), window.name(), monitoring.latencyThresholdMs()));
            }
            if (k.count() > 0 && k.errorRate() >= monitoring.errorRateThreshold()) {
                findings.add(String.format("%s statements: %.2f%% failed for server-side reasons over the last %s (threshold %.2f%%)",
                        k.kind(), k.errorRate() * 100, window.name(), monitoring.errorRateThreshold() * 100));
            }
            if (k.count() > 0 && k.clientErrorRate() >= monitoring.errorRateThreshold()) {
                // worth knowing (an application bug, a missing migration), but the application's, never a server failure
                findings.add(String.format("%s statements: %.2f%% were refused by the database as the client's own SQL errors "
                        + "over the last %s (not counted as failures)", k.kind(), k.clientErrorRate() * 100, window.name()));
            }
        }

        PoolStatus p = backend.status();
        Pool pool = new Pool(p.active(), p.maxConnections(), p.awaiting(), p.acquireAverage().toNanos() / 1e6,
                p.acquireMax().toNanos() / 1e6, p.timeouts());
        if (p.awaiting() > 0 || p.timeouts() > 0) {
            findings.add(String.format("pool: %d requests waiting now and %d acquire timeouts since start with %d connections; "
                    + "raise connectionPool.maxConnections", p.awaiting(), p.timeouts(), p.maxConnections()));
        }
        if (p.acquireAverage().toMillis() >= 1) {
            findings.add(String.format("pool: leases wait %.1f ms on average", pool.acquireAverageMs()));
        }

        Jvm jvm = jvm();
        if (jvm.heapMaxBytes() > 0 && jvm.heapUsedBytes() > 0.85 * jvm.heapMaxBytes()) {
            findings.add(String.format("heap: %.0f%% of the maximum in use", 100.0 * jvm.heapUsedBytes() / jvm.heapMaxBytes()));
        }
        if (jvm.processCpu() != null && jvm.processCpu() > 0.9) {
            findings.add(String.format("cpu: the process uses %.0f%% of the machine", jvm.processCpu() * 100));
        }
        return new Report(window.name(), latencyRecorded, kinds, pool, jvm, findings);
    }

    private Jvm jvm() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long pauses = 0;
        double pauseMs = 0;
        for (Timer t : registry.find("jvm.gc.pause").timers()) {
            pauses += t.count();
            pauseMs += t.totalTime(TimeUnit.MILLISECONDS);
        }
        Gauge cpu = registry.find("process.cpu.usage").gauge();
        Double processCpu = cpu == null || Double.isNaN(cpu.value()) ? null : round(cpu.value());
        return new Jvm(heap.getUsed(), heap.getMax(), pauses, round(pauseMs), processCpu,
                ManagementFactory.getThreadMXBean().getThreadCount());
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
