package io.sluice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Runs one workload against one target with N worker threads in a closed loop (each worker sends its
 * next operation when the previous one is answered), first for the warm-up time unrecorded, then for a
 * duration or a number of operations. Each worker records into its own histogram; they are merged at the
 * end, so recording costs no contention. Latency is that of a whole operation (for {@code transaction},
 * all four HTTP requests); a closed loop does not correct for coordinated omission.
 */
final class Runner {
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    /** How long or how much to run. Exactly one of {@code duration} and {@code operations} is set. */
    record Plan(Workload workload, int concurrency, Duration duration, long operations, Duration warmup, int rows, long runId) {
    }

    private Runner() {
    }

    static Result run(Target target, Plan plan) throws InterruptedException {
        int n = plan.concurrency();
        Histogram[] histograms = new Histogram[n];
        List<Map<String, Long>> errors = new ArrayList<>(n);
        long[] ok = new long[n];
        AtomicLong remaining = new AtomicLong(plan.operations());
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime();
        long measureFrom = start + plan.warmup().toNanos();
        long measureUntil = plan.duration() == null ? Long.MAX_VALUE : measureFrom + plan.duration().toNanos();
        long[] lastEnd = new long[n];
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            int w = i;
            histograms[w] = new Histogram(MAX_MICROS, 3);
            errors.add(new TreeMap<>());
            threads[w] = new Thread(() -> {
                try (Target.Worker worker = target.worker(w, plan.workload(), plan.rows(), plan.runId())) {
                    while (System.nanoTime() < measureFrom) {
                        worker.run();
                    }
                    while (plan.duration() != null ? System.nanoTime() < measureUntil : remaining.getAndDecrement() > 0) {
                        long t0 = System.nanoTime();
                        String error = worker.run();
                        long t1 = System.nanoTime();
                        if (error == null) {
                            ok[w]++;
                            histograms[w].recordValue(Math.min((t1 - t0) / 1_000, MAX_MICROS));
                        } else {
                            errors.get(w).merge(error, 1L, Long::sum);
                        }
                        lastEnd[w] = t1;
                    }
                } finally {
                    done.countDown();
                }
            }, "bench-" + target.name() + "-" + w);
            threads[w].setDaemon(true);
            threads[w].start();
        }
        done.await();
        Histogram all = new Histogram(MAX_MICROS, 3);
        Map<String, Long> errorsByKind = new TreeMap<>();
        long succeeded = 0;
        long end = measureFrom;
        for (int i = 0; i < n; i++) {
            all.add(histograms[i]);
            errors.get(i).forEach((k, v) -> errorsByKind.merge(k, v, Long::sum));
            succeeded += ok[i];
            end = Math.max(end, lastEnd[i]);
        }
        if (plan.duration() != null) {
            end = measureUntil;
        }
        return new Result(target.name(), plan, succeeded, errorsByKind, Math.max(1, end - measureFrom), all);
    }
}
