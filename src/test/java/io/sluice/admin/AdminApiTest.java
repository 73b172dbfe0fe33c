package io.sluice.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminApiTest {

    @Test
    void shouldRefuseAnInconsistentPoolSizeWithProblemJson() {
        given().contentType("application/json").body("{\"minConnections\":4,\"maxConnections\":2,\"acquireTimeoutMs\":1000}")
                .put("/admin/v1/connections/size")
                .then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400)).body("detail", containsString("minConnections"));
    }

    @Test
    void shouldResizeThePoolLive() {
        given().contentType("application/json").body("{\"minConnections\":0,\"maxConnections\":7,\"acquireTimeoutMs\":4000}")
                .put("/admin/v1/connections/size")
                .then().statusCode(200).body("maxConnections", equalTo(7));
        // a runtime settings change like config:update: shown by config:show and audited (and stored for every replica)
        given().get("/admin/v1/config/connectionPool").then().statusCode(200)
                .body("maxConnections", equalTo(7)).body("minConnections", equalTo(0)).body("acquireTimeout", equalTo(4000));
        given().get("/admin/v1/flags/audit").then().statusCode(200)
                .body("target",
                        org.hamcrest.Matchers.hasItem("connectionPool.acquireTimeout,connectionPool.maxConnections,connectionPool.minConnections"));
        given().contentType("application/json").body("{\"minConnections\":1,\"maxConnections\":5,\"acquireTimeoutMs\":5000}")
                .put("/admin/v1/connections/size").then().statusCode(200).body("maxConnections", equalTo(5));
    }

    @Test
    void shouldDescribeTheAdminApiInOpenApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/admin/v1/connections")).body(containsString("/admin/v1/breaker/force-open"));
        given().get("/q/openapi.json").then().statusCode(200).contentType(containsString("application/json"))
                .body(containsString("\"/admin/v1/connections\""));
        for (String path : List.of("/q/openapi", "/q/openapi.yaml", "/q/openapi.yml")) {
            given().get(path).then().statusCode(200).contentType(containsString("application/yaml")).body(containsString("/admin/v1/connections:"));
        }
        given().get("/q/openapi.txt").then().statusCode(404);
    }

    @Test
    void shouldRequireAReasonToForceTheBreakerOpenAndAuditForceOpenAndReset() {
        for (String body : new String[] {"{}", "{\"reason\":\"   \"}", "{\"reason\":\"" + "x".repeat(201) + "\"}"}) {
            given().contentType("application/json").body(body).post("/admin/v1/breaker/force-open")
                    .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("reason"));
        }
        given().post("/admin/v1/breaker/force-open").then().statusCode(400).contentType("application/problem+json");
        given().get("/admin/v1/breaker").then().body("state", equalTo("CLOSED"));

        given().header("X-Sluice-Operator", "dana").contentType("application/json").body("{\"reason\":\"vacuum full\"}")
                .post("/admin/v1/breaker/force-open").then().statusCode(200).body("state", equalTo("FORCED_OPEN"));
        given().header("X-Sluice-Operator", "dana").post("/admin/v1/breaker/reset").then().statusCode(200).body("state", equalTo("CLOSED"));

        var audit = given().get("/admin/v1/flags/audit").then().statusCode(200).extract().jsonPath();
        List<Map<String, String>> breaker = audit.getList("findAll { it.target == 'circuit-breaker' }");
        assertThat(breaker).hasSizeGreaterThanOrEqualTo(2);
        Map<String, String> open = breaker.get(breaker.size() - 2);
        Map<String, String> reset = breaker.get(breaker.size() - 1);
        assertThat(open).containsEntry("action", "force-open").containsEntry("why", "vacuum full").containsEntry("before", "CLOSED")
                .containsEntry("after", "FORCED_OPEN").containsEntry("who", "unauthenticated (operator: dana)");
        assertThat(open.get("at")).isNotBlank();
        assertThat(reset).containsEntry("action", "reset").containsEntry("before", "FORCED_OPEN").containsEntry("after", "CLOSED");
    }
}
