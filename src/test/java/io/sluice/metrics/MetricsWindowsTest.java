package io.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.sluice.metrics.SluiceMetrics.StatementOutcome;
import io.sluice.sql.StatementKind;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsWindowsTest {
    /** The registry the server publishes through (the simple registry keeps no percentile buckets). */
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SluiceMetrics metrics = new SluiceMetrics(registry);
    private final MetricsWindows windows = new MetricsWindows(registry);

    private void statements(StatementKind kind, StatementOutcome outcome, int n, long micros) {
        for (int i = 0; i < n; i++) {
            metrics.statement(kind, outcome, TimeUnit.MICROSECONDS.toNanos(micros), true);
        }
    }

    @Test
    void shouldCountOnlyWhatHappenedAfterTheWindowsFirstSample() {
        statements(StatementKind.READ, StatementOutcome.OK, 50, 100);
        windows.record();

        statements(StatementKind.READ, StatementOutcome.OK, 99, 100);
        statements(StatementKind.READ, StatementOutcome.ERROR, 1, 100);
        statements(StatementKind.INSERT, StatementOutcome.OK, 10, 100);

        MetricsWindows.Window minute = windows.window(Duration.ofMinutes(1));
        assertThat(minute.statements().keySet()).containsExactly("all", "insert", "read");
        MetricsWindows.Figures reads = minute.statements().get("read");
        assertThat(reads.count()).isEqualTo(100);
        // the statement's own error is the client's: counted apart, never a server-side failure
        assertThat(reads.errors()).isZero();
        assertThat(reads.clientErrors()).isEqualTo(1);
        assertThat(reads.clientErrorRate()).isEqualTo(0.01);
        assertThat(minute.statements().get("all").count()).isEqualTo(110);
        assertThat(minute.statements().get("insert").errorRate()).isZero();
    }

    @Test
    void shouldCountOnlyServerSideFailuresInTheErrorRateAndClientSqlErrorsApart() {
        windows.record();
        statements(StatementKind.WRITE, StatementOutcome.OK, 50, 100);
        statements(StatementKind.WRITE, StatementOutcome.ERROR, 48, 100);
        statements(StatementKind.WRITE, StatementOutcome.CONNECTION_ERROR, 2, 100);
        metrics.request(SluiceMetrics.Endpoint.PIPELINE_V3, SluiceMetrics.RequestOutcome.CIRCUIT_OPEN);
        metrics.request(SluiceMetrics.Endpoint.PIPELINE_V3, SluiceMetrics.RequestOutcome.SHUTTING_DOWN);
        metrics.request(SluiceMetrics.Endpoint.PIPELINE_V3, SluiceMetrics.RequestOutcome.BAD_REQUEST);

        MetricsWindows.Window minute = windows.window(Duration.ofMinutes(1));
        MetricsWindows.Figures writes = minute.statements().get("write");
        assertThat(writes.errors()).isEqualTo(2);
        assertThat(writes.errorRate()).isEqualTo(0.02);
        assertThat(writes.clientErrors()).isEqualTo(48);
        MetricsWindows.Figures all = minute.statements().get("all");
        // the refused request ran no statement: one more unit of work, failed by the server
        assertThat(all.count()).isEqualTo(101);
        assertThat(all.errors()).isEqualTo(3);
        assertThat(all.clientErrors()).isEqualTo(48);
    }

    @Test
    void shouldReadPercentilesFromTheHistogramPerKind() {
        windows.record();
        statements(StatementKind.READ, StatementOutcome.OK, 900, 50);
        statements(StatementKind.READ, StatementOutcome.OK, 100, 20_000);
        statements(StatementKind.WRITE, StatementOutcome.OK, 10, 300_000);

        MetricsWindows.Figures reads = windows.window(Duration.ofMinutes(1)).statements().get("read");
        // Micrometer's buckets are about 10-30 % wide: the figures are within a bucket of the truth
        assertThat(reads.p50Ms()).isBetween(0.03, 0.07);
        assertThat(reads.p95Ms()).isBetween(14.0, 26.0);
        assertThat(reads.p99Ms()).isBetween(14.0, 26.0);
        MetricsWindows.Figures writes = windows.window(Duration.ofMinutes(1)).statements().get("write");
        assertThat(writes.p50Ms()).isBetween(220.0, 380.0);
        assertThat(windows.window(Duration.ofMinutes(15)).statements().get("all").count()).isEqualTo(1010);
    }

    @Test
    void shouldReportNoPercentilesWhenNoLatencyWasRecorded() {
        windows.record();
        metrics.statement(StatementKind.READ, StatementOutcome.OK, 1000, false);

        MetricsWindows.Figures all = windows.window(Duration.ofMinutes(5)).statements().get("all");
        assertThat(all.count()).isEqualTo(1);
        assertThat(all.p50Ms()).isNull();
        assertThat(windows.latencyRecorded()).isFalse();
    }

    @Test
    void shouldInterpolateInsideTheBucketHoldingTheQuantile() {
        long[] cumulative = {0, 10, 10, 20};
        double[] bounds = {1, 2, 3, 4};

        assertThat(MetricsWindows.percentile(cumulative, bounds, 0.25)).isEqualTo(1.5);
        assertThat(MetricsWindows.percentile(cumulative, bounds, 0.75)).isEqualTo(3.5);
        assertThat(MetricsWindows.percentile(new long[] {0, 0}, new double[] {1, 2}, 0.5)).isNull();
    }

    @Test
    void shouldListEverySluiceMeterWithItsCurrentValue() {
        statements(StatementKind.READ, StatementOutcome.OK, 3, 10);

        assertThat(windows.meters()).anySatisfy(m -> {
            assertThat(m.name()).isEqualTo(Meters.STATEMENTS);
            assertThat(m.tags()).containsEntry(Meters.KIND, "read").containsEntry(Meters.OUTCOME, "ok");
            assertThat(m.value()).isEqualTo(3);
        });
    }
}
