package io.sluice.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.sluice.metrics.Meters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AcquireWaitsTest {
    /** Below the first bucket, on bounds, between bounds, past the last one. */
    private static final long[] WAITS = {0, 400_000, 1_000_000, 1_000_001, 3_500_000, 250_000_000, 2_000_000_000L, 29_000_000_000L,
            45_000_000_000L};

    private static PrometheusMeterRegistry prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(MeterFilter.commonTags(Tags.of(Meters.VERSION, "1.2.3", Meters.TRACK, "stable")));
        return registry;
    }

    /** The acquire-wait lines of a scrape, sorted (families may come in another order). */
    private static List<String> acquireWaitLines(PrometheusMeterRegistry registry) {
        return registry.scrape().lines().filter(l -> l.contains("sluice_pool_acquire_wait_seconds")).sorted().toList();
    }

    @Test
    void exportsExactlyTheSeriesOfTheMicrometerTimerItReplaces() {
        PrometheusMeterRegistry timerRegistry = prometheus();
        // the meter the pool used to record into
        Timer timer = Timer.builder(Meters.POOL_ACQUIRE_WAIT).description("Time a pooled lease waited for a connection")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(timerRegistry);
        PrometheusMeterRegistry registry = prometheus();
        AcquireWaits waits = new AcquireWaits();
        waits.bind(registry, Meters.POOL_ACQUIRE_WAIT);
        for (int i = 0; i < WAITS.length; i++) {
            timer.record(WAITS[i], TimeUnit.NANOSECONDS);
            if (i % 2 == 0) {
                waits.record(WAITS[i], i); // as a lease holding slot i records
            } else {
                waits.record(WAITS[i]);
            }
        }

        List<String> expected = acquireWaitLines(timerRegistry);
        assertThat(expected).anyMatch(l -> l.startsWith("sluice_pool_acquire_wait_seconds_bucket{") && l.contains("le=\"0.001\""))
                .anyMatch(l -> l.startsWith("sluice_pool_acquire_wait_seconds_max{"));
        assertThat(acquireWaitLines(registry)).containsExactlyElementsOf(expected);
    }

    @Test
    void isExportedThroughACompositeRegistrysPrometheusChild() {
        PrometheusMeterRegistry child = prometheus();
        MeterRegistry composite = new CompositeMeterRegistry().add(child);
        AcquireWaits waits = new AcquireWaits();
        waits.bind(composite, Meters.POOL_ACQUIRE_WAIT);
        waits.record(2_000_000);
        waits.record(5_000_000);

        assertThat(acquireWaitLines(child))
                .contains("sluice_pool_acquire_wait_seconds_count{track=\"stable\",version=\"1.2.3\",} 2.0")
                .contains("sluice_pool_acquire_wait_seconds_sum{track=\"stable\",version=\"1.2.3\",} 0.007")
                .contains("sluice_pool_acquire_wait_seconds_max{track=\"stable\",version=\"1.2.3\",} 0.005");
    }

    @Test
    void countsWaitsRecordedInStripesWithTheOthers() {
        AcquireWaits waits = new AcquireWaits();
        waits.record(500, 3);
        waits.record(600, 3);
        waits.record(2_000_000, 3); // over the first bound: the shared counters
        waits.record(700, -1);
        waits.record(800, AcquireWaits.STRIPES);
        waits.record(900, AcquireWaits.STRIPES - 1);
        assertThat(waits.count()).isEqualTo(6);
        assertThat(waits.sumNanos()).isEqualTo(500 + 600 + 2_000_000 + 700 + 800 + 900);
        assertThat(waits.maxNanos()).isEqualTo(2_000_000);
    }

    @Test
    void countsANegativeWaitAsZero() {
        AcquireWaits waits = new AcquireWaits();
        waits.record(-5);
        waits.record(-5, 1);
        waits.record(3);
        assertThat(waits.count()).isEqualTo(3);
        assertThat(waits.sumNanos()).isEqualTo(3);
        assertThat(waits.maxNanos()).isEqualTo(3);
    }
}
