package io.sluice.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.sluice.reliability.ProxiedPostgres;
import io.sluice.testing.FaultProxy;
import io.sluice.testing.Postgres;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The probes and the health score tell the truth when PostgreSQL is cut off behind a TCP fault proxy:
 * liveness stays up (an outage must never restart pods), readiness goes down saying since when, the
 * score drops below the pass mark of 85 with the database as a critical failure, and everything comes
 * back once the proxy passes traffic again.
 */
@QuarkusTest
@TestProfile(HealthUnderOutageTest.Outage.class)
@ExtendWith(Postgres.class)
class HealthUnderOutageTest {

    public static class Outage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.auth.mode", "none",
                    "sluice.breaker.failure-threshold", "3",
                    "sluice.breaker.recovery-timeout", "500ms",
                    "sluice.pool.acquire-timeout", "1s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ProxiedPostgres.class));
        }
    }

    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @AfterEach
    void restore() {
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
    }

    /** One stream-less statement; its answer does not matter, it feeds the pool, breaker and score. */
    private static void traffic() {
        given().contentType("application/json")
                .body("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}")
                .post("/v2/pipeline");
    }

    private static JsonPath score() {
        Response r = given().get("/admin/v1/health");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return r.jsonPath();
    }

    private int status(String probe) {
        return given().get(health + "/" + probe).statusCode();
    }

    @Test
    void shouldKeepLivenessUpTakeReadinessDownAndDropTheScoreWhileTheDatabaseIsCut() {
        traffic();
        assertThat(status("ready")).isEqualTo(200);
        assertThat(score().getInt("report.score")).isGreaterThanOrEqualTo(85);

        Instant cut = Instant.now();
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.DROP);
        ProxiedPostgres.proxy().cutConnections();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            traffic();
            return status("ready") == 503;
        });

        Response ready = given().get(health + "/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        JsonPath readiness = ready.jsonPath();
        assertThat(readiness.getString("checks.find { it.name == 'database' }.status")).isEqualTo("DOWN");
        String failingSince = readiness.getString("checks.find { it.name == 'database' }.data.failingSince");
        assertThat(failingSince).as("readiness says since when the database fails").isNotNull();
        assertThat(Instant.parse(failingSince)).isAfterOrEqualTo(cut.minusSeconds(1)).isBeforeOrEqualTo(Instant.now());
        given().get(health + "/live").then().statusCode(200);

        JsonPath down = score();
        assertThat(down.getInt("report.score")).as("score under the cut").isLessThan(85);
        assertThat(down.getBoolean("report.healthy")).isFalse();
        assertThat(down.getList("report.criticalFailures", String.class)).contains("database unreachable");

        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            traffic();
            return status("ready") == 200;
        });
        given().get(health + "/live").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            traffic();
            return score().getInt("report.score") >= 85;
        });
        assertThat(score().getList("report.criticalFailures", String.class)).isEmpty();
    }
}
