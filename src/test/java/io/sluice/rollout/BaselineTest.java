package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The baseline comparison on monitor:metrics JSON documents, without a server. */
class BaselineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Baseline.Tolerances DEFAULT = new Baseline.Tolerances(0.5, 0.01);

    static JsonNode metrics(String window, long count, long errors, Double p50, Double p95, Double p99) throws Exception {
        String all = String.format(java.util.Locale.ROOT, "{\"count\":%d,\"errors\":%d,\"errorRate\":%s,\"p50Ms\":%s,\"p95Ms\":%s,\"p99Ms\":%s}",
                count, errors, count == 0 ? "0.0" : Double.toString((double) errors / count), p50, p95, p99);
        return JSON.readTree("{\"at\":\"2026-11-28T05:00:00Z\",\"windows\":{\"" + window + "\":{\"statements\":{\"all\":" + all
                + ",\"select\":" + all + "}}}}");
    }

    @Test
    void shouldPassWithinTheTolerances() throws Exception {
        Baseline.Comparison c = Baseline.compare(metrics("1m", 1000, 2, 0.4, 2.0, 5.0), metrics("1m", 900, 9, 0.5, 2.9, 7.4), "1m", DEFAULT);

        assertThat(c.passed()).as(c.failures().toString()).isTrue();
        assertThat(c.figures()).extracting(Baseline.Figure::verdict).containsOnly("ok");
    }

    @Test
    void shouldFailOnALatencyRegressionBeyondTheToleranceNamingTheFigures() throws Exception {
        Baseline.Comparison c = Baseline.compare(metrics("1m", 1000, 0, 0.4, 2.0, 5.0), metrics("1m", 1000, 0, 0.4, 3.5, 5.0), "1m", DEFAULT);

        assertThat(c.passed()).isFalse();
        assertThat(c.failures()).singleElement().asString().startsWith("p95Ms regressed 75 %").contains("3.500 ms").contains("2.000 ms")
                .contains("+50 %");
    }

    @Test
    void shouldFailOnAnErrorRateRiseOfMoreThanTheAllowedPoints() throws Exception {
        Baseline.Comparison c = Baseline.compare(metrics("5m", 1000, 1, 0.4, 2.0, 5.0), metrics("5m", 1000, 25, 0.4, 2.0, 5.0), "5m",
                new Baseline.Tolerances(0.5, Baseline.parsePoints("--max-error-rate-increase", "2pp")));

        assertThat(c.failures()).singleElement().asString().startsWith("errorRate rose 2.40 pp").contains("allowed +2.00 pp");
    }

    @Test
    void shouldSkipPercentilesMissingOnEitherSideWithANote() throws Exception {
        Baseline.Comparison c = Baseline.compare(metrics("1m", 10, 0, null, null, null), metrics("1m", 10, 0, 9.0, 90.0, 99.0), "1m", DEFAULT);

        assertThat(c.passed()).isTrue();
        assertThat(c.notes()).hasSize(3).allMatch(n -> n.contains("skipped, no figure in the baseline"));
    }

    @Test
    void shouldRefuseADocumentWithoutTheWindow() throws Exception {
        assertThatThrownBy(() -> Baseline.compare(metrics("1m", 1, 0, 1.0, 1.0, 1.0), metrics("5m", 1, 0, 1.0, 1.0, 1.0), "5m", DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseline has no windows.5m.statements.all");
    }

    @Test
    void shouldParseTolerancesAndRefuseNonsense() {
        assertThat(Baseline.parsePercent("--max-latency-regression", "50%")).isEqualTo(0.5);
        assertThat(Baseline.parsePercent("--max-latency-regression", "20")).isEqualTo(0.2);
        assertThat(Baseline.parsePoints("--max-error-rate-increase", "1pp")).isEqualTo(0.01);
        assertThatThrownBy(() -> Baseline.parsePercent("--max-latency-regression", "-5%")).hasMessageContaining("--max-latency-regression")
                .hasMessageContaining("-5%");
        assertThatThrownBy(() -> Baseline.parsePoints("--max-error-rate-increase", "lots")).hasMessageContaining("'lots'");
    }
}
