package io.sluice.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthProbesTest {

    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @TestHTTPResource("/q/health")
    URL healthOnDataPort;

    @Test
    void shouldReportLiveOnTheManagementPort() {
        given().get(health + "/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'process' }.status", equalTo("UP"));
    }

    @Test
    void shouldReportReadyWithTheDatabaseCheckedThroughTheBackend() {
        given().get(health + "/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.data.backend", equalTo("sqlite"))
                .body("checks.find { it.name == 'database' }.data.connectivity", equalTo("CONNECTED"));
    }

    @Test
    void shouldReportTheFlagStoresFreshnessInReadiness() {
        given().get(health + "/ready").then().statusCode(200)
                .body("checks.find { it.name == 'flag-store' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'flag-store' }.data.store", equalTo("none"))
                .body("checks.find { it.name == 'flag-store' }.data.stale", equalTo(false))
                .body("checks.find { it.name == 'flag-store' }.data.killswitch", equalTo(false));
    }

    @Test
    void shouldReportStartedOnceTheBackendIsPrepared() {
        given().get(health + "/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldNotServeProbesOnTheDataPort() {
        given().get(healthOnDataPort + "/ready").then().statusCode(404);
    }
}
