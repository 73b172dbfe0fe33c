package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.CURSOR;
import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.cursor;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The open-stream limit (here 4): one more stream gets 503 STREAMS_EXHAUSTED with Retry-After until a slot frees. */
@QuarkusTest
@TestProfile(StreamLimitTest.FourStreams.class)
class StreamLimitTest {
    static final int MAX_STREAMS = 4;

    /** Also {@link ClientShareTest}'s profile, so that Quarkus boots once for both (below the pool's 5 connections). */
    public static class FourStreams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.auth.mode", "none", "sluice.gateway.max-streams", Integer.toString(MAX_STREAMS));
        }
    }

    private final List<StreamSession> open = new ArrayList<>();

    @AfterEach
    void closeStreams() {
        open.forEach(StreamSession::close);
    }

    private StreamSession openStream() {
        StreamSession s = new StreamSession(V3);
        open.add(s);
        s.send(execute("SELECT 1"));
        return s;
    }

    /** 503 with a Hrana error object, exact JSON content type and a Retry-After in whole seconds. */
    private static void assertExhausted(Response r) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(503);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode error = HranaClient.json(r);
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("code").asText()).isEqualTo("STREAMS_EXHAUSTED");
        assertThat(r.getHeader("Retry-After")).as("Retry-After header").isNotNull().matches("[1-9][0-9]*");
    }

    @Test
    void shouldRefuseStreamBeyondLimitWith503AndRetryAfter() {
        for (int i = 0; i < MAX_STREAMS; i++) {
            openStream();
        }

        Response r = post(V2, pipeline(null, execute("SELECT 1")));

        assertExhausted(r);
    }

    @Test
    void shouldStillAnswerStreamlessReadsWhileTheStreamLimitIsReached() {
        for (int i = 0; i < MAX_STREAMS; i++) {
            openStream();
        }

        // execute + close needs no stream: the read fast path answers it
        Response r = post(V2, pipeline(null, execute("SELECT 1"), close()));

        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseCursorOpeningStreamBeyondLimit() {
        for (int i = 0; i < MAX_STREAMS; i++) {
            openStream();
        }

        Response r = post(CURSOR, cursor(null, batch(step(stmt("SELECT 1")))));

        assertExhausted(r);
    }

    @Test
    void shouldKeepServingOpenStreamsWhileLimitIsReached() {
        List<StreamSession> streams = new ArrayList<>();
        for (int i = 0; i < MAX_STREAMS; i++) {
            streams.add(openStream());
        }

        for (StreamSession s : streams) {
            okResponse(s.send(execute("SELECT 2")).get(0));
        }
    }

    @Test
    void shouldFreeSlotWhenStreamIsClosed() {
        for (int i = 0; i < MAX_STREAMS; i++) {
            openStream();
        }
        assertExhausted(post(V2, pipeline(null, execute("SELECT 1"))));

        open.get(0).close();

        JsonNode body = pipelineOk(V2, null, execute("SELECT 'slot'"), close());
        okResponse(body.get("results").get(0));
    }

    @Test
    void shouldNotCountStreamsClosedInTheirOwnPipeline() {
        for (int i = 0; i < MAX_STREAMS * 5; i++) {
            okResponse(pipelineOk(V2, null, execute("SELECT " + i), close()).get("results").get(0));
        }
        for (int i = 0; i < MAX_STREAMS; i++) {
            openStream();
        }
        assertExhausted(post(V3, pipeline(null, execute("SELECT 1"))));
    }

    @Test
    void shouldNotLeakSlotsWhenRequestsOnNewStreamsAreRejected() {
        for (int i = 0; i < MAX_STREAMS * 3; i++) {
            assertThat(post(V2, pipeline(null, HranaJson.getAutocommit())).statusCode()).isEqualTo(400);
            assertThat(HranaClient.postRaw(V3, "{\"requests\":[{\"type\":\"nope\"}]}").statusCode()).isEqualTo(400);
        }
        for (int i = 0; i < MAX_STREAMS; i++) {
            openStream();
        }
    }
}
