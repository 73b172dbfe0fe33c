package io.sluice.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: successful operations, errors by kind, and latencies in microseconds (from when
 * each operation was sent, or in constant-rate mode from when it was due).
 */
record Result(String target, String engine, Runner.Plan plan, long operations, Map<String, Long> errors, long elapsedNanos,
        Histogram latencyMicros) {

    /** The percentiles every output shows, with their labels (JSON key, table header). */
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String[] KEYS = {"p50", "p90", "p99", "p999"};
    private static final String[] HEADERS = {"p50", "p90", "p99", "p99.9"};

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

    private String mode() {
        return plan.rate() > 0 ? "constant-rate" : "closed-loop";
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("target", target);
        o.put("workload", plan.workload().cliName);
        o.put("concurrency", plan.concurrency());
        o.put("engine", engine);
        o.put("mode", mode());
        if (plan.rate() > 0) {
            o.put("targetOperationsPerSecond", plan.rate());
        } else {
            o.putNull("targetOperationsPerSecond");
        }
        o.put("latencyFrom", plan.rate() > 0 ? "due" : "sent");
        o.put("runId", plan.runId());
        o.put("elapsedSeconds", round(elapsedNanos / 1e9));
        o.put("operations", operations);
        o.put("httpRequestsPerOperation", plan.workload().httpRequests);
        o.put("operationsPerSecond", round(operationsPerSecond()));
        o.put("rowsWritten", operations * plan.workload().rowsWritten);
        ObjectNode latency = o.putObject("latencyMs");
        for (int i = 0; i < PERCENTILES.length; i++) {
            latency.put(KEYS[i], ms(PERCENTILES[i]));
        }
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
        out.printf(Locale.ROOT, "%s, %s: %d connections (%s), %.1f s measured, %s%n", target, w.cliName, plan.concurrency(), engine,
                elapsedNanos / 1e9, plan.rate() > 0 ? String.format(Locale.ROOT, "constant rate %,.0f/s", plan.rate()) : "closed loop");
        out.printf(Locale.ROOT, "  operations   %,d%s%n", operations,
                w.httpRequests > 1 && target.equals("sluice") ? " (" + w.httpRequests + " HTTP requests each)" : "");
        out.printf(Locale.ROOT, "  throughput   %,.1f operations/s%n", operationsPerSecond());
        StringBuilder header = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < PERCENTILES.length; i++) {
            header.append(String.format(Locale.ROOT, "%12s", HEADERS[i]));
            values.append(String.format(Locale.ROOT, "%12.3f", ms(PERCENTILES[i])));
        }
        header.append(String.format(Locale.ROOT, "%12s", "max"));
        values.append(String.format(Locale.ROOT, "%12.3f", maxMs()));
        out.printf(Locale.ROOT, "  latency ms %s%n", header);
        out.printf(Locale.ROOT, "  %-10s %s%n", plan.rate() > 0 ? "(from due)" : "", values);
        out.printf(Locale.ROOT, "  errors       %,d%n", errorCount());
        errors.forEach((kind, n) -> out.printf(Locale.ROOT, "    %-40s %,d%n", kind, n));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
