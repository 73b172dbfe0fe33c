package io.sluice.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Hrana-over-WebSocket test client on a real Vert.x WebSocket: sends JSON messages and takes the
 * server's messages in order of arrival, and sees the close code and reason when the server closes.
 * Binary messages (the {@code hrana3-protobuf} subprotocol) are kept apart, see {@link #nextBinary()}.
 */
final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Generous: a loaded 2-core machine runs five builds at once. */
    static final long TIMEOUT_SECONDS = 30;

    private static final Vertx VERTX = Vertx.vertx();

    private final HttpClient http;
    final WebSocket ws;
    private final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<byte[]> receivedBinary = new LinkedBlockingQueue<>();
    private final CompletableFuture<Short> closed = new CompletableFuture<>();
    private volatile String closeReason;

    private WsClient(HttpClient http, WebSocket ws) {
        this.http = http;
        this.ws = ws;
        ws.textMessageHandler(text -> {
            try {
                received.add(JSON.readTree(text));
            } catch (Exception e) {
                received.add(F.textNode("unparseable: " + text));
            }
        });
        ws.binaryMessageHandler(data -> receivedBinary.add(data.getBytes()));
        ws.closeHandler(v -> {
            closeReason = ws.closeReason();
            closed.complete(ws.closeStatusCode());
        });
    }

    static WsClient connect(int port, String... subprotocols) {
        return connect(port, "/", Map.of(), subprotocols);
    }

    static WsClient connect(int port, String path, Map<String, String> headers, String... subprotocols) {
        return connectFrom(null, port, path, headers, subprotocols);
    }

    /** A connection from the local address {@code localAddress} (null: the system's choice), e.g. 127.0.0.2 for a second client address. */
    static WsClient connectFrom(String localAddress, int port, String path, Map<String, String> headers, String... subprotocols) {
        HttpClient http = VERTX.createHttpClient(new HttpClientOptions().setMaxWebSocketFrameSize(64 * 1024 * 1024)
                .setMaxWebSocketMessageSize(64 * 1024 * 1024).setLocalAddress(localAddress));
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
                .setSubProtocols(subprotocols.length == 0 ? null : List.of(subprotocols));
        headers.forEach(options::addHeader);
        try {
            WebSocket ws = http.webSocket(options).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new WsClient(http, ws);
        } catch (Exception e) {
            http.close();
            throw new IllegalStateException("WebSocket connect failed", e);
        }
    }

    /** The upgrade is refused: returns the HTTP status and body. */
    static UpgradeRejectedException refused(int port, String... subprotocols) {
        return refusedAt(port, "/", subprotocols);
    }

    /** The upgrade of a request to {@code path} is refused: returns the HTTP status and body. */
    static UpgradeRejectedException refusedAt(int port, String path, String... subprotocols) {
        HttpClient http = VERTX.createHttpClient();
        try {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)
                    .setSubProtocols(subprotocols.length == 0 ? null : List.of(subprotocols));
            http.webSocket(options).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("the upgrade was accepted");
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UpgradeRejectedException.class);
            return (UpgradeRejectedException) e.getCause();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            http.close();
        }
    }

    String subprotocol() {
        return ws.subProtocol();
    }

    WsClient send(JsonNode message) {
        return sendText(message.toString());
    }

    WsClient sendText(String text) {
        ws.writeTextMessage(text);
        return this;
    }

    WsClient sendFrame(WebSocketFrame frame) {
        ws.writeFrame(frame);
        return this;
    }

    WsClient sendBinary(byte[] data) {
        ws.writeBinaryMessage(Buffer.buffer(data));
        return this;
    }

    /** The next message from the server. */
    JsonNode next() {
        try {
            JsonNode n = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(n).as("a message from the server within %d s (closed: %s)", TIMEOUT_SECONDS, closed.getNow(null)).isNotNull();
            return n;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next binary message from the server. */
    byte[] nextBinary() {
        try {
            byte[] b = receivedBinary.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(b).as("a binary message from the server within %d s (closed: %s)", TIMEOUT_SECONDS, closed.getNow(null)).isNotNull();
            return b;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text messages received and not taken yet. */
    int textMessagesWaiting() {
        return received.size();
    }

    /** The next message, or null when none arrives within {@code millis}. */
    JsonNode poll(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Sends hello and expects hello_ok. */
    WsClient hello(String jwt) {
        ObjectNode hello = F.objectNode().put("type", "hello");
        hello.put("jwt", jwt);
        send(hello);
        JsonNode answer = next();
        assertThat(answer.path("type").asText()).as("answer to hello: %s", answer).isEqualTo("hello_ok");
        return this;
    }

    /** Sends a request message. */
    WsClient request(int requestId, ObjectNode request) {
        return send(F.objectNode().put("type", "request").put("request_id", requestId).set("request", request));
    }

    /** Sends a request and returns its response_ok's {@code response}, failing on anything else. */
    JsonNode call(int requestId, ObjectNode request) {
        request(requestId, request);
        JsonNode answer = next();
        assertThat(answer.path("type").asText()).as("answer %s", answer).isEqualTo("response_ok");
        assertThat(answer.path("request_id").asInt()).isEqualTo(requestId);
        assertThat(answer.path("response").path("type").asText()).isEqualTo(request.path("type").asText());
        return answer.path("response");
    }

    /** Sends a request and returns its response_error's {@code error}, failing on anything else. */
    JsonNode callError(int requestId, ObjectNode request) {
        request(requestId, request);
        JsonNode answer = next();
        assertThat(answer.path("type").asText()).as("answer %s", answer).isEqualTo("response_error");
        assertThat(answer.path("request_id").asInt()).isEqualTo(requestId);
        return answer.path("error");
    }

    /** The close code the server closed with (null: the connection ended without a close frame). */
    Short awaitClose() {
        try {
            return closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the server did not close the connection within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    boolean isClosed() {
        return closed.isDone();
    }

    String closeReason() {
        return closeReason;
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            ws.close();
            try {
                closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
        }
        http.close();
    }

    // ---- request builders ----

    static ObjectNode openStream(int streamId) {
        return F.objectNode().put("type", "open_stream").put("stream_id", streamId);
    }

    static ObjectNode closeStream(int streamId) {
        return F.objectNode().put("type", "close_stream").put("stream_id", streamId);
    }

    static ObjectNode stmt(String sql, JsonNode... args) {
        ObjectNode s = F.objectNode().put("sql", sql);
        if (args.length > 0) {
            ArrayNode a = s.putArray("args");
            for (JsonNode arg : args) {
                a.add(arg);
            }
        }
        return s;
    }

    static ObjectNode execute(int streamId, ObjectNode stmt) {
        return F.objectNode().put("type", "execute").put("stream_id", streamId).set("stmt", stmt);
    }

    static ObjectNode execute(int streamId, String sql) {
        return execute(streamId, stmt(sql));
    }

    static ObjectNode batch(int streamId, ObjectNode... steps) {
        ObjectNode b = F.objectNode();
        ArrayNode s = b.putArray("steps");
        for (ObjectNode step : steps) {
            s.add(step);
        }
        return F.objectNode().put("type", "batch").put("stream_id", streamId).set("batch", b);
    }

    static ObjectNode step(ObjectNode condition, String sql) {
        ObjectNode step = F.objectNode();
        if (condition != null) {
            step.set("condition", condition);
        }
        step.set("stmt", stmt(sql));
        return step;
    }

    static ObjectNode integer(long v) {
        return F.objectNode().put("type", "integer").put("value", Long.toString(v));
    }

    static ObjectNode text(String v) {
        return F.objectNode().put("type", "text").put("value", v);
    }

    /** The rows of a StmtResult as lists of the values' JSON {@code value} texts. */
    static List<List<String>> rows(JsonNode result) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : result.path("rows")) {
            List<String> values = new ArrayList<>();
            for (JsonNode v : row) {
                values.add(v.path("type").asText().equals("null") ? null : v.path("value").asText());
            }
            rows.add(values);
        }
        return rows;
    }
}
