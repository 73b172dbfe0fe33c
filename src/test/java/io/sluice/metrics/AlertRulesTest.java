package io.sluice.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Monitoring tells the truth: every Sluice metric the shipped alert rules (the plain rule file and the
 * chart's PrometheusRule) and the Grafana dashboard query is one this server really exports on
 * {@code /q/metrics}, scraped after some ordinary traffic.
 */
@QuarkusTest
class AlertRulesTest {
    private static final Pattern METRIC = Pattern.compile("\\bsluice_[a-z0-9_]+");

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    private static void pipeline(String sql) {
        given().contentType("application/json")
                .body("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}},{\"type\":\"close\"}]}")
                .post("/v2/pipeline").then().statusCode(200);
    }

    private static Set<String> namesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** Series names on the scrape: every sample line's name (histograms contribute their _bucket, _count, _sum). */
    private static Set<String> exported(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                names.add(line.substring(0, end));
            }
        }
        return names;
    }

    @Test
    void shouldAlertAndChartOnlyOnMetricsTheServerExports() throws Exception {
        pipeline("SELECT 1");
        pipeline("SELECT * FROM no_such_table_for_alert_rules");
        Set<String> exported = exported(given().get(metrics).asString());

        Set<String> alerts = namesIn(Files.readString(Path.of("deploy", "prometheus", "sluice-alerts.yaml")));
        Set<String> chartRules = namesIn(Files.readString(Path.of("helm", "sluice", "templates", "prometheusrule.yaml")));
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy", "grafana", "sluice-dashboard.json").toFile());
        Set<String> panels = new TreeSet<>();
        dashboard.findValues("expr").forEach(e -> panels.addAll(namesIn(e.asText())));

        assertThat(alerts).as("metrics in the alert rules").contains("sluice_work_total", "sluice_flags_store_stale", "sluice_flags_killswitch");
        assertThat(chartRules).as("the chart's PrometheusRule alerts on the same metrics as the rule file").isEqualTo(alerts);
        assertThat(alerts).as("alert rule metrics missing from /q/metrics").isSubsetOf(exported);
        assertThat(panels).as("dashboard metrics missing from /q/metrics").isSubsetOf(exported);
    }
}
