package io.sluice.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** What one run measured: successful operations, errors by kind, and latencies in microseconds. */
record Result(String target, Runner.Plan plan, long operations, Map<String, Long> errors, long elapsedNanos, Histogram latencyMicros) {

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double operationsPerSecond() {
        return operations * 1e9 / elapsedNanos;
    }

    private double ms(double percentile) {
        return operations == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMs() {
        return operations == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("target", target);
        o.put("workload", plan.workload().cliName);
        o.put("concurrency", plan.concurrency());
        o.put("runId", plan.runId());
        o.put("elapsedSeconds", round(elapsedNanos / 1e9));
        o.put("operations", operations);
        o.put("httpRequestsPerOperation", plan.workload().httpRequests);
        o.put("operationsPerSecond", round(operationsPerSecond()));
        o.put("rowsWritten", operations * plan.workload().rowsWritten);
        ObjectNode latency = o.putObject("latencyMs");
        latency.put("p50", ms(50));
        latency.put("p90", ms(90));
        latency.put("p99", ms(99));
        latency.put("max", maxMs());
        latency.put("mean", operations == 0 ? 0 : round(latencyMicros.getMean() / 1000.0));
        ObjectNode errs = o.putObject("errors");
        errs.put("total", errorCount());
        ObjectNode kinds = errs.putObject("byKind");
        errors.forEach(kinds::put);
        return o;
    }

    void print(PrintWriter out) {
        Workload w = plan.workload();
        out.printf(Locale.ROOT, "%s, %s: %d connections, %.1f s measured%n", target, w.cliName, plan.concurrency(), elapsedNanos / 1e9);
        out.printf(Locale.ROOT, "  operations   %,d%s%n", operations,
                w.httpRequests > 1 && target.equals("sluice") ? " (" + w.httpRequests + " HTTP requests each)" : "");
        out.printf(Locale.ROOT, "  throughput   %,.1f operations/s%n", operationsPerSecond());
        out.printf(Locale.ROOT, "  latency      p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms%n", ms(50), ms(90), ms(99), maxMs());
        out.printf(Locale.ROOT, "  errors       %,d%n", errorCount());
        errors.forEach((kind, n) -> out.printf(Locale.ROOT, "    %-40s %,d%n", kind, n));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
