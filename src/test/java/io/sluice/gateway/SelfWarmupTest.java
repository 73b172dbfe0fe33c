package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.health.WarmupReadinessCheck;
import io.sluice.metrics.Meters;
import io.sluice.testing.TestKeys;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;

/**
 * The self-warm-up with JWT authentication on: readiness stays DOWN while the server sends itself requests, those
 * requests pass authentication and run (none fails), none of them counts in a meter, and once it is over the
 * server is ready and counts real requests again.
 */
@QuarkusTest
@TestProfile(SelfWarmupTest.Warming.class)
class SelfWarmupTest {

    /**
     * An ephemeral port picked here rather than port 0: the warm-up reads the data port from the event Quarkus
     * fires when it listens, which carries the configured port.
     */
    public static class Warming implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("sluice.auth.mode", "jwt", "sluice.auth.jwt-public-keys", TestKeys.pair("warmup").publicKeyBase64Url(),
                    "sluice.warmup.duration", "15s", "quarkus.http.test-port", String.valueOf(port));
        }
    }

    @Inject
    SelfWarmup warmup;

    @Inject
    MeterRegistry registry;

    @Inject
    @Readiness
    WarmupReadinessCheck warmupCheck;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    private double counted(String meter) {
        return registry.find(meter).counters().stream().mapToDouble(Counter::count).sum();
    }

    private JsonPath readiness() {
        return JsonPath.from(given().get(ready).then().extract().asString());
    }

    @Test
    void shouldStayNotReadyAndUncountedWhileWarmingThenServeAndCountRealRequests() {
        // the check itself, in process: on a loaded machine RestAssured's first request alone can take seconds
        assertThat(warmupCheck.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

        await().atMost(Duration.ofSeconds(60)).until(() -> warmup.requestCount() >= 20);
        // no other request has reached this server: whatever the warm-up ran, no meter counted it
        assertThat(counted(Meters.HRANA_REQUESTS)).isZero();
        assertThat(counted(Meters.STATEMENTS)).isZero();

        await().atMost(Duration.ofSeconds(90)).until(warmup::isDone);
        assertThat(warmup.failureCount()).isZero();
        assertThat(readiness().getString("status")).isEqualTo("UP");
        assertThat(warmup.principalFor("Bearer sluice-warmup.anything")).isNull();

        String token = TokenMinter.fromPrivateKeyPem(TestKeys.pair("warmup").privateKeyPem(), Clock.systemUTC())
                .mint(Access.READ_ONLY, "tester", Duration.ofMinutes(5));
        // a warm-up request still finishing as the warm-up ends may be counted: compare before and after
        double before = counted(Meters.HRANA_REQUESTS);
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}")
                .post("/v2/pipeline").then().statusCode(200);
        assertThat(counted(Meters.HRANA_REQUESTS)).isEqualTo(before + 1.0);
    }
}
