package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rolling-window figures (1, 5 and 15 minutes) read from Micrometer's own meters: the statement counter
 * by kind and outcome, and the statement latency histogram's cumulative bucket counts. A sampler keeps a
 * snapshot of those cumulative figures every {@link #SAMPLE_EVERY}; a window's figures are the difference
 * between a fresh snapshot and the one taken a window ago, so nothing is counted twice and there is no
 * second metrics system. Percentiles come from the histogram buckets (interpolated inside the bucket) and
 * exist only while detailed monitoring records the histogram.
 */
@ApplicationScoped
public class MetricsWindows {
    /** The windows reported, shortest first. */
    public static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15));
    /** The pseudo-kind that sums every statement kind. */
    public static final String ALL = "all";
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);

    private final MeterRegistry registry;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private ScheduledExecutorService sampler;

    /** Cumulative figures of one statement kind at one instant. */
    private record Totals(double count, double errors, double clientErrors, double operatorRefusals, long[] buckets, double[] boundsMs) {
    }

    private record Sample(long at, Map<String, Totals> kinds) {
    }

    /**
     * A window's figures for one statement kind. {@code errors} and {@code errorRate} count failures that
     * blame the server ({@link SluiceMetrics.Blame#SERVER}: connection faults, timeouts, and — in the
     * {@link #ALL} entry — requests refused or failed whole by the server); the application's own SQL
     * errors are {@code clientErrors}, never part of a verdict. Percentiles are in milliseconds and
     * {@code null} when no latency was recorded in the window. {@code operatorRefusals} (in the {@link #ALL}
     * entry only) are requests refused because an operator forced the breaker open: deliberate, so neither
     * units of work nor failures, and shown apart.
     */
    @RegisterForReflection
    public record Figures(long count, long errors, double errorRate, long clientErrors, double clientErrorRate, double perSecond,
            Double p50Ms, Double p95Ms, Double p99Ms, long operatorRefusals) {
    }

    /** One window: the seconds it really covers (less than asked for right after start) and figures by kind. */
    public record Window(String name, double seconds, Map<String, Figures> statements) {
    }

    MetricsWindows(MeterRegistry registry) {
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-metrics-windows");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::record, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    /** Takes a sample now and keeps enough history for the longest window. */
    synchronized void record() {
        Sample now = sample();
        samples.addLast(now);
        long keep = WINDOWS.get(WINDOWS.size() - 1).toNanos();
        // drop the oldest while the next one still reaches back a full longest window
        while (samples.size() > 2 && now.at - secondOldest().at >= keep) {
            samples.removeFirst();
        }
    }

    private Sample secondOldest() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }

    /** Every window's figures, measured up to now. */
    public synchronized List<Window> windows() {
        Sample now = sample();
        return WINDOWS.stream().map(w -> window(w, now)).toList();
    }

    /** One window's figures, measured up to now. */
    public synchronized Window window(Duration length) {
        return window(length, sample());
    }

    /** The newest sample at least {@code length} old, or the oldest one when the server is younger than that. */
    private Window window(Duration length, Sample now) {
        Sample from = samples.isEmpty() ? now : samples.peekFirst();
        for (Sample s : samples) {
            if (now.at - s.at >= length.toNanos()) {
                from = s;
            } else {
                break;
            }
        }
        double seconds = (now.at - from.at) / 1e9;
        return new Window(name(length), seconds, between(from, now, seconds));
    }

    /** An instant's cumulative figures, opaque: two marks give the figures of the time between them. */
    public static final class Mark {
        private final Sample sample;

        private Mark(Sample sample) {
            this.sample = sample;
        }
    }

    /** The cumulative figures now, for {@link #between(Mark, Mark)}; the operator console's live charts take one every few seconds. */
    public Mark mark() {
        return new Mark(sample());
    }

    /** Figures by statement kind ({@link #ALL} first) of the time from {@code from} to {@code to}. */
    public static Map<String, Figures> between(Mark from, Mark to) {
        return between(from.sample, to.sample, (to.sample.at - from.sample.at) / 1e9);
    }

    private static Map<String, Figures> between(Sample from, Sample now, double seconds) {
        Map<String, Figures> byKind = new TreeMap<>();
        for (Map.Entry<String, Totals> e : now.kinds.entrySet()) {
            Figures f = figures(from.kinds.get(e.getKey()), e.getValue(), seconds);
            if (f.count() > 0 || ALL.equals(e.getKey())) {
                byKind.put(e.getKey(), f);
            }
        }
        Map<String, Figures> ordered = new LinkedHashMap<>();
        ordered.put(ALL, byKind.remove(ALL));
        ordered.putAll(byKind);
        return ordered;
    }

    /** True once a statement latency histogram exists (detailed monitoring has recorded something). */
    public boolean latencyRecorded() {
        return !registry.find(Meters.STATEMENT_DURATION).timers().isEmpty();
    }

    /** One current value of a Sluice meter: a counter's count, a gauge's value, a timer's count. */
    @RegisterForReflection
    public record MeterValue(String name, Map<String, String> tags, double value) {
    }

    /** Every Sluice meter's current value, as Prometheus would show it, sorted by name and tags. */
    public List<MeterValue> meters() {
        return registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("sluice."))
                .map(m -> {
                    Map<String, String> tags = new TreeMap<>();
                    m.getId().getTags().forEach(t -> tags.put(t.getKey(), t.getValue()));
                    var first = m.measure().iterator();
                    return new MeterValue(m.getId().getName(), tags, first.hasNext() ? first.next().getValue() : Double.NaN);
                })
                .sorted(Comparator.comparing(MeterValue::name).thenComparing(v -> v.tags().toString()))
                .toList();
    }

    static String name(Duration window) {
        return window.toMinutes() + "m";
    }

    private static Figures figures(Totals before, Totals now, double seconds) {
        long count = Math.round(now.count - (before == null ? 0 : before.count));
        long errors = Math.round(now.errors - (before == null ? 0 : before.errors));
        long clientErrors = Math.round(now.clientErrors - (before == null ? 0 : before.clientErrors));
        long operatorRefusals = Math.round(now.operatorRefusals - (before == null ? 0 : before.operatorRefusals));
        long[] delta = new long[now.buckets.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = now.buckets[i] - (before == null || i >= before.buckets.length ? 0 : before.buckets[i]);
        }
        return new Figures(count, errors, count == 0 ? 0 : (double) errors / count, clientErrors,
                count == 0 ? 0 : (double) clientErrors / count, seconds <= 0 ? 0 : count / seconds,
                percentile(delta, now.boundsMs, 0.50), percentile(delta, now.boundsMs, 0.95), percentile(delta, now.boundsMs, 0.99),
                operatorRefusals);
    }

    /**
     * The q-quantile from cumulative bucket counts, interpolated linearly inside its bucket; the last
     * bound when it lies beyond the histogram; null when the buckets are empty.
     */
    static Double percentile(long[] cumulative, double[] boundsMs, double q) {
        int n = cumulative.length;
        if (n == 0 || cumulative[n - 1] <= 0) {
            return null;
        }
        double target = q * cumulative[n - 1];
        for (int i = 0; i < n; i++) {
            if (cumulative[i] >= target) {
                double lower = i == 0 ? 0 : boundsMs[i - 1];
                long below = i == 0 ? 0 : cumulative[i - 1];
                long inBucket = cumulative[i] - below;
                double fraction = inBucket == 0 ? 1 : (target - below) / inBucket;
                return round(lower + (boundsMs[i] - lower) * fraction);
            }
        }
        return boundsMs[n - 1];
    }

    private static void add(double[] totals, SluiceMetrics.Blame blame, double n) {
        totals[0] += n;
        totals[1] += blame == SluiceMetrics.Blame.SERVER ? n : 0;
        totals[2] += blame == SluiceMetrics.Blame.CLIENT ? n : 0;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    /**
     * Cumulative statement counts and latency buckets by kind (and summed as {@link #ALL}), read from the
     * registry; {@link #ALL} also counts the requests the server failed whole, which ran no statement.
     * Every outcome is classified by {@link SluiceMetrics#blameOf}, the one definition of failure.
     */
    private Sample sample() {
        Map<String, double[]> counts = new HashMap<>();
        counts.put(ALL, new double[4]);
        for (Counter c : registry.find(Meters.STATEMENTS).counters()) {
            SluiceMetrics.Blame blame = SluiceMetrics.blameOf(Meters.STATEMENTS, c.getId().getTag(Meters.OUTCOME));
            for (String key : new String[] {c.getId().getTag(Meters.KIND), ALL}) {
                add(counts.computeIfAbsent(key, k -> new double[4]), blame, c.count());
            }
        }
        for (Counter c : registry.find(Meters.HRANA_REQUESTS).counters()) {
            SluiceMetrics.Blame blame = SluiceMetrics.blameOf(Meters.HRANA_REQUESTS, c.getId().getTag(Meters.OUTCOME));
            if (blame == SluiceMetrics.Blame.SERVER) {
                add(counts.get(ALL), blame, c.count());
            } else if (SluiceMetrics.tag(SluiceMetrics.RequestOutcome.CIRCUIT_FORCED_OPEN).equals(c.getId().getTag(Meters.OUTCOME))) {
                counts.get(ALL)[3] += c.count();
            }
        }
        Map<String, long[]> buckets = new HashMap<>();
        double[] bounds = new double[0];
        for (Timer t : registry.find(Meters.STATEMENT_DURATION).timers()) {
            HistogramSnapshot h = t.takeSnapshot();
            CountAtBucket[] b = h.histogramCounts();
            if (bounds.length == 0) {
                bounds = new double[b.length];
                for (int i = 0; i < b.length; i++) {
                    bounds[i] = b[i].bucket(TimeUnit.MILLISECONDS);
                }
            }
            for (String key : new String[] {t.getId().getTag(Meters.KIND), ALL}) {
                long[] sum = buckets.computeIfAbsent(key, k -> new long[b.length]);
                for (int i = 0; i < Math.min(b.length, sum.length); i++) {
                    sum[i] += (long) b[i].count();
                }
            }
        }
        Map<String, Totals> kinds = new HashMap<>();
        for (Map.Entry<String, double[]> e : counts.entrySet()) {
            kinds.put(e.getKey(), new Totals(e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3],
                    buckets.getOrDefault(e.getKey(), new long[0]), bounds));
        }
        return new Sample(System.nanoTime(), kinds);
    }
}
