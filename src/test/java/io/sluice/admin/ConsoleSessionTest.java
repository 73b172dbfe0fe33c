package io.sluice.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.testing.JwtProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator console's door with credentials required (the profile of {@link AdminJwtAuthTest}): its pages
 * only with a session; a session only for a credential the admin API admits, posted from the console's own
 * origin; the admin API admits the session's cookie only with its CSRF token and from the same origin, and
 * audits under the authenticated principal.
 */
@QuarkusTest
@TestProfile(JwtProfile.class)
class ConsoleSessionTest {
    private static final String ADMIN_TOKEN = JwtProfile.ADMIN_TOKEN;

    @TestHTTPResource("/")
    URL server;

    @Inject
    CircuitBreaker breaker;

    @Inject
    AuthFailureLimiter limiter;

    @AfterEach
    void closeBreaker() {
        breaker.reset();
    }

    private String origin() {
        return "http://" + server.getHost() + ":" + server.getPort();
    }

    private Response login(String token, String origin) {
        RequestSpecification spec = given().contentType("application/json").body("{\"token\":\"" + token + "\",\"operator\":\"bob\"}");
        if (origin != null) {
            spec.header("Origin", origin);
        }
        return spec.post("/admin/console/session");
    }

    private record Session(String cookie, String csrf) {
    }

    private Session session(String token) {
        Response r = login(token, origin());
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return new Session(r.getCookie(ConsoleSessions.COOKIE), r.jsonPath().getString("csrf"));
    }

    @Test
    void shouldShowNothingButTheLogInPageWithoutASession() {
        Response index = given().redirects().follow(false).get("/admin/console/");
        Response script = given().get("/admin/console/console.js");
        Response loginPage = given().get("/admin/console/login.html");

        assertThat(index.statusCode()).isEqualTo(302);
        assertThat(index.header("Location")).isEqualTo("/admin/console/login.html");
        assertThat(index.asString()).isEmpty();
        assertThat(script.statusCode()).isEqualTo(401);
        assertThat(script.asString()).isEmpty();
        assertThat(loginPage.statusCode()).isEqualTo(200);
        assertThat(loginPage.asString()).contains("<form id=\"login\"").doesNotContain("page-flags");
        assertThat(loginPage.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(given().redirects().follow(false).cookie(ConsoleSessions.COOKIE, "made-up").get("/admin/console/").statusCode())
                .isEqualTo(302);
        // the guard covers the console's own path and whatever a path under it normalises to, and nothing beside it
        Response bare = given().redirects().follow(false).get("/admin/console");
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.header("Location")).isEqualTo("/admin/console/");
        assertThat(given().urlEncodingEnabled(false).get("/admin/other/../console/console.js").statusCode()).isEqualTo(401);
        assertThat(given().urlEncodingEnabled(false).get("/admin/console//console.js").statusCode()).isEqualTo(401);
        assertThat(given().get("/admin/consolex/console.js").header("X-Frame-Options")).isNull();
    }

    @Test
    void shouldOpenASessionOnlyForAnAdminCredentialPostedFromTheConsolesOwnOrigin() {
        Response wrong = login("not-the-token", origin());
        Response foreign = login(ADMIN_TOKEN, "https://evil.example");
        Response noOrigin = login(ADMIN_TOKEN, null);
        String dataJwt = TokenMinter.fromPrivateKeyPem(AdminJwtAuthTest.keys().privateKeyPem(), Clock.systemUTC())
                .mint(Access.READ_WRITE, "app", Duration.ofMinutes(5));
        Response notAdmin = login(dataJwt, origin());

        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(noOrigin.statusCode()).isEqualTo(403);
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        assertThat(notAdmin.jsonPath().getString("detail")).contains("lacks the admin role");
        for (Response r : new Response[] {wrong, foreign, noOrigin, notAdmin}) {
            assertThat(r.getCookie(ConsoleSessions.COOKIE)).isNull();
        }
    }

    @Test
    void shouldSetAnHttpOnlySameSiteStrictCookieThatCarriesNoCredential() {
        Response r = login(ADMIN_TOKEN, origin());

        String setCookie = r.header("Set-Cookie");
        // attribute names are case-insensitive (Vert.x writes "HTTPOnly")
        assertThat(setCookie).contains(ConsoleSessions.COOKIE + "=").containsIgnoringCase("; HttpOnly").contains("SameSite=Strict")
                .contains("Path=/admin").doesNotContain(ADMIN_TOKEN).doesNotContainIgnoringCase("Secure");
        assertThat(r.asString()).doesNotContain(ADMIN_TOKEN);
        assertThat(r.jsonPath().getString("principal")).isEqualTo("admin-token");
        assertThat(given().cookie(ConsoleSessions.COOKIE, r.getCookie(ConsoleSessions.COOKIE)).get("/admin/console/").statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldLogInWithAnAdminRoleJwtAsItsSubject() {
        String adminJwt = TokenMinter.fromPrivateKeyPem(AdminJwtAuthTest.keys().privateKeyPem(), Clock.systemUTC())
                .mint(Access.READ_WRITE, "ops", Duration.ofMinutes(5), true);

        Response r = login(adminJwt, origin());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.jsonPath().getString("principal")).isEqualTo("jwt:ops");
    }

    @Test
    void shouldAdmitTheCookieOnlyWithItsCsrfTokenAndFromTheSameOrigin() {
        Session s = session(ADMIN_TOKEN);

        int cookieOnly = given().cookie(ConsoleSessions.COOKIE, s.cookie()).get("/admin/v1/flags").statusCode();
        int withCsrf = given().cookie(ConsoleSessions.COOKIE, s.cookie()).header(ConsoleSessions.CSRF_HEADER, s.csrf())
                .get("/admin/v1/flags").statusCode();
        int crossSite = given().cookie(ConsoleSessions.COOKIE, s.cookie()).header(ConsoleSessions.CSRF_HEADER, s.csrf())
                .header("Origin", "https://evil.example").contentType("application/json").body("{\"reason\":\"x\"}")
                .post("/admin/v1/breaker/force-open").statusCode();
        int wrongCsrf = given().cookie(ConsoleSessions.COOKIE, s.cookie()).header(ConsoleSessions.CSRF_HEADER, "guess")
                .contentType("application/json").body("{\"reason\":\"x\"}").post("/admin/v1/breaker/force-open").statusCode();

        assertThat(cookieOnly).isEqualTo(401);
        assertThat(withCsrf).isEqualTo(200);
        assertThat(crossSite).isEqualTo(401);
        assertThat(wrongCsrf).isEqualTo(401);
        assertThat(breaker.status().state().name()).isEqualTo("CLOSED");
    }

    @Test
    void shouldAuditAConsoleChangeUnderTheAuthenticatedPrincipalAndTheOperatorsName() {
        Session s = session(ADMIN_TOKEN);

        Response r = given().cookie(ConsoleSessions.COOKIE, s.cookie()).header(ConsoleSessions.CSRF_HEADER, s.csrf())
                .header("Origin", origin()).header("X-Sluice-Operator", "bob").contentType("application/json")
                .body("{\"percentage\":100,\"reason\":\"from the console\"}").put("/admin/v1/flags/ENABLE_STATE_MACHINE/rollout");

        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(given().header("Authorization", "Bearer " + ADMIN_TOKEN).get("/admin/v1/flags/audit").jsonPath()
                .getList("findAll { it.why == 'from the console' }.who", String.class)).contains("admin-token (operator: bob)");
    }

    @Test
    void shouldEndTheSessionAtLogOut() {
        Session s = session(ADMIN_TOKEN);

        int withoutCsrf = given().cookie(ConsoleSessions.COOKIE, s.cookie()).header("Origin", origin()).delete("/admin/console/session")
                .statusCode();
        int logout = given().cookie(ConsoleSessions.COOKIE, s.cookie()).header(ConsoleSessions.CSRF_HEADER, s.csrf())
                .header("Origin", origin()).delete("/admin/console/session").statusCode();
        int after = given().cookie(ConsoleSessions.COOKIE, s.cookie()).header(ConsoleSessions.CSRF_HEADER, s.csrf())
                .get("/admin/v1/flags").statusCode();

        assertThat(withoutCsrf).isEqualTo(401);
        assertThat(logout).isEqualTo(204);
        assertThat(after).isEqualTo(401);
    }

    @Test
    void shouldServeTheLiveSeriesAndOverviewToTheConsole() {
        Response overview = given().header("Authorization", "Bearer " + ADMIN_TOKEN).get("/admin/v1/console/overview");
        Response live = given().header("Authorization", "Bearer " + ADMIN_TOKEN).get("/admin/v1/console/live");

        assertThat(overview.statusCode()).as(overview.asString()).isEqualTo(200);
        assertThat(overview.jsonPath().getString("liveness.status")).isEqualTo("UP");
        assertThat(overview.jsonPath().getString("track")).isEqualTo("stable");
        assertThat(overview.jsonPath().getInt("score.score")).isBetween(0, 100);
        assertThat(live.jsonPath().getLong("intervalMs")).isEqualTo(2000);
        assertThat(given().get("/admin/v1/console/live").statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseLogInsAndAdminTokensWith429AfterTooManyFailuresFromOneAddressCountingThem() {
        limiter.clear();
        double before = limitedCount();
        try {
            int failures = 0;
            Response r = login("wrong-" + failures, origin());
            while (r.statusCode() == 401 && failures < 100) {
                failures++;
                r = failures % 2 == 0 ? login("wrong-" + failures, origin())
                        : given().header("Authorization", "Bearer wrong-" + failures).get("/admin/v1/flags");
            }
            Response rightToken = login(ADMIN_TOKEN, origin());
            Response api = given().header("Authorization", "Bearer " + ADMIN_TOKEN).get("/admin/v1/flags");

            // 40 a minute: a slow machine may earn a token or two back while the loop runs
            assertThat(failures).as("failures before the limit").isBetween(40, 60);
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 60L);
            // limited before the credential is looked at: the right token gets in no sooner
            assertThat(rightToken.statusCode()).isEqualTo(429);
            assertThat(rightToken.getCookie(ConsoleSessions.COOKIE)).isNull();
            assertThat(api.statusCode()).isEqualTo(429);
            assertThat(api.header("Retry-After")).isNotNull();
        } finally {
            limiter.clear();
        }
        assertThat(limitedCount() - before).isEqualTo(3);
        assertThat(login(ADMIN_TOKEN, origin()).statusCode()).isEqualTo(200);
    }

    private double limitedCount() {
        String metrics = given().header("Authorization", "Bearer " + ADMIN_TOKEN).get("/admin/v1/metrics").asString();
        double sum = 0;
        for (java.util.Map<String, Object> m : io.restassured.path.json.JsonPath
                .from(metrics).<java.util.Map<String, Object>>getList("meters.findAll { it.name == 'sluice.admin.auth.limited' }")) {
            sum += ((Number) m.get("value")).doubleValue();
        }
        return sum;
    }
}
