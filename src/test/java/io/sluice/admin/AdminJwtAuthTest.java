package io.sluice.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.testing.JwtProfile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The admin API with credentials required (an admin token and JWT keys configured, as in prod): the admin
 * token or a JWT with the admin role gets in; a valid data token without the role gets 403; an expired or
 * foreign-signed JWT 401, each as problem+json.
 */
@QuarkusTest
@TestProfile(JwtProfile.class)
class AdminJwtAuthTest {
    private static final String ADMIN_TOKEN = JwtProfile.ADMIN_TOKEN;

    static TokenMinter.KeyMaterial keys() {
        return JwtProfile.keys();
    }

    private static TokenMinter minter(Clock clock) {
        return TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), clock);
    }

    private static Response get(String bearer) {
        var spec = given();
        if (bearer != null) {
            spec.header("Authorization", "Bearer " + bearer);
        }
        return spec.get("/admin/v1/connections");
    }

    private static void assertProblem(Response r, int status, String detail) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("detail")).contains(detail);
    }

    @Test
    void shouldAcceptTheAdminTokenAndAJwtWithTheAdminRole() {
        String adminJwt = minter(Clock.systemUTC()).mint(Access.READ_WRITE, "ops", Duration.ofMinutes(5), true);

        assertThat(get(ADMIN_TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(adminJwt).statusCode()).isEqualTo(200);
        assertThat(given().header("Authorization", "Bearer " + adminJwt).get("/admin/v1/logs?level=WARN").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldForbidAValidDataTokenWithoutTheAdminRole() {
        String dataToken = minter(Clock.systemUTC()).mint(Access.READ_WRITE, "app", Duration.ofMinutes(5));

        assertProblem(get(dataToken), 403, "lacks the admin role");
    }

    @Test
    void shouldRefuseAnExpiredOrForeignOrMissingCredentialWith401() {
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = minter(anHourAgo).mint(Access.READ_WRITE, "ops", Duration.ofMinutes(5), true);
        String foreign = TokenMinter.fromPrivateKeyPem(TokenMinter.generateKeyPair().privateKeyPem(), Clock.systemUTC())
                .mint(Access.READ_WRITE, "ops", Duration.ofMinutes(5), true);

        assertProblem(get(expired), 401, "token expired");
        assertProblem(get(foreign), 401, "invalid signature");
        assertProblem(get("not-the-admin-token"), 401, "admin bearer token");
        assertProblem(get(null), 401, "admin bearer token");
    }

    @Test
    void shouldKeepTheDataApiOnItsOwnRules() {
        String adminJwt = minter(Clock.systemUTC()).mint(Access.READ_ONLY, "ops", Duration.ofMinutes(5), true);

        Response r = given().header("Authorization", "Bearer " + adminJwt).contentType("application/json")
                .body("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}")
                .post("/v2/pipeline");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType("application/json")
                .body("{\"requests\":[{\"type\":\"close\"}]}").post("/v2/pipeline").statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAuditTheAuthenticatedPrincipalWithTheOperatorHeaderOnlyAsANote() {
        String aliceJwt = minter(Clock.systemUTC()).mint(Access.READ_WRITE, "alice", Duration.ofMinutes(5), true);

        given().header("Authorization", "Bearer " + aliceJwt).header("X-Sluice-Operator", "mallory").contentType("application/json")
                .body("{\"reason\":\"audit principal\"}").post("/admin/v1/flags/ENABLE_DETAILED_LOGGING/enable").then().statusCode(200);
        given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType("application/json")
                .body("{\"reason\":\"audit principal\"}").post("/admin/v1/flags/ENABLE_DETAILED_LOGGING/disable").then().statusCode(200);

        var audit = given().header("Authorization", "Bearer " + ADMIN_TOKEN).get("/admin/v1/flags/audit").jsonPath();
        java.util.List<String> who = audit.getList("who");
        assertThat(who.subList(who.size() - 2, who.size())).containsExactly("jwt:alice (operator: mallory)", "admin-token");
    }
}
