package io.sluice.metrics;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.sluice.metrics.SluiceMetrics.Endpoint;
import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.sluice.metrics.SluiceMetrics.StatementOutcome;
import io.sluice.sql.StatementKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the meters cost a Hrana request of one statement: its statement (counter, unit of work, latency histogram)
 * and its request counter, recorded through the composite registry the server injects, over Prometheus' as in
 * the server. Run it with {@code -t 2} too: the server's two event-loop threads record into the same meters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsBenchmark {
    private SluiceMetrics metrics;

    @Setup
    public void setUp() {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        metrics = new SluiceMetrics(composite);
    }

    /** One successful statement with its latency, and its request. */
    @Benchmark
    public void oneStatementRequest() {
        metrics.statement(StatementKind.READ, StatementOutcome.OK, 25_000, true);
        metrics.request(Endpoint.PIPELINE_V2, RequestOutcome.OK);
    }

    /** The same without the latency histogram (detailed monitoring off). */
    @Benchmark
    public void oneStatementRequestCountsOnly() {
        metrics.statement(StatementKind.READ, StatementOutcome.OK, 25_000, false);
        metrics.request(Endpoint.PIPELINE_V2, RequestOutcome.OK);
    }
}
