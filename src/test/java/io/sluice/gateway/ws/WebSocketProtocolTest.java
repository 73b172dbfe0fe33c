package io.sluice.gateway.ws;

import static io.sluice.gateway.ws.WsClient.F;
import static io.sluice.gateway.ws.WsClient.batch;
import static io.sluice.gateway.ws.WsClient.closeStream;
import static io.sluice.gateway.ws.WsClient.execute;
import static io.sluice.gateway.ws.WsClient.integer;
import static io.sluice.gateway.ws.WsClient.openStream;
import static io.sluice.gateway.ws.WsClient.rows;
import static io.sluice.gateway.ws.WsClient.step;
import static io.sluice.gateway.ws.WsClient.stmt;
import static io.sluice.gateway.ws.WsClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.gateway.StreamManager;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketFrame;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Hrana over WebSocket, message by message, on a real Vert.x WebSocket against the running server and a
 * real SQLite file: negotiation, every request type, the answers' shapes, the errors that are a
 * {@code response_error} and the ones that close the connection with a close code.
 */
@QuarkusTest
@TestProfile(WebSocketProtocolTest.ShortHttpIdle.class)
class WebSocketProtocolTest {

    /** The HTTP layer closes connections silent for 5 s: the server's pings must keep WebSocket connections alive. */
    public static class ShortHttpIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "5s");
        }
    }

    @TestHTTPResource("/")
    URL url;

    @Inject
    StreamManager streams;

    private WsClient connect(String... subprotocols) {
        return WsClient.connect(url.getPort(), subprotocols);
    }

    private static String table(String prefix) {
        return "ws_" + prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    @Test
    void shouldSelectTheServersPreferredSubprotocolAmongTheOffered() {
        // the server's order decides (hrana3-protobuf, hrana3, hrana2, hrana1), as the libSQL server's does
        try (WsClient c = connect("hrana1", "hrana2", "hrana3")) {
            assertThat(c.subprotocol()).isEqualTo("hrana3");
        }
        try (WsClient c = connect("hrana3", "hrana2", "hrana3-protobuf")) {
            assertThat(c.subprotocol()).isEqualTo("hrana3-protobuf");
        }
        try (WsClient c = connect("hrana9", "hrana2")) {
            assertThat(c.subprotocol()).isEqualTo("hrana2");
        }
    }

    @Test
    void shouldRefuseTheUpgradeWhenNoOfferedSubprotocolIsServed() {
        UpgradeRejectedException e = WsClient.refused(url.getPort(), "hrana9", "graphql-ws");
        assertThat(e.getStatus()).isEqualTo(400);
        assertThat(e.getBody().toString()).contains("hrana3").contains("HRANA_PROTO_ERROR");
    }

    @Test
    void shouldUpgradeUnderAnyPathPrefixButNeverOnTheAdminApiOrQuarkusEndpoints() {
        for (String path : List.of("/db", "/a/b/v3", "/admin", "/qq/x")) {
            try (WsClient c = WsClient.connect(url.getPort(), path, Map.of(), "hrana3")) {
                c.hello(null);
                c.call(1, openStream(1));
                assertThat(rows(c.call(2, execute(1, "SELECT 7")).path("result"))).as(path).containsExactly(List.of("7"));
            }
        }
        for (String path : List.of("/admin/console", "/admin/api/status", "/q/health", "/q/openapi")) {
            assertThat(WsClient.refusedAt(url.getPort(), path, "hrana3").getStatus()).as(path).isNotEqualTo(101);
        }
    }

    @Test
    void shouldSpeakHrana1WhenNoSubprotocolIsOffered() {
        try (WsClient c = connect()) {
            assertThat(c.subprotocol()).isNull();
            c.hello(null);
            c.call(1, openStream(1));
            JsonNode result = c.call(2, execute(1, "SELECT 40 + 2 AS answer")).path("result");
            assertThat(rows(result)).containsExactly(List.of("42"));
            // sequence is Hrana 2: a hrana1 connection is closed for it
            c.request(3, F.objectNode().put("type", "sequence").put("stream_id", 1).put("sql", "SELECT 1"));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
            assertThat(c.closeReason()).contains("Hrana 2");
        }
    }

    @Test
    void shouldExecuteOnAStreamWithArgumentsAndAnswerTheStatementResult() {
        String t = table("exec");
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(7));
            c.call(2, execute(7, "CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, name TEXT)"));
            JsonNode insert = c.call(3, execute(7, stmt("INSERT INTO " + t + " (name) VALUES (?)", text("ada")))).path("result");
            assertThat(insert.path("affected_row_count").asLong()).isEqualTo(1);
            assertThat(insert.path("last_insert_rowid").asText()).isEqualTo("1");
            JsonNode select = c.call(4, execute(7, stmt("SELECT id, name FROM " + t + " WHERE id = ?", integer(1)))).path("result");
            assertThat(select.path("cols").get(1).path("name").asText()).isEqualTo("name");
            assertThat(select.path("cols").get(1).path("decltype").asText()).isEqualTo("TEXT");
            assertThat(rows(select)).containsExactly(List.of("1", "ada"));
            c.call(5, closeStream(7));
        }
    }

    @Test
    void shouldAnswerAFailedStatementWithResponseErrorAndKeepTheStream() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            JsonNode error = c.callError(2, execute(1, "SELECT * FROM no_such_table_here"));
            assertThat(error.path("message").asText()).contains("no such table");
            assertThat(error.path("code").asText()).startsWith("SQL");
            assertThat(rows(c.call(3, execute(1, "SELECT 1")).path("result"))).containsExactly(List.of("1"));
        }
    }

    @Test
    void shouldRunABatchWithConditionsAndKeepStepErrorsInTheResult() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            ObjectNode okOf0 = F.objectNode().put("type", "ok").put("step", 0);
            ObjectNode errorOf1 = F.objectNode().put("type", "error").put("step", 1);
            JsonNode result = c.call(2, batch(1, step(null, "SELECT 1"), step(okOf0, "SELECT * FROM missing_table_ws"),
                    step(errorOf1, "SELECT 3"), step(F.objectNode().put("type", "is_autocommit"), "SELECT 4"))).path("result");
            assertThat(rows(result.path("step_results").get(0))).containsExactly(List.of("1"));
            assertThat(result.path("step_results").get(1).isNull()).isTrue();
            assertThat(result.path("step_errors").get(1).path("message").asText()).contains("no such table");
            assertThat(rows(result.path("step_results").get(2))).containsExactly(List.of("3"));
            assertThat(rows(result.path("step_results").get(3))).containsExactly(List.of("4"));
        }
    }

    @Test
    void shouldRunASequenceAndStopAtItsFirstError() {
        String t = table("seq");
        try (WsClient c = connect("hrana2")) {
            c.hello(null);
            c.call(1, openStream(1));
            c.call(2, F.objectNode().put("type", "sequence").put("stream_id", 1)
                    .put("sql", "CREATE TABLE " + t + " (x); INSERT INTO " + t + " VALUES (1); INSERT INTO " + t + " VALUES (2)"));
            JsonNode error = c.callError(3, F.objectNode().put("type", "sequence").put("stream_id", 1)
                    .put("sql", "INSERT INTO " + t + " VALUES (3); SELECT * FROM nope_ws; INSERT INTO " + t + " VALUES (4)"));
            assertThat(error.path("message").asText()).contains("no such table");
            assertThat(rows(c.call(4, execute(1, "SELECT x FROM " + t + " ORDER BY x")).path("result")))
                    .containsExactly(List.of("1"), List.of("2"), List.of("3"));
        }
    }

    @Test
    void shouldDescribeAStatement() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            JsonNode result = c.call(2, F.objectNode().put("type", "describe").put("stream_id", 1)
                    .put("sql", "SELECT :a AS first, ? AS second")).path("result");
            assertThat(result.path("params").get(0).path("name").asText()).isEqualTo(":a");
            assertThat(result.path("cols").get(0).path("name").asText()).isEqualTo("first");
            assertThat(result.path("is_readonly").asBoolean()).isTrue();
            assertThat(result.path("is_explain").asBoolean()).isFalse();
        }
    }

    @Test
    void shouldStoreSqlForTheWholeConnectionAndUseItOnAnyStream() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, F.objectNode().put("type", "store_sql").put("sql_id", 5).put("sql", "SELECT 'stored' AS s"));
            c.call(2, openStream(1));
            c.call(3, openStream(2));
            ObjectNode byId = F.objectNode().put("sql_id", 5);
            assertThat(rows(c.call(4, execute(1, byId)).path("result"))).containsExactly(List.of("stored"));
            assertThat(rows(c.call(5, execute(2, byId.deepCopy())).path("result"))).containsExactly(List.of("stored"));
            c.call(6, F.objectNode().put("type", "close_sql").put("sql_id", 5));
            c.call(7, F.objectNode().put("type", "close_sql").put("sql_id", 99)); // closing an unknown id is fine
            JsonNode error = c.callError(8, execute(1, F.objectNode().put("sql_id", 5)));
            assertThat(error.path("code").asText()).isEqualTo("SQL_STORE_ERROR");
            // storing under an id in use is a protocol error
            c.call(9, F.objectNode().put("type", "store_sql").put("sql_id", 6).put("sql", "SELECT 1"));
            c.request(10, F.objectNode().put("type", "store_sql").put("sql_id", 6).put("sql", "SELECT 2"));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldReportAutocommitOnHrana3AndCloseHrana2ForIt() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            ObjectNode get = F.objectNode().put("type", "get_autocommit").put("stream_id", 1);
            assertThat(c.call(2, get).path("is_autocommit").asBoolean()).isTrue();
            c.call(3, execute(1, "BEGIN"));
            assertThat(c.call(4, get.deepCopy()).path("is_autocommit").asBoolean()).isFalse();
            c.call(5, execute(1, "ROLLBACK"));
            assertThat(c.call(6, get.deepCopy()).path("is_autocommit").asBoolean()).isTrue();
        }
        try (WsClient c = connect("hrana2")) {
            c.hello(null);
            c.call(1, openStream(1));
            c.request(2, F.objectNode().put("type", "get_autocommit").put("stream_id", 1));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldHandOutACursorsEntriesInPages() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            ObjectNode b = F.objectNode();
            b.putArray("steps").add(step(null, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i FROM n"))
                    .add(step(null, "SELECT * FROM no_such_cursor_table"));
            c.call(2, F.objectNode().put("type", "open_cursor").put("stream_id", 1).put("cursor_id", 9).set("batch", b));
            StringBuilder seen = new StringBuilder();
            boolean done = false;
            for (int i = 3; !done && i < 20; i++) {
                JsonNode page = c.call(i, F.objectNode().put("type", "fetch_cursor").put("cursor_id", 9).put("max_count", 3));
                assertThat(page.path("entries").size()).isLessThanOrEqualTo(3);
                for (JsonNode e : page.path("entries")) {
                    seen.append(e.path("type").asText()).append(e.has("row") ? e.path("row").get(0).path("value").asText() : "").append(' ');
                }
                done = page.path("done").asBoolean();
            }
            assertThat(done).isTrue();
            assertThat(seen.toString().strip()).isEqualTo("step_begin row1 row2 row3 row4 row5 step_end step_error");
            c.call(30, F.objectNode().put("type", "close_cursor").put("cursor_id", 9));
            // the stream serves requests again
            assertThat(rows(c.call(31, execute(1, "SELECT 1")).path("result"))).containsExactly(List.of("1"));
        }
    }

    @Test
    void shouldIsolateTheStreamsOfOneConnectionAndRollBackWhenTheConnectionCloses() {
        String t = table("iso");
        try (WsClient setup = connect("hrana3")) {
            setup.hello(null);
            setup.call(1, openStream(1));
            setup.call(2, execute(1, "CREATE TABLE " + t + " (x INTEGER)"));
        }
        WsClient c = connect("hrana3");
        c.hello(null);
        c.call(1, openStream(1));
        c.call(2, openStream(2));
        c.call(3, execute(1, "BEGIN"));
        c.call(4, execute(1, "INSERT INTO " + t + " VALUES (1)"));
        // stream 2 is another connection to the database: it does not see stream 1's open transaction
        assertThat(rows(c.call(5, execute(2, "SELECT count(*) FROM " + t)).path("result"))).containsExactly(List.of("0"));
        c.close(); // with the transaction open: rolled back

        try (WsClient check = connect("hrana3")) {
            check.hello(null);
            check.call(1, openStream(1));
            // the rollback happens on a worker after the close; the write lock is free once it did
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
                int id = (int) (System.nanoTime() & 0x3fffffff);
                assertThat(rows(check.call(id, execute(1, "INSERT INTO " + t + " VALUES (2)")).path("result"))).isEmpty();
            });
            assertThat(rows(check.call(100, execute(1, "SELECT x FROM " + t)).path("result"))).containsExactly(List.of("2"));
        }
    }

    @Test
    void shouldAnswerEveryPipelinedRequestByItsId() {
        try (WsClient c = connect("hrana3")) {
            // hello, open and 50 statements on two streams, without waiting for any answer
            c.send(F.objectNode().put("type", "hello").putNull("jwt"));
            c.request(-1, openStream(1));
            c.request(-2, openStream(2));
            for (int i = 0; i < 50; i++) {
                c.request(i, execute(i % 2 + 1, "SELECT " + i));
            }
            assertThat(c.next().path("type").asText()).isEqualTo("hello_ok");
            Set<Integer> answered = new HashSet<>();
            for (int i = 0; i < 52; i++) {
                JsonNode answer = c.next();
                assertThat(answer.path("type").asText()).as("%s", answer).isEqualTo("response_ok");
                int id = answer.path("request_id").asInt();
                answered.add(id);
                if (id >= 0) {
                    assertThat(rows(answer.path("response").path("result"))).containsExactly(List.of(Integer.toString(id)));
                }
            }
            assertThat(answered).hasSize(52);
        }
    }

    @Test
    void shouldHandleALargeMessageInItsTurnBeforeTheMessagesSentAfterIt() {
        String pad = "p".repeat(300 * 1024); // decoded on a worker thread, not on the I/O thread
        try (WsClient c = connect("hrana3")) {
            c.send(F.objectNode().put("type", "hello").putNull("jwt"));
            // the large open_stream must be handled before the execute on its stream that follows it at once
            ObjectNode open = openStream(2);
            open.put("pad", pad);
            c.request(1, open);
            c.request(2, execute(2, "SELECT length('" + pad + "')"));
            c.request(3, execute(2, "SELECT 3"));
            assertThat(c.next().path("type").asText()).isEqualTo("hello_ok");
            for (int id = 1; id <= 3; id++) {
                JsonNode answer = c.next();
                assertThat(answer.path("type").asText()).as("%s", answer).isEqualTo("response_ok");
                assertThat(answer.path("request_id").asInt()).isEqualTo(id);
            }
        }
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.sendText("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"execute\",\"pad\":\"" + pad + "\"");
            assertThat(c.awaitClose()).as("a large malformed message").isEqualTo((short) 1007);
        }
    }

    @Test
    void shouldCloseWith1008WhenARequestComesBeforeHello() {
        try (WsClient c = connect("hrana3")) {
            c.request(1, openStream(1));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldCloseWith1007WhenAMessageIsNotHranaJson() {
        try (WsClient c = connect("hrana3")) {
            c.sendText("{not json");
            assertThat(c.awaitClose()).isEqualTo((short) 1007);
        }
        try (WsClient c = connect("hrana3")) {
            c.sendText("{\"type\":\"shout\"}");
            assertThat(c.awaitClose()).isEqualTo((short) 1007);
        }
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.request(1, F.objectNode().put("type", "execute").put("stream_id", 1).put("stmt", "not an object"));
            assertThat(c.awaitClose()).isEqualTo((short) 1007);
        }
    }

    @Test
    void shouldCloseWith1003WhenAJsonConnectionGetsABinaryMessage() {
        try (WsClient c = connect("hrana3")) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertThat(c.awaitClose()).isEqualTo((short) 1003);
        }
    }

    @Test
    void shouldCloseWith1008ForAnUnknownStreamOrAStreamIdInUse() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.request(1, execute(42, "SELECT 1"));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            c.request(2, openStream(1));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldJoinAMessageSentInSeveralFrames() {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            String message = F.objectNode().put("type", "request").put("request_id", 2).set("request", execute(1, "SELECT 'joined'"))
                    .toString();
            int cut = message.length() / 2;
            c.sendFrame(WebSocketFrame.textFrame(message.substring(0, cut), false));
            c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(message.substring(cut)), true));
            JsonNode answer = c.next();
            assertThat(rows(answer.path("response").path("result"))).containsExactly(List.of("joined"));
        }
    }

    @Test
    void shouldKeepAnIdleConnectionOpenPastTheHttpIdleTimeout() throws InterruptedException {
        try (WsClient c = connect("hrana3")) {
            c.hello(null);
            c.call(1, openStream(1));
            Thread.sleep(7_000); // longer than quarkus.http.idle-timeout (5 s): only the server's pings keep it open
            assertThat(c.isClosed()).as("closed with %s", c.closeReason()).isFalse();
            assertThat(rows(c.call(2, execute(1, "SELECT 1")).path("result"))).containsExactly(List.of("1"));
        }
    }

    @Test
    void shouldCloseEveryStreamAtOnceWhenTheConnectionClosesRightAfterCloseStream() {
        WsClient c = connect("hrana3");
        c.hello(null);
        c.call(1, openStream(1));
        c.call(2, openStream(2));
        c.call(3, execute(1, "BEGIN")); // stream 1 holds a backend connection now
        c.call(4, execute(2, "SELECT 2")); // stream 2 none: a read needs none
        // what @libsql/client does: close the stream, and close the client without waiting for the answer
        c.request(5, closeStream(1));
        c.close();
        // both streams are closed and their connections given back at once, not by the 10 s idle expiry
        await().atMost(Duration.ofSeconds(5)).until(() -> streams.openStreamCount() == 0);
    }
}
