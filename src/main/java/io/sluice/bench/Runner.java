package io.sluice.bench;

import io.sluice.cli.Progress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs one workload against one target: the target's connections follow their {@link Lane}s (warm-up
 * unrecorded, then a duration or a number of operations; closed loop, or a constant rate with
 * coordinated-omission-corrected latencies), while this thread shows the live rate and p99 once a second and
 * at the end merges what every thread recorded into one {@link Result}.
 */
final class Runner {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /**
     * How long or how much to run. Exactly one of {@code duration} and {@code operations} is set; {@code rate}
     * is the constant rate in operations/s of all connections together, or 0 for a closed loop.
     */
    record Plan(Workload workload, int concurrency, Duration duration, long operations, Duration warmup, int rows, long runId, double rate) {
        Plan withRunId(long id) {
            return new Plan(workload, concurrency, duration, operations, warmup, rows, id, rate);
        }
    }

    private Runner() {
    }

    static Result run(Target target, Plan plan, Progress progress) throws BenchException, InterruptedException {
        long start = System.nanoTime();
        Load load = new Load(plan, start);
        target.start(load);
        long lastTick = start;
        long lastErrors = 0;
        while (!load.awaitStopped(Math.max(0, lastTick + SECOND - System.nanoTime()))) {
            long now = System.nanoTime();
            Histogram second = new Histogram(Tally.MAX_MICROS, 3);
            long errors = 0;
            for (Tally t : load.tallies()) {
                t.drainLive(second);
                errors += t.liveErrors();
            }
            progress.status(status(load, now, second, errors - lastErrors, now - lastTick));
            lastTick = now;
            lastErrors = errors;
        }
        progress.clear();

        Histogram all = new Histogram(Tally.MAX_MICROS, 3);
        Map<String, Long> errorsByKind = new TreeMap<>();
        long end = load.measureFrom();
        for (Tally t : load.tallies()) {
            all.add(t.measured());
            t.errors().forEach((k, v) -> errorsByKind.merge(k, v, Long::sum));
            end = Math.max(end, t.lastEnd());
        }
        if (plan.duration() != null) {
            end = load.measureUntil();
        }
        return new Result(target.name(), target.engine(), plan, all.getTotalCount(), errorsByKind, Math.max(1, end - load.measureFrom()), all);
    }

    /** The live line: where the run is, and the last second's rate, p99 and errors. */
    static String status(Load load, long now, Histogram second, long errors, long overNanos) {
        Plan plan = load.plan();
        StringBuilder sb = new StringBuilder(96);
        if (now < load.measureFrom()) {
            sb.append(String.format(Locale.ROOT, "warm-up, %.0f s left", Math.ceil((load.measureFrom() - now) / 1e9)));
        } else if (plan.duration() != null) {
            sb.append(String.format(Locale.ROOT, "%.0f / %d s", Math.floor((now - load.measureFrom()) / 1e9), plan.duration().toSeconds()));
        } else {
            sb.append(String.format(Locale.ROOT, "%,d / %,d operations", load.claimed(), plan.operations()));
        }
        sb.append(String.format(Locale.ROOT, ": %,.0f operations/s", second.getTotalCount() * 1e9 / Math.max(1, overNanos)));
        if (plan.rate() > 0) {
            sb.append(String.format(Locale.ROOT, " (target %,.0f)", plan.rate()));
        }
        sb.append(second.getTotalCount() == 0 ? ", p99 -" : String.format(Locale.ROOT, ", p99 %.2f ms", second.getValueAtPercentile(99) / 1000.0));
        sb.append(", errors ").append(errors);
        return sb.toString();
    }
}
