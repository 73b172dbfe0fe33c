package io.sluice.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares current statement figures with a saved {@code monitor:metrics --json} snapshot
 * ({@code GET /admin/v1/metrics}): latency percentiles may not regress by more than a fraction of the
 * baseline, the server-side error rate may not rise by more than some percentage points (client SQL errors
 * are shown as {@code clientErrorRate}, never a failure). One window's {@code all}
 * entry is compared ({@code 1m} by default). A figure missing on either side (no latency histogram was
 * recorded, nothing ran) is skipped with a note, never counted as a pass or a failure.
 */
public final class Baseline {
    static final List<String> PERCENTILES = List.of("p50Ms", "p95Ms", "p99Ms");

    private Baseline() {
    }

    /**
     * @param maxLatencyRegression allowed rise of each percentile, as a fraction of the baseline (0.5 = 50 %)
     * @param maxErrorRateIncrease allowed rise of the error rate, as a fraction (0.01 = 1 percentage point)
     */
    public record Tolerances(double maxLatencyRegression, double maxErrorRateIncrease) {
        public Tolerances {
            if (maxLatencyRegression < 0 || maxErrorRateIncrease < 0) {
                throw new IllegalArgumentException("tolerances must be >= 0");
            }
        }
    }

    /** What was compared: failures (regressions beyond the tolerances) and notes (figures skipped). */
    public record Comparison(String window, List<String> failures, List<String> notes, List<Figure> figures) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    /** One compared figure; {@code baseline} or {@code current} null when it was not there. */
    public record Figure(String name, Double baseline, Double current, String verdict) {
    }

    /**
     * @throws IllegalArgumentException when either document lacks the window's {@code statements.all} entry
     */
    public static Comparison compare(JsonNode baseline, JsonNode current, String window, Tolerances tolerances) {
        JsonNode base = entry(baseline, window, "baseline");
        JsonNode now = entry(current, window, "current metrics");
        List<String> failures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Figure> figures = new ArrayList<>();
        for (String p : PERCENTILES) {
            Double b = number(base, p);
            Double c = number(now, p);
            if (b == null || c == null) {
                String side = b == null && c == null ? "either side" : b == null ? "the baseline" : "the current metrics";
                notes.add(p + ": skipped, no figure in " + side + " (no latency histogram recorded, or nothing ran)");
                figures.add(new Figure(p, b, c, "skipped"));
                continue;
            }
            if (b <= 0) {
                notes.add(p + ": skipped, the baseline is 0 ms");
                figures.add(new Figure(p, b, c, "skipped"));
                continue;
            }
            double limit = b * (1 + tolerances.maxLatencyRegression());
            if (c > limit) {
                failures.add(
                        String.format(Locale.ROOT, "%s regressed %.0f %%: %.3f ms against a baseline of %.3f ms (allowed up to %.3f ms, +%.0f %%)",
                                p, (c - b) / b * 100, c, b, limit, tolerances.maxLatencyRegression() * 100));
                figures.add(new Figure(p, b, c, "regressed"));
            } else {
                figures.add(new Figure(p, b, c, "ok"));
            }
        }
        Double b = number(base, "errorRate");
        Double c = number(now, "errorRate");
        if (b == null || c == null) {
            notes.add("errorRate: skipped, missing in " + (b == null ? "the baseline" : "the current metrics"));
            figures.add(new Figure("errorRate", b, c, "skipped"));
        } else if (c - b > tolerances.maxErrorRateIncrease() + 1e-12) {
            failures.add(String.format(Locale.ROOT, "errorRate rose %.2f pp: %.2f %% against a baseline of %.2f %% (allowed +%.2f pp)",
                    (c - b) * 100, c * 100, b * 100, tolerances.maxErrorRateIncrease() * 100));
            figures.add(new Figure("errorRate", b, c, "regressed"));
        } else {
            figures.add(new Figure("errorRate", b, c, "ok"));
        }
        Double bc = number(base, "clientErrorRate");
        Double cc = number(now, "clientErrorRate");
        if (bc != null || cc != null) {
            figures.add(new Figure("clientErrorRate", bc, cc, "not judged"));
        }
        return new Comparison(window, failures, notes, figures);
    }

    /** {@code 50%} or {@code 50}: a percentage, returned as a fraction. */
    public static double parsePercent(String option, String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        String digits = t.endsWith("%") ? t.substring(0, t.length() - 1) : t;
        return parse(option, text, digits, "a percentage such as 50%") / 100;
    }

    /** {@code 1pp} or {@code 1}: percentage points, returned as a fraction. */
    public static double parsePoints(String option, String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        String digits = t.endsWith("pp") ? t.substring(0, t.length() - 2) : t;
        return parse(option, text, digits, "percentage points such as 1pp") / 100;
    }

    private static double parse(String option, String text, String digits, String expected) {
        try {
            double v = Double.parseDouble(digits.strip());
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be " + expected + " (>= 0) but was '" + text + "'");
        }
    }

    private static JsonNode entry(JsonNode doc, String window, String what) {
        JsonNode e = doc == null ? null : doc.path("windows").path(window).path("statements").path("all");
        if (e == null || !e.isObject()) {
            throw new IllegalArgumentException(
                    what + " has no windows." + window + ".statements.all entry (is it a monitor:metrics --json snapshot?)");
        }
        return e;
    }

    private static Double number(JsonNode entry, String field) {
        JsonNode v = entry.get(field);
        return v == null || v.isNull() || !v.isNumber() ? null : v.asDouble();
    }
}
