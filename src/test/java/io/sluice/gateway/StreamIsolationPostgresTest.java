package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaClient.scalar;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link StreamIsolationTest}'s promise on PostgreSQL, where session state is made with SET, set_config(),
 * PREPARE and TEMP tables rather than PRAGMAs (which do nothing here): none of it may reach a stream
 * opened after the one that made it was closed.
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class StreamIsolationPostgresTest {
    /** Sequential streams after the one under test; with a small pool they are bound to reuse its connection. */
    private static final int LATER_STREAMS = 10;

    /** Discards every pooled connection (RESET marks a connection as changed), so a leak shown here cannot break later tests. */
    @AfterEach
    void resetEveryPooledConnection() {
        int poolSize = ConfigProvider.getConfig().getOptionalValue("sluice.pool.max-connections", Integer.class).orElse(5);
        List<String> batons = new ArrayList<>();
        for (int i = 0; i < poolSize; i++) {
            var r = post(V2, pipeline(null, execute("RESET ALL")));
            if (r.statusCode() == 200) {
                batons.add(HranaClient.json(r).get("baton").asText());
            }
        }
        batons.forEach(b -> post(V2, pipeline(b, close())));
    }

    private static JsonNode firstResult(String sql) {
        return pipelineOk(V2, null, execute(sql), close()).get("results").get(0);
    }

    private static String show(String setting) {
        return scalar("SHOW " + setting).get("value").asText();
    }

    @Test
    void shouldNotLeakSetIntoLaterStreams() {
        String before = show("statement_timeout");
        okResponse(firstResult("SET statement_timeout = '4321ms'"));

        for (int i = 0; i < LATER_STREAMS; i++) {
            assertThat(show("statement_timeout")).as("statement_timeout seen by stream %d after the one that set it", i).isEqualTo(before);
        }
    }

    @Test
    void shouldNotLeakSettingChangedBySetConfigInSelectIntoLaterStreams() {
        String before = show("statement_timeout");
        okResponse(firstResult("SELECT set_config('statement_timeout', '4321ms', false)"));

        for (int i = 0; i < LATER_STREAMS; i++) {
            assertThat(show("statement_timeout")).as("statement_timeout seen by stream %d after the one that set it", i).isEqualTo(before);
        }
    }

    @Test
    void shouldNotLeakReadOnlyDefaultSetBySetConfigIntoLaterStreams() {
        String t = uniqueTable("roleak");
        query("CREATE TABLE " + t + "(a integer)");
        okResponse(firstResult("SELECT set_config('default_transaction_read_only', 'on', false)"));

        for (int i = 0; i < LATER_STREAMS; i++) {
            JsonNode r = firstResult("INSERT INTO " + t + " VALUES (" + i + ")");
            assertThat(r.get("type").asText()).as("write by stream %d after the one that made its session read only: %s", i, r).isEqualTo("ok");
        }
    }

    @Test
    void shouldNotShowTemporaryTableOfClosedStreamToLaterStreams() {
        String t = uniqueTable("secret");
        JsonNode body = pipelineOk(V2, null, execute("CREATE TEMP TABLE " + t + "(s text)"),
                execute("INSERT INTO " + t + " VALUES ('tenant-a-secret')"), close());
        okResponse(body.get("results").get(1));

        for (int i = 0; i < LATER_STREAMS; i++) {
            JsonNode r = firstResult("SELECT s FROM " + t);
            assertThat(r.get("type").asText()).as("stream %d reading another stream's temp table: %s", i, r).isEqualTo("error");
        }
    }

    @Test
    void shouldNotLeakPreparedStatementIntoLaterStreams() {
        String name = uniqueTable("prep");
        okResponse(firstResult("PREPARE " + name + " AS SELECT 'tenant-a'"));

        for (int i = 0; i < LATER_STREAMS; i++) {
            JsonNode r = firstResult("EXECUTE " + name);
            assertThat(r.get("type").asText()).as("stream %d executing another stream's prepared statement: %s", i, r).isEqualTo("error");
        }
    }
}
