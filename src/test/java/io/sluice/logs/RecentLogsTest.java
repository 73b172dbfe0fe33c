package io.sluice.logs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/** {@code GET /admin/v1/logs} over the real root logger, with per-statement logging switched on. */
@QuarkusTest
@TestProfile(RecentLogsTest.DetailedLogging.class)
class RecentLogsTest {
    private static final Logger LOG = Logger.getLogger(RecentLogsTest.class);

    public static class DetailedLogging implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.features.detailed-logging", "true", "sluice.logs.ring-size", "500");
        }
    }

    private static void pipeline(String sql) {
        given().contentType("application/json")
                .body("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}},{\"type\":\"close\"}]}")
                .post("/v2/pipeline").then().statusCode(200);
    }

    private static String logs(String level) {
        Response r = given().get("/admin/v1/logs?level=" + level + "&hours=1&limit=500");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return r.asString();
    }

    @Test
    void shouldNeverShowTheLiteralsOfAFailingStatement() {
        pipeline("INSERT INTO no_such_table_for_logs VALUES ('hunter2-literal-secret', 987654321, X'C0FFEE')");
        pipeline("SELECT * FROM no_such_view_for_logs WHERE pw = 'hunter3-literal-secret'");

        String body = logs("INFO");

        assertThat(body).contains("INSERT INTO no_such_table_for_logs VALUES (?, ?, ?)")
                .contains("SELECT * FROM no_such_view_for_logs WHERE pw = ?")
                .doesNotContain("hunter2-literal-secret", "987654321", "C0FFEE", "hunter3-literal-secret");
    }

    @Test
    void shouldScrubSecretsAndKeepOnlyTheExceptionClass() {
        LOG.errorf(new IllegalStateException("stack secret s3cr3t-in-exception"),
                "upstream refused Authorization: Bearer eyJfake.eyJtoken.sig with password=pa55word-xyz");

        String body = logs("ERROR");

        assertThat(body).contains("upstream refused").contains("java.lang.IllegalStateException")
                .doesNotContain("eyJfake", "pa55word-xyz", "s3cr3t-in-exception");
    }

    @Test
    void shouldFilterByLevel() {
        LOG.info("an info line for the level filter");
        LOG.warn("a warning line for the level filter");

        assertThat(logs("WARN")).contains("a warning line for the level filter").doesNotContain("an info line for the level filter");
        assertThat(logs("info")).contains("an info line for the level filter", "a warning line for the level filter");
    }

    @Test
    void shouldAnswerAnUnknownLevelWithAProblemNamingTheAcceptedLevels() {
        given().get("/admin/v1/logs?level=LOUD").then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.equalTo("unknown log level 'LOUD': use one of TRACE, DEBUG, INFO, WARN, ERROR"));
        given().get("/admin/v1/logs?level=WARN&hours=0").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("hours must be more than 0"));
        given().get("/admin/v1/logs?level=WARN&hours=soon").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("hours must be a number, not 'soon'"));
        given().get("/admin/v1/logs?level=WARN&limit=0").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("limit must be between 1"));
    }
}
