package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.CURSOR;
import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.cursorOk;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.cursor;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static io.sluice.gateway.HttpErrors.assertHttpError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Idle streams expire (here after 1 s): their baton gets STREAM_EXPIRED and their transaction is rolled back. */
@QuarkusTest
@TestProfile(StreamExpiryTest.ShortIdleTimeout.class)
class StreamExpiryTest {

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.gateway.stream-idle-timeout", "1s");
        }
    }

    @Inject
    StreamManager streams;

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    /**
     * Waits for the reaper to expire every stream, the one the test left idle included (each test closes the
     * streams it does not leave idle): about the 1 s idle timeout plus one reaper round, however loaded the machine.
     */
    private void awaitIdleStreamsExpired() {
        await().atMost(Duration.ofSeconds(30)).until(() -> streams.openStreamCount() == 0);
    }

    @Test
    void shouldAnswerStreamExpiredAndRollBackAndReleaseLockAfterIdleTimeout() throws Exception {
        String t = uniqueTable("exp");
        query("CREATE TABLE " + t + "(a)");
        String baton = pipelineOk(V2, null, execute("BEGIN IMMEDIATE"), execute("INSERT INTO " + t + " VALUES (1)")).get("baton").asText();

        awaitIdleStreamsExpired();
        JsonNode error = assertHttpError(post(V2, pipeline(baton, execute("COMMIT"))), 400);

        assertThat(error.get("code").asText()).isEqualTo("STREAM_EXPIRED");
        assertThat(count("SELECT count(*) FROM " + t)).isZero();
        long start = System.nanoTime();
        JsonNode write = pipelineOk(V2, null, execute("BEGIN IMMEDIATE"), execute("INSERT INTO " + t + " VALUES (2)"), execute("COMMIT"), close());
        for (JsonNode r : write.get("results")) {
            okResponse(r);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms waited for the write lock").isLessThan(2_000);
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldAnswerStreamExpiredOnCursorAfterIdleTimeout() throws Exception {
        List<JsonNode> entries = cursorOk(cursor(null, batch(step(stmt("SELECT 1")))));
        String baton = entries.get(0).get("baton").asText();

        awaitIdleStreamsExpired();

        assertThat(assertHttpError(post(CURSOR, cursor(baton, batch(step(stmt("SELECT 2"))))), 400).get("code").asText())
                .isEqualTo("STREAM_EXPIRED");
    }

    @Test
    void shouldKeepStreamAliveWhileItIsUsedMoreOftenThanTimeout() throws Exception {
        String t = uniqueTable("alive");
        query("CREATE TABLE " + t + "(a)");
        try (StreamSession s = new StreamSession(V3)) {
            s.send(execute("BEGIN"), execute("INSERT INTO " + t + " VALUES (1)"));
            for (int i = 0; i < 6; i++) {
                sleep(400);
                okResponse(s.send(execute("SELECT 1")).get(0));
            }
            okResponse(s.send(execute("COMMIT")).get(0));
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldOpenFreshStreamWithNullBatonAfterExpiry() throws Exception {
        String baton = pipelineOk(V3, null, execute("SELECT 1")).get("baton").asText();
        awaitIdleStreamsExpired();
        assertHttpError(post(V3, pipeline(baton, execute("SELECT 1"))), 400);

        JsonNode fresh = pipelineOk(V3, null, execute("SELECT 'again'"), close());

        okResponse(fresh.get("results").get(0));
    }
}
