package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sluice.config.RuntimeSettings;
import io.sluice.config.RuntimeSettingsService;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gateway.* runtime settings take effect without a restart. */
@QuarkusTest
class LiveGatewaySettingsTest {
    @Inject
    RuntimeSettingsService settings;

    private static Response openStream() {
        return given().contentType("application/json")
                .body("{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}")
                .post("/v3/pipeline");
    }

    private static void close(String baton) {
        given().contentType("application/json").body("{\"baton\":\"" + baton + "\",\"requests\":[{\"type\":\"close\"}]}")
                .post("/v3/pipeline").then().statusCode(200);
    }

    @Test
    void shouldEnforceALoweredStreamLimitAndBodyLimitAtOnce() {
        RuntimeSettings before = settings.current();
        List<String> batons = new ArrayList<>();
        try {
            settings.update("gateway", "maxStreams", "2", "test", "squeeze");
            for (int i = 0; i < 2; i++) {
                Response r = openStream();
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
                batons.add(r.jsonPath().getString("baton"));
            }
            assertThat(openStream().statusCode()).isEqualTo(503);

            settings.update("gateway", "maxRequestBytes", "2048", "test", "small bodies");
            String big = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT '" + "x".repeat(4096) + "'\"}}]}";
            assertThat(given().contentType("application/json").body(big).post("/v2/pipeline").statusCode()).isEqualTo(413);
        } finally {
            batons.forEach(LiveGatewaySettingsTest::close);
            settings.restore(before.toProperties(), "test", "put back");
        }
        String big = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT '" + "x".repeat(4096) + "'\"}},{\"type\":\"close\"}]}";
        assertThat(given().contentType("application/json").body(big).post("/v2/pipeline").statusCode()).isEqualTo(200);
    }
}
