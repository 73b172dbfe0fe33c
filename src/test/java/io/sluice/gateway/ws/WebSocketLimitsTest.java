package io.sluice.gateway.ws;

import static io.sluice.gateway.ws.WsClient.F;
import static io.sluice.gateway.ws.WsClient.closeStream;
import static io.sluice.gateway.ws.WsClient.execute;
import static io.sluice.gateway.ws.WsClient.openStream;
import static io.sluice.gateway.ws.WsClient.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.gateway.SocketSessions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketFrame;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-connection limits of Hrana over WebSocket, each at a small value of its own. */
@QuarkusTest
@TestProfile(WebSocketLimitsTest.SmallLimits.class)
class WebSocketLimitsTest {
    static final int MAX_CONNECTIONS = 4;
    static final int MAX_STREAMS = 2;
    static final int MAX_MESSAGE = 64 * 1024;
    /** The budget all requests share: a bit more than one large message. */
    static final int BUDGET = 112 * 1024;
    static final long HELLO_TIMEOUT_MILLIS = 2000;

    /** Its own profile: nothing else here limits streams per principal. */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.websocket.max-connections", Integer.toString(MAX_CONNECTIONS),
                    "sluice.websocket.max-streams-per-connection", Integer.toString(MAX_STREAMS),
                    "sluice.websocket.max-message-bytes", Integer.toString(MAX_MESSAGE),
                    "sluice.websocket.max-pending-requests", "1",
                    "sluice.gateway.max-buffered-request-bytes", Integer.toString(BUDGET),
                    "sluice.websocket.idle-timeout", "3s",
                    "sluice.websocket.hello-timeout", HELLO_TIMEOUT_MILLIS + "ms");
        }
    }

    @TestHTTPResource("/")
    URL url;

    @Inject
    WebSocketRoutes routes;
    @Inject
    SocketSessions sessions;

    @BeforeEach
    void noConnectionsLeft() {
        await().atMost(Duration.ofSeconds(30)).until(() -> routes.openConnections() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> sessions.reservedRequestBytes() == 0);
    }

    private WsClient connect() {
        return WsClient.connect(url.getPort(), "hrana3");
    }

    @Test
    void shouldRefuseTheUpgradeBeyondMaxConnectionsUntilOneCloses() {
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                open.add(connect().hello(null));
            }
            UpgradeRejectedException refused = WsClient.refused(url.getPort(), "hrana3");
            assertThat(refused.getStatus()).isEqualTo(503);
            assertThat(refused.getHeaders().get("Retry-After")).isEqualTo("1");
            assertThat(refused.getBody().toString()).contains("SERVER_BUSY").contains("limit " + MAX_CONNECTIONS);

            open.remove(0).close();
            await().atMost(Duration.ofSeconds(30)).until(() -> routes.openConnections() < MAX_CONNECTIONS);
            try (WsClient again = connect()) {
                again.hello(null);
            }
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    void shouldFailOpenStreamBeyondTheConnectionsLimitAndKeepTheIdUntilClosed() {
        try (WsClient c = connect()) {
            c.hello(null);
            c.call(1, openStream(1));
            c.call(2, openStream(2));
            JsonNode refused = c.callError(3, openStream(3));
            assertThat(refused.path("code").asText()).isEqualTo("STREAMS_EXHAUSTED");
            // a stream that failed to open answers every request with an error, and the connection stays
            assertThat(c.callError(4, execute(3, "SELECT 1")).path("code").asText()).isEqualTo("STREAM_NOT_OPEN");
            c.call(5, closeStream(3));
            c.call(6, closeStream(2));
            c.call(7, openStream(3));
            assertThat(rows(c.call(8, execute(3, "SELECT 3")).path("result"))).containsExactly(List.of("3"));
        }
    }

    @Test
    void shouldCloseWith1009WhenOneFrameIsLargerThanTheLimit() {
        try (WsClient c = connect()) {
            c.hello(null);
            c.sendText("{\"type\":\"hello\",\"jwt\":\"" + "x".repeat(MAX_MESSAGE) + "\"}");
            assertThat(c.awaitClose()).isEqualTo((short) 1009);
        }
    }

    @Test
    void shouldCloseWith1009WhenAMessageBeforeHelloIsLargerThanAnyHelloButServeItAfterOne() {
        String big = "x".repeat(SocketConnection.PRE_HELLO_MESSAGE_BYTES);
        try (WsClient c = connect()) {
            c.sendText("{\"type\":\"hello\",\"jwt\":\"" + big + "\"}");
            assertThat(c.awaitClose()).isEqualTo((short) 1009);
        }
        try (WsClient c = connect()) {
            c.hello(null);
            c.call(1, openStream(1));
            JsonNode answer = c.call(2, execute(1, "SELECT length('" + big + "')"));
            assertThat(answer.path("result").path("rows").path(0).path(0).path("value").asText()).as("answer %s", answer)
                    .isEqualTo(Integer.toString(big.length()));
        }
    }

    @Test
    void shouldCloseWith1013WhenMessagesInFlightExceedTheSharedBudgetAndGiveItAllBack() {
        // one client's message, half sent: its bytes hold the budget while the rest is awaited
        String sql = "SELECT length('" + "x".repeat(56 * 1024) + "')";
        String message = F.objectNode().put("type", "request").put("request_id", 2).set("request", execute(1, sql)).toString();
        try (WsClient slow = connect()) {
            slow.hello(null);
            slow.call(1, openStream(1));
            slow.sendFrame(WebSocketFrame.textFrame(message.substring(0, message.length() - 100), false));
            await().atMost(Duration.ofSeconds(10)).until(() -> sessions.reservedRequestBytes() >= 56 * 1024);
            // another's whole message no longer fits beside it
            try (WsClient other = connect()) {
                other.hello(null);
                other.sendText("{\"type\":\"hello\",\"jwt\":\"" + "y".repeat(60 * 1024) + "\"}");
                assertThat(other.awaitClose()).isEqualTo((short) 1013);
            }
            // the first message, completed, is served
            slow.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(message.substring(message.length() - 100)), true));
            JsonNode answer = slow.next();
            assertThat(answer.path("response").path("result").path("rows").path(0).path(0).path("value").asText())
                    .as("answer %s", answer).isEqualTo(Integer.toString(56 * 1024));
        }
        // the refused client's close may not get through its half-sent message: then the closing timeout ends it
        await().atMost(Duration.ofSeconds(WebSocketServerOptions.CLOSING_TIMEOUT_SECONDS + 5L))
                .until(() -> sessions.reservedRequestBytes() == 0);
    }

    @Test
    void shouldCloseWith1009WhenAFragmentedMessageGrowsPastTheLimit() {
        try (WsClient c = connect()) {
            c.hello(null);
            String chunk = "x".repeat(MAX_MESSAGE / 4);
            c.sendFrame(WebSocketFrame.textFrame("{\"type\":\"hello\",\"jwt\":\"" + chunk, false));
            for (int i = 0; i < 5; i++) {
                c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(chunk), false));
            }
            assertThat(c.awaitClose()).isEqualTo((short) 1009);
        }
    }

    @Test
    void shouldCloseAProtobufConnectionWith1009WhenABinaryMessageIsLargerThanTheLimit() {
        try (WsClient c = WsClient.connect(url.getPort(), "hrana3-protobuf")) {
            assertThat(c.subprotocol()).isEqualTo("hrana3-protobuf");
            c.sendBinary(new byte[MAX_MESSAGE + 1]);
            assertThat(c.awaitClose()).isEqualTo((short) 1009);
        }
        try (WsClient c = WsClient.connect(url.getPort(), "hrana3-protobuf")) {
            byte[] chunk = new byte[MAX_MESSAGE / 4];
            c.sendFrame(WebSocketFrame.binaryFrame(Buffer.buffer(chunk), false));
            for (int i = 0; i < 5; i++) {
                c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(chunk), false));
            }
            assertThat(c.awaitClose()).isEqualTo((short) 1009);
        }
    }

    @Test
    void shouldStopReadingAtTheLimitOfPendingRequests() {
        try (WsClient c = connect()) {
            c.hello(null);
            c.call(1, openStream(1));
            c.call(2, openStream(2));
            // with one request outstanding allowed, the quick request on stream 2 is not even read before
            // the slow one on stream 1 is answered (streams otherwise run in parallel)
            c.request(10, execute(1, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n"));
            c.request(11, execute(2, "SELECT 1"));
            JsonNode first = c.next();
            JsonNode second = c.next();
            assertThat(first.path("request_id").asInt()).as("first answer %s", first).isEqualTo(10);
            assertThat(second.path("request_id").asInt()).isEqualTo(11);
        }
    }

    @Test
    void shouldCloseAConnectionIdlePastTheIdleTimeout() {
        try (WsClient c = connect()) {
            c.hello(null);
            long start = System.nanoTime();
            assertThat(c.awaitClose()).isEqualTo((short) 1000);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(2500));
            assertThat(c.closeReason()).contains("Idle");
        }
    }

    @Test
    void shouldCloseAConnectionWithoutASuccessfulHelloAtTheHelloTimeoutAndGiveBackWhatItHeld() {
        try (WsClient silent = connect()) {
            long start = System.nanoTime();
            assertThat(silent.awaitClose()).isEqualTo((short) 1008);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(HELLO_TIMEOUT_MILLIS - 200));
            assertThat(silent.closeReason()).contains("No successful hello");
        }
        // half a hello, its bytes held in the budget of unauthenticated connections until the connection is closed
        try (WsClient partial = connect()) {
            partial.sendFrame(WebSocketFrame.textFrame("{\"type\":\"hello\",\"jwt\":\"" + "x".repeat(16 * 1024), false));
            await().atMost(Duration.ofSeconds(10)).until(() -> sessions.reservedRequestBytes() >= 16 * 1024);
            assertThat(partial.awaitClose()).isEqualTo((short) 1008);
        }
        await().atMost(Duration.ofSeconds(WebSocketServerOptions.CLOSING_TIMEOUT_SECONDS + 5L)).until(() -> sessions.reservedRequestBytes() == 0);
        assertThat(routes.openConnections()).isZero();
    }

    @Test
    void shouldKeepAConnectionWhoseHelloSucceededPastTheHelloTimeout() throws InterruptedException {
        try (WsClient c = connect()) {
            c.hello(null);
            c.call(1, openStream(1));
            long end = System.nanoTime() + Duration.ofMillis(HELLO_TIMEOUT_MILLIS + 500).toNanos();
            int id = 2;
            while (System.nanoTime() < end) {
                Thread.sleep(250); // requests keep it from the idle timeout
                assertThat(rows(c.call(id++, execute(1, "SELECT 1")).path("result"))).containsExactly(List.of("1"));
            }
        }
    }

    @Test
    void shouldCountStreamsOfWebSocketsAgainstTheServersOpenStreams() {
        try (WsClient c = connect()) {
            c.hello(null);
            c.call(1, openStream(1));
            c.call(2, execute(1, "BEGIN"));
            c.call(3, execute(1, "SELECT 1"));
            JsonNode get = c.call(4, F.objectNode().put("type", "get_autocommit").put("stream_id", 1));
            assertThat(get.path("is_autocommit").asBoolean()).isFalse();
        }
    }
}
