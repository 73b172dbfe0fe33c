package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream is its own database connection (HRANA.md): what one stream does to its connection's
 * session state must not show up in streams opened after it was closed.
 */
@QuarkusTest
class StreamIsolationTest {
    /** Sequential streams after the one under test; with a small pool they are bound to reuse its connection. */
    private static final int LATER_STREAMS = 10;

    /** Resets every pooled connection, so that a leak this class demonstrates cannot break the tests after it. */
    @AfterEach
    void resetEveryPooledConnection() {
        int poolSize = ConfigProvider.getConfig().getOptionalValue("sluice.pool.max-connections", Integer.class).orElse(5);
        List<String> batons = new ArrayList<>();
        for (int i = 0; i < poolSize; i++) {
            var r = post(V2, pipeline(null, execute("PRAGMA query_only = 0"), execute("PRAGMA foreign_keys = 1"),
                    execute("PRAGMA busy_timeout = 5000")));
            if (r.statusCode() == 200) {
                batons.add(HranaClient.json(r).get("baton").asText());
            }
        }
        batons.forEach(b -> post(V2, pipeline(b, close())));
    }

    private static JsonNode firstResult(String sql) {
        return pipelineOk(V2, null, execute(sql), close()).get("results").get(0);
    }

    @Test
    void shouldNotLeakForeignKeysPragmaIntoLaterStreams() {
        okResponse(firstResult("PRAGMA foreign_keys = OFF"));

        for (int i = 0; i < LATER_STREAMS; i++) {
            JsonNode value = okResponse(firstResult("PRAGMA foreign_keys")).get("result").get("rows").get(0).get(0);
            assertThat(value.get("value").asText()).as("foreign_keys seen by stream %d after the one that turned it off", i).isEqualTo("1");
        }
    }

    @Test
    void shouldNotLeakQueryOnlyPragmaIntoLaterStreams() {
        String t = uniqueTable("qonly");
        query("CREATE TABLE " + t + "(a)");
        okResponse(firstResult("PRAGMA query_only = 1"));

        for (int i = 0; i < LATER_STREAMS; i++) {
            JsonNode r = firstResult("INSERT INTO " + t + " VALUES (" + i + ")");
            assertThat(r.get("type").asText()).as("write by stream %d after the one that set query_only: %s", i, r).isEqualTo("ok");
        }
    }

    @Test
    void shouldNotShowTemporaryTableOfClosedStreamToLaterStreams() {
        String t = uniqueTable("secret");
        JsonNode body = pipelineOk(V2, null, execute("CREATE TEMP TABLE " + t + "(s TEXT)"),
                execute("INSERT INTO " + t + " VALUES ('tenant-a-secret')"), close());
        okResponse(body.get("results").get(1));

        for (int i = 0; i < LATER_STREAMS; i++) {
            JsonNode r = firstResult("SELECT s FROM temp." + t);
            assertThat(r.get("type").asText()).as("stream %d reading another stream's temp table: %s", i, r).isEqualTo("error");
        }
    }
}
