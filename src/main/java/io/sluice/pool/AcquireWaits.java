package io.sluice.pool;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.util.TimeUtils;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jboss.logging.Logger;

/**
 * The acquire-wait histogram ({@code sluice_pool_acquire_wait_seconds}), recorded on every pooled lease. A
 * Micrometer timer with a percentile histogram costs more per record than the rest of a lease (clock reads to
 * rotate its windows, a bucket search, several atomics), so the lease path records here instead. A wait at
 * or under the first bound (1 ms: where an uncontended pool's waits fall) goes into a stripe that the lease
 * owns alone while it records ({@link #record(long, int)}: its slot in {@link OpenLeases}), with plain writes
 * and no atomic instruction; any other wait is an atomic add to its bucket's counter and to the sum. The
 * maximum is written only when exceeded. The figures are read when
 * scraped and exported as the timer exported them: the same histogram series ({@code _bucket} with the
 * same {@code le} bounds, {@code _count}, {@code _sum}) and the {@code _max} gauge, with the registry's
 * common tags.
 */
final class AcquireWaits {
    private static final Logger LOG = Logger.getLogger(AcquireWaits.class);
    /** The maximum covers the current window and the one before, as the timer's decaying maximum did. */
    private static final long MAX_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final String HELP = "Time a pooled lease waited for a connection";
    /** Stripes of {@link #record(long, int)}: the slots of {@link OpenLeases}' first chunk. */
    static final int STRIPES = OpenLeases.CHUNK;
    /** Longs per stripe: a 64-byte cache line, so that two leases recording at once share none. */
    private static final int STRIDE = 8;
    private static final VarHandle STRIPE = MethodHandles.arrayElementVarHandle(long[].class);

    /** Bucket upper bounds (inclusive), nanoseconds: the timer's percentile-histogram bounds from 1 ms to 30 s. */
    private final long[] bounds;
    /** One counter per bound and one past the last (only in {@code +Inf}); not cumulative. */
    private final AtomicLongArray counts;
    private final AtomicLong sumNanos = new AtomicLong();
    private final AtomicLong max = new AtomicLong();
    /** Per stripe, one cache line apart: the count of waits at or under the first bound, and their sum. */
    private final long[] stripes = new long[STRIPES * STRIDE];
    private long previousMax;
    private long windowStart = System.nanoTime();

    AcquireWaits() {
        DistributionStatisticConfig config = DistributionStatisticConfig.builder()
                .percentilesHistogram(true)
                .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
                .build().merge(DistributionStatisticConfig.DEFAULT);
        this.bounds = config.getHistogramBuckets(true).stream().mapToLong(Double::longValue).toArray();
        this.counts = new AtomicLongArray(bounds.length + 1);
    }

    /**
     * Records one wait into {@code stripe}, which the caller must own alone until this returns (the slot its
     * lease holds in {@link OpenLeases}; whoever held it before gave it back with a release store and the
     * caller took it with a compare-and-set, so the stripe's figures pass from one holder to the next).
     * Outside {@code [0, STRIPES)}, or over the first bound, it is {@link #record(long)}.
     */
    void record(long nanos, int stripe) {
        if (nanos < 0 || nanos > bounds[0] || stripe < 0 || stripe >= STRIPES) {
            record(nanos);
            return;
        }
        int at = stripe * STRIDE;
        // opaque: plain stores, but never torn or dropped, for the scrape that reads them
        STRIPE.setOpaque(stripes, at, (long) STRIPE.getOpaque(stripes, at) + 1);
        STRIPE.setOpaque(stripes, at + 1, (long) STRIPE.getOpaque(stripes, at + 1) + nanos);
        if (nanos > max.get()) {
            max.accumulateAndGet(nanos, Math::max);
        }
    }

    /** Records one wait (any thread, any value). */
    void record(long nanos) {
        long wait = Math.max(0, nanos);
        // an uncontended pool answers well under the first bound: no search then
        int bucket = wait <= bounds[0] ? 0 : bucket(wait);
        counts.getAndIncrement(bucket);
        sumNanos.getAndAdd(wait);
        if (wait > max.get()) {
            max.accumulateAndGet(wait, Math::max);
        }
    }

    private int bucket(long nanos) {
        int at = Arrays.binarySearch(bounds, nanos);
        return at >= 0 ? at : -at - 1;
    }

    long count() {
        long n = stripes(0);
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    long sumNanos() {
        return sumNanos.get() + stripes(1);
    }

    /** The stripes' counts (0) or sums (1). */
    private long stripes(int field) {
        long n = 0;
        for (int i = 0; i < STRIPES; i++) {
            n += (long) STRIPE.getOpaque(stripes, i * STRIDE + field);
        }
        return n;
    }

    /** The longest wait of the current window and the one before (a read turns a window a minute old). */
    synchronized long maxNanos() {
        long now = System.nanoTime();
        if (now - windowStart >= MAX_WINDOW_NANOS) {
            previousMax = max.getAndSet(0);
            windowStart = now;
        }
        return Math.max(previousMax, max.get());
    }

    /**
     * Exports the histogram on every Prometheus registry in {@code registry} (itself or its children): the
     * {@code _max} gauge as a meter of the registry, the histogram as a collector of its Prometheus registry
     * labelled with the gauge's tags (the common tags). Other registries (tests, benchmarks) get nothing.
     */
    void bind(MeterRegistry registry, String name) {
        if (registry instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry child : composite.getRegistries()) {
                bind(child, name);
            }
        } else if (registry instanceof PrometheusMeterRegistry prometheus) {
            Gauge max = Gauge.builder(name + ".seconds.max", this, w -> TimeUtils.nanosToUnit(w.maxNanos(), TimeUnit.SECONDS))
                    .description(HELP).register(prometheus);
            try {
                prometheus.getPrometheusRegistry().register(new Export(prometheus, name, max.getId()));
            } catch (IllegalArgumentException e) {
                LOG.warnf("the acquire-wait histogram is already exported on this registry: %s", e.getMessage());
            }
        }
    }

    /** The histogram's samples, cumulative as Prometheus wants them. */
    private final class Export extends Collector {
        private final String family;
        private final List<String> labelNames = new ArrayList<>();
        private final List<String> labelValues = new ArrayList<>();

        Export(PrometheusMeterRegistry registry, String name, Meter.Id tags) {
            this.family = registry.config().namingConvention().name(name, Meter.Type.TIMER, "seconds");
            for (Tag t : tags.getTagsAsIterable()) {
                labelNames.add(registry.config().namingConvention().tagKey(t.getKey()));
                labelValues.add(registry.config().namingConvention().tagValue(t.getValue()));
            }
        }

        @Override
        public List<MetricFamilySamples> collect() {
            List<String> withLe = new ArrayList<>(labelNames);
            withLe.add("le");
            List<MetricFamilySamples.Sample> samples = new ArrayList<>(bounds.length + 3);
            long cumulative = stripes(0);
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts.get(i);
                samples.add(new MetricFamilySamples.Sample(family + "_bucket", withLe,
                        with(doubleToGoString(TimeUtils.nanosToUnit(bounds[i], TimeUnit.SECONDS))), cumulative));
            }
            cumulative += counts.get(bounds.length);
            samples.add(new MetricFamilySamples.Sample(family + "_bucket", withLe, with("+Inf"), cumulative));
            samples.add(new MetricFamilySamples.Sample(family + "_count", labelNames, labelValues, cumulative));
            samples.add(new MetricFamilySamples.Sample(family + "_sum", labelNames, labelValues,
                    TimeUtils.nanosToUnit(sumNanos(), TimeUnit.SECONDS)));
            return List.of(new MetricFamilySamples(family, Type.HISTOGRAM, HELP, samples));
        }

        private List<String> with(String le) {
            List<String> values = new ArrayList<>(labelValues);
            values.add(le);
            return values;
        }
    }
}
