package io.sluice.cli;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.Cli;
import java.net.URL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code monitor:metrics} and {@code debug:performance} against a running test server. */
@QuarkusTest
class MetricsCommandsTest {

    @TestHTTPResource("/")
    URL server;

    private Cli.Run run(String... args) {
        return Cli.run(server, args);
    }

    @BeforeEach
    void traffic() {
        for (String sql : new String[] {"SELECT 1", "SELECT 2", "SELECT * FROM no_such_table_for_windows"}) {
            given().contentType("application/json")
                    .body("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}},{\"type\":\"close\"}]}")
                    .post("/v2/pipeline").then().statusCode(200);
        }
    }

    @Test
    void shouldReportRollingWindowsByStatementKindAsJson() throws Exception {
        Cli.Run r = run("monitor:metrics", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = AdminClient.json().readTree(r.out());
        assertThat(json.get("latencyRecorded").asBoolean()).isTrue();
        for (String window : new String[] {"1m", "5m", "15m"}) {
            JsonNode reads = json.at("/windows/" + window + "/statements/read");
            assertThat(reads.get("count").asLong()).as(window).isGreaterThanOrEqualTo(3);
            // the missing table is the client's own error: counted apart from the server's failures
            assertThat(reads.get("clientErrors").asLong()).as(window).isGreaterThanOrEqualTo(1);
            assertThat(reads.get("clientErrorRate").asDouble()).as(window).isPositive();
            assertThat(reads.get("p95Ms").asDouble()).as(window).isPositive();
        }
        assertThat(json.at("/windows/1m/statements").fieldNames().next()).isEqualTo("all");
        assertThat(json.get("meters").findValuesAsText("name")).contains("sluice.statements", "sluice.pool.max");
    }

    @Test
    void shouldPrintTheWindowsAsATableAndOnlyThemWithPerformance() {
        Cli.Run all = run("monitor:metrics");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.out()).contains("WINDOW").contains("P95MS").contains("15m").contains("read").contains("sluice.pool.max");

        Cli.Run performance = run("monitor:metrics", "performance");
        assertThat(performance.exit()).isZero();
        assertThat(performance.out()).contains("P99MS").doesNotContain("sluice.pool.max");
    }

    @Test
    void shouldRefuseAnUnknownMetricsView() {
        Cli.Run r = run("monitor:metrics", "latency");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("unknown view 'latency'");
    }

    @Test
    void shouldDiagnosePerformanceWithTheFiguresBehindEachFinding() throws Exception {
        // the shared test server has run many reads: a threshold this low makes the one client error a finding
        assertThat(run("config:update", "monitoring", "errorRateThreshold", "0.000001").exit()).isZero();
        Cli.Run r;
        try {
            r = run("debug:performance", "--json");
        } finally {
            run("config:update", "monitoring", "errorRateThreshold", "0.01");
        }

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = AdminClient.json().readTree(r.out());
        assertThat(json.get("window").asText()).isEqualTo("5m");
        assertThat(json.get("slowest").findValuesAsText("kind")).contains("read");
        assertThat(json.at("/pool/maxConnections").asLong()).isPositive();
        assertThat(json.at("/jvm/threads").asInt()).isPositive();
        assertThat(json.get("findings").toString()).contains("read statements").contains("client's own SQL errors");

        Cli.Run table = run("debug:performance");
        assertThat(table.out()).contains("slowest").contains("KIND").contains("findings");
    }
}
