package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.json;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.getAutocommit;
import static io.sluice.gateway.HranaJson.pipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fair share with authentication off: a caller naming itself with {@code x-sluice-client} gets a share
 * of its own (half of the 4 streams); callers without the header are everyone at once, bounded only by the
 * global limit; batons are not bound to the self-chosen name.
 */
@QuarkusTest
@TestProfile(StreamLimitTest.FourStreams.class)
class ClientShareTest {
    private static final int MAX_STREAMS = StreamLimitTest.MAX_STREAMS;
    private static final int STREAMS_PER_CLIENT = MAX_STREAMS / 2;

    @Inject
    StreamManager streams;

    private final List<String> held = new ArrayList<>();

    @AfterEach
    void closeStreams() {
        held.forEach(b -> send(null, V2, b, close()));
        held.clear();
        await().atMost(Duration.ofSeconds(15)).until(() -> streams.expireIdleNow() == 0);
    }

    private static Response send(String client, String path, String baton, JsonNode... requests) {
        var spec = given().contentType("application/json").body(pipeline(baton, requests).toString().getBytes(StandardCharsets.UTF_8));
        if (client != null) {
            spec.header(HranaHandler.CLIENT_HEADER, client);
        }
        return spec.post(path);
    }

    private String open(String client) {
        Response r = send(client, V3, null, getAutocommit());
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(200);
        String b = json(r).get("baton").asText();
        held.add(b);
        return b;
    }

    @Test
    void shouldGiveEachNamedClientItsOwnShareOfStreams() {
        for (int i = 0; i < STREAMS_PER_CLIENT; i++) {
            open("app-a");
        }

        Response refused = send("app-a", V3, null, getAutocommit());
        assertThat(refused.statusCode()).as("body %s", refused.asString()).isEqualTo(429);
        assertThat(json(refused).get("code").asText()).isEqualTo("PRINCIPAL_STREAMS_EXHAUSTED");
        assertThat(refused.getHeader("Retry-After")).isNotBlank();
        open("app-b");
        assertThat(streams.openStreamsOf("client:app-a")).isEqualTo(STREAMS_PER_CLIENT);
    }

    @Test
    void shouldBoundUnnamedCallersByTheGlobalLimitOnly() {
        for (int i = 0; i < MAX_STREAMS; i++) {
            open(null);
        }

        Response refused = send(null, V3, null, getAutocommit());
        assertThat(refused.statusCode()).as("body %s", refused.asString()).isEqualTo(503);
        assertThat(json(refused).get("code").asText()).isEqualTo("STREAMS_EXHAUSTED");
    }

    @Test
    void shouldNotBindBatonsToTheSelfChosenClientName() {
        String baton = open("app-a");

        Response r = send("app-b", V2, baton, execute("SELECT 1"));

        assertThat(r.statusCode()).as("body %s", r.asString()).isEqualTo(200);
        held.set(held.indexOf(baton), json(r).get("baton").asText());
        assertThat(streams.openStreamsOf("client:app-a")).as("the stream stays in its opener's share").isEqualTo(1);
        assertThat(streams.openStreamsOf("client:app-b")).isZero();
    }
}
