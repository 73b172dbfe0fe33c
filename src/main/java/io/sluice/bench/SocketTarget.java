package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sluice over Hrana's WebSocket transport ({@code hrana3}, JSON), as {@code @libsql/client} talks to a
 * {@code libsql://} or {@code ws://} URL: one WebSocket per connection, a {@code hello} with the token once,
 * then per operation a stream of its own, its requests sent together ({@code open_stream}, the statement or
 * batch, {@code close_stream}) and their answers awaited. The interactive transaction keeps its stream across
 * its four steps, as the client's {@code transaction()} does. The tables are prepared over HTTP
 * ({@link HranaTarget}); the event loops are shared the same way.
 */
final class SocketTarget implements Target {
    private static final byte[] RESPONSE_ERROR = "\"response_error\"".getBytes(StandardCharsets.US_ASCII);

    /** Prepares the tables over HTTP and lends the event loops, token, scheme, host and port. */
    private final HranaTarget http;
    private final String path;

    SocketTarget(List<Vertx> loops, URI base, String token) {
        this.http = new HranaTarget(loops, base, token);
        this.path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
    }

    @Override
    public String name() {
        return "sluice";
    }

    @Override
    public String engine() {
        return http.engine() + ", WebSocket";
    }

    @Override
    public void prepare(Workload workload, int rows) throws BenchException {
        http.prepare(workload, rows);
    }

    @Override
    public void start(Load load) throws BenchException {
        HranaTarget.deploy(http.loops, load, "WebSocket", (vertx, tally, connections) -> {
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTcpNoDelay(true).setSsl(http.tls)
                    .setVerifyHost(http.tls).setConnectTimeout(5_000).setIdleTimeout((int) HranaTarget.TIMEOUT_MS)
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
            for (int index : connections) {
                Connection c = new Connection(client, index, load.plan());
                // after a failure the next operation connects again
                new LaneLoop(vertx, load, load.lane(index, tally), c::operation, () -> c.socket = null).next();
            }
        });
    }

    /** One WebSocket's operations ({@link LaneLoop} drives them): send an operation's requests, await their answers. */
    private final class Connection {
        private final WebSocketClient client;
        private final Workload workload;
        private final int rows;
        private final String insertPrefix;
        private Future<WebSocket> socket;
        private long seq;
        private long requestId;
        private long streamId;
        /** The operation's step in flight: completes with null or the first error once {@link #awaited} answers arrived. */
        private Promise<String> step;
        private int awaited;
        private String firstError;

        Connection(WebSocketClient client, int index, Runner.Plan plan) {
            this.client = client;
            this.workload = plan.workload();
            this.rows = plan.rows();
            this.insertPrefix = HranaJson.insertPrefix(plan.runId(), index);
        }

        Future<String> operation() {
            long stream = ++streamId;
            return switch (workload) {
                case SELECT1 -> call(open(stream), execute(stream, HranaJson.SELECT1_STMT), close(stream));
                case POINT_READ -> call(open(stream), execute(stream, HranaJson.pointRead(rows)), close(stream));
                case INSERT -> call(open(stream), execute(stream, HranaJson.insert(insertPrefix, seq++)), close(stream));
                case BATCH -> {
                    String batch = request("{\"type\":\"batch\",\"stream_id\":" + stream + ",\"batch\":" + HranaJson.writeBatch(insertPrefix, seq)
                            + "}");
                    seq += 10;
                    yield call(open(stream), batch, close(stream));
                }
                case TRANSACTION -> transaction(stream);
            };
        }

        /** BEGIN + INSERT, INSERT, a point read, COMMIT + close_stream: four round trips on one stream. */
        private Future<String> transaction(long stream) {
            return call(open(stream), execute(stream, HranaJson.BEGIN_STMT), execute(stream, HranaJson.insert(insertPrefix, seq++)))
                    .compose(e -> e != null ? abandon(stream, e) : call(execute(stream, HranaJson.insert(insertPrefix, seq++))))
                    .compose(e -> e != null ? abandon(stream, e) : call(execute(stream, HranaJson.pointRead(rows))))
                    .compose(e -> e != null ? abandon(stream, e) : call(execute(stream, HranaJson.COMMIT_STMT), close(stream)));
        }

        /** Closes the stream of a transaction that failed half-way (its transaction rolls back), then answers {@code error}. */
        private Future<String> abandon(long stream, String error) {
            return call(close(stream)).transform(x -> Future.succeededFuture(error));
        }

        private String open(long stream) {
            return request("{\"type\":\"open_stream\",\"stream_id\":" + stream + "}");
        }

        private String close(long stream) {
            return request("{\"type\":\"close_stream\",\"stream_id\":" + stream + "}");
        }

        private String execute(long stream, String stmt) {
            return request("{\"type\":\"execute\",\"stream_id\":" + stream + ",\"stmt\":" + stmt + "}");
        }

        private String request(String body) {
            return "{\"type\":\"request\",\"request_id\":" + ++requestId + ",\"request\":" + body + "}";
        }

        /** Sends {@code messages} together; completes with null or the first error once each is answered. */
        private Future<String> call(String... messages) {
            return connected().compose(ws -> {
                step = Promise.promise();
                awaited = messages.length;
                firstError = null;
                Future<String> answered = step.future();
                for (String m : messages) {
                    ws.writeTextMessage(m);
                }
                return answered;
            });
        }

        private Future<WebSocket> connected() {
            if (socket == null) {
                WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(http.host).setPort(http.port).setSsl(http.tls).setURI(path)
                        .addSubProtocol("hrana3");
                socket = client.connect(options).compose(ws -> {
                    Promise<WebSocket> greeted = Promise.promise();
                    ws.textMessageHandler(text -> onMessage(text, greeted));
                    ws.closeHandler(v -> onClosed(ws));
                    ws.writeTextMessage("{\"type\":\"hello\",\"jwt\":" + (http.token == null ? "null" : HranaJson.quote(http.token)) + "}");
                    return greeted.future().map(ws);
                });
            }
            return socket;
        }

        private void onMessage(String text, Promise<WebSocket> greeted) {
            if (!greeted.future().isComplete()) {
                if (text.contains("\"hello_ok\"")) {
                    greeted.complete();
                } else {
                    greeted.fail("hello refused: " + text);
                }
                return;
            }
            Promise<String> p = step;
            if (p == null) {
                return;
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (firstError == null && HranaJson.indexOf(bytes, RESPONSE_ERROR) >= 0) {
                String code = HranaJson.codeOf(bytes);
                firstError = "Hrana " + (code == null ? "error without code" : code);
            }
            if (--awaited == 0) {
                step = null;
                p.complete(firstError);
            }
        }

        private void onClosed(WebSocket ws) {
            if (socket != null && socket.result() == ws) {
                socket = null; // the next operation connects again
            }
            Promise<String> p = step;
            step = null;
            if (p != null) {
                p.fail("WebSocket closed (" + ws.closeStatusCode() + " " + ws.closeReason() + ")");
            }
        }
    }
}
