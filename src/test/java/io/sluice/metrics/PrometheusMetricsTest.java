package io.sluice.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PrometheusMetricsTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    private static void pipeline(String sql) {
        given().contentType("application/json")
                .body("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}},{\"type\":\"close\"}]}")
                .post("/v2/pipeline").then().statusCode(200);
    }

    /** The value of a series, whatever labels follow the ones given (every meter also carries track and version). */
    private double value(String scrape, String series) {
        int brace = series.indexOf('{');
        String name = brace < 0 ? series : series.substring(0, brace);
        String labels = brace < 0 ? "" : series.substring(brace + 1, series.length() - 1);
        String pattern = "^" + Pattern.quote(name) + "\\{" + (labels.isEmpty() ? "" : Pattern.quote(labels) + ",?") + "[^}]*\\} ([0-9.eE+-]+)$";
        Matcher m = Pattern.compile(pattern, Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void shouldLabelEveryMeterWithVersionAndTrack() {
        pipeline("SELECT 1");
        String scrape = given().get(metrics).asString();
        assertThat(scrape).containsPattern("sluice_statements_total\\{kind=\"read\",outcome=\"ok\",track=\"stable\",version=\"[^\"]+\"\\}");
    }

    @Test
    void shouldCountStatementsByKindAndOutcomeAndRequestsByEndpoint() {
        String before = given().get(metrics).asString();
        pipeline("SELECT 1");
        pipeline("SELECT * FROM no_such_table_for_metrics");
        String after = given().get(metrics).asString();

        String okReads = "sluice_statements_total{kind=\"read\",outcome=\"ok\"}";
        String failedReads = "sluice_statements_total{kind=\"read\",outcome=\"error\"}";
        String okRequests = "sluice_hrana_requests_total{endpoint=\"pipeline_v2\",outcome=\"ok\"}";
        assertThat(value(after, okReads)).isEqualTo(Math.max(0, value(before, okReads)) + 1);
        assertThat(value(after, failedReads)).isEqualTo(Math.max(0, value(before, failedReads)) + 1);
        assertThat(value(after, okRequests)).isEqualTo(Math.max(0, value(before, okRequests)) + 2);
        assertThat(after).contains("sluice_statement_duration_seconds_bucket{kind=\"read\",outcome=\"ok\"");
    }

    /** The JVM's and the process's meters (Quarkus' binders), labelled as Sluice's own are. */
    @Test
    void shouldExposeTheJvmAndProcessMeters() {
        String scrape = given().get(metrics).asString();
        for (String s : new String[] {"jvm_memory_used_bytes{area=\"heap\"", "jvm_gc_overhead", "jvm_threads_live_threads{",
                "jvm_classes_loaded_classes{", "jvm_info", "process_cpu_usage{", "process_uptime_seconds{", "system_cpu_count{",
                "process_files_open_files{"}) {
            assertThat(scrape).as(s).containsPattern("(?m)^" + Pattern.quote(s) + ".*track=\"stable\"");
        }
    }

    @Test
    void shouldExposePoolStreamsAndConnectivityGauges() {
        pipeline("SELECT 1");
        // another test class's stream (this application is shared) may still be giving its lease back: once
        // nothing runs, every lease is back and the gauge says so
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(value(given().get(metrics).asString(), "sluice_pool_connections{state=\"active\"}")).isZero());
        String scrape = given().get(metrics).asString();

        assertThat(value(scrape, "sluice_pool_max")).isEqualTo(5);
        assertThat(value(scrape, "sluice_streams_open")).isGreaterThanOrEqualTo(0);
        assertThat(value(scrape, "sluice_backend_connectivity{state=\"connected\"}")).isEqualTo(1);
        assertThat(value(scrape, "sluice_backend_connectivity{state=\"disconnected\"}")).isZero();
    }
    @Test
    void shouldExposeEveryMeterNamedInMeters() throws Exception {
        pipeline("SELECT 1");
        String scrape = given().get(metrics).asString();

        java.util.List<String> missing = new java.util.ArrayList<>();
        int names = 0;
        for (java.lang.reflect.Field f : Meters.class.getFields()) {
            if (f.getType() != String.class || !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            String name = (String) f.get(null);
            if (!name.startsWith("sluice.")) {
                continue; // a tag key
            }
            names++;
            if (!scrape.contains("# TYPE " + name.replace('.', '_'))) {
                missing.add(f.getName() + " (" + name + ")");
            }
        }
        assertThat(names).as("meter names found in Meters").isGreaterThan(10);
        assertThat(missing).as("meters of Meters absent from /q/metrics").isEmpty();
    }
}
