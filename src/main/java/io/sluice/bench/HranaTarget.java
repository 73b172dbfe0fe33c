package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sluice over HTTP with Vert.x's asynchronous client, as wrk drives a server: a few event loops
 * ({@code --threads}), each owning its share of the keep-alive connections, one request in flight per
 * connection. Each event loop is the only one of a Vert.x instance of its own: Vert.x picks a deployment's
 * event loop round-robin from a counter that its own start-up work also advances, so two deployments on one
 * instance can share a loop and leave the other idle. Sends the pipelines the libSQL clients send ({@code /v2/pipeline}, as {@code @libsql/client}
 * does) over {@link HttpLink}s (HTTP/1.1 written and read on plain TCP connections, without a client pool);
 * request bodies are assembled from constant pieces (select1's whole request is encoded once per connection)
 * and answers are checked by a byte scan, so the generator spends its CPU on I/O, not on HTTP or JSON.
 */
final class HranaTarget implements Target {
    static final String PIPELINE = "/v2/pipeline";
    private static final byte[] BATON = "\"baton\":\"".getBytes(StandardCharsets.US_ASCII);
    /** As long as the blocking client of earlier versions waited for an answer. */
    static final long TIMEOUT_MS = 60_000;

    final List<Vertx> loops;
    private final URI base;
    /** The data API token, or null; the server's scheme, host and port ({@link SocketTarget} connects there too). */
    final String token;
    final boolean tls;
    final String host;
    final int port;
    private final String path;

    /**
     * @param loops the command's own Vert.x instances (not the server's: the CLI never boots Quarkus), one
     *     event loop each
     */
    HranaTarget(List<Vertx> loops, URI base, String token) {
        this.loops = List.copyOf(loops);
        this.base = base;
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.tls = "https".equalsIgnoreCase(base.getScheme());
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : (tls ? 443 : 80);
        String p = base.getRawPath() == null ? "" : base.getRawPath();
        this.path = (p.endsWith("/") ? p.substring(0, p.length() - 1) : p) + PIPELINE;
    }

    @Override
    public String name() {
        return "sluice";
    }

    @Override
    public String engine() {
        return loops.size() + (loops.size() == 1 ? " event loop" : " event loops");
    }

    private HttpClient client(Vertx vertx, int connections) {
        // an idle timeout on the connection, not on each request: a per-request timeout costs a timer per request
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false).setSsl(tls)
                .setConnectTimeout(5_000).setIdleTimeout((int) TIMEOUT_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections));
    }

    /** The client of the measured connections: plain TCP, with HTTP/1.1 written and read by {@link HttpLink}. */
    private NetClientOptions netOptions() {
        // an idle timeout on the connection, not on each request: a per-request timeout costs a timer per request
        NetClientOptions options = new NetClientOptions().setTcpNoDelay(true).setSsl(tls).setConnectTimeout(5_000)
                .setIdleTimeout((int) TIMEOUT_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        if (tls) {
            // as the HTTP client does: the server's certificate must name the host
            options.setHostnameVerificationAlgorithm("HTTPS");
        }
        return options;
    }

    /** A whole POST of {@code body} to the pipeline endpoint, with the headers {@link #post} sets. */
    private Buffer request(byte[] body) {
        String headers = "Content-Type: application/json\r\n" + (token == null ? "" : "Authorization: Bearer " + token + "\r\n");
        return HttpLink.request("POST", host, port, tls, path, headers, body);
    }

    private RequestOptions post() {
        RequestOptions r = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path).setSsl(tls)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (token != null) {
            r.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return r;
    }

    /** An answer: status code and body bytes. */
    record Answer(int status, byte[] body) {
    }

    private static Future<Answer> send(HttpClient client, RequestOptions options, byte[] body) {
        return client.request(options).compose(req -> req.send(Buffer.buffer(body))
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.getBytes()))));
    }

    @Override
    public void prepare(Workload workload, int rows) throws BenchException {
        HttpClient client = client(loops.get(0), 1);
        try {
            RequestOptions options = post();
            execute(client, options, "SELECT 1");
            if (workload.rowsWritten > 0) {
                execute(client, options, Schema.CREATE_WRITE);
            }
            if (workload.needsReadTable()) {
                execute(client, options, Schema.CREATE_READ);
                JsonNode count = execute(client, options, Schema.COUNT_READ);
                long have = count.at("/rows/0/0/value").asLong(-1);
                if (have != rows) {
                    execute(client, options, Schema.CLEAR_READ);
                    execute(client, options, Schema.fillRead(rows));
                }
            }
        } finally {
            client.close();
        }
    }

    /** Runs one statement on a fresh stream and returns its StmtResult, or fails with the user's message. */
    private JsonNode execute(HttpClient client, RequestOptions options, String sql) throws BenchException {
        String body = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":" + HranaJson.quote(sql) + "}},{\"type\":\"close\"}]}";
        Answer r;
        try {
            r = send(client, options, body.getBytes(StandardCharsets.UTF_8)).toCompletionStage().toCompletableFuture()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new BenchException("cannot reach Sluice at " + base + ": " + describe(e.getCause()), true);
        } catch (TimeoutException e) {
            throw new BenchException("cannot reach Sluice at " + base + ": no answer within " + TIMEOUT_MS / 1000 + " s", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
        if (r.status() == 401 || r.status() == 403) {
            throw new BenchException("Sluice at " + base + " refused the data API token (HTTP " + r.status()
                    + "); pass a token minted by 'sluice auth:token' with --auth-token or SLUICE_AUTH_TOKEN");
        }
        JsonNode answer;
        try {
            answer = HranaJson.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new BenchException("Sluice at " + base + " answered HTTP " + r.status() + " with a body that is not JSON");
        }
        if (r.status() != 200) {
            throw new BenchException("Sluice at " + base + " answered HTTP " + r.status() + ": " + answer.path("message").asText(""));
        }
        JsonNode first = answer.path("results").path(0);
        if (!"ok".equals(first.path("type").asText())) {
            throw new BenchException("'" + sql + "' failed on Sluice: " + first.path("error").path("message").asText("unknown error"));
        }
        return first.path("response").path("result");
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void start(Load load) throws BenchException {
        deploy(loops, load, "HTTP", (vertx, tally, connections) -> {
            NetClient client = vertx.createNetClient(netOptions());
            for (int index : connections) {
                Connection c = new Connection(new HttpLink(client, host, port), index, load.plan());
                new LaneLoop(vertx, load, load.lane(index, tally), c::operation, () -> {
                }).next();
            }
        });
    }

    /** What one event loop does when it starts: set up its connections and set them going. */
    interface LoopStart {
        void start(Vertx vertx, Tally tally, List<Integer> connections);
    }

    /**
     * Deploys one verticle per event loop, which starts ({@code start}) with a tally of its own and the
     * connections it drives: connection {@code i} belongs to loop {@code i % loops}, so the loops share the
     * connections evenly.
     */
    static void deploy(List<Vertx> loops, Load load, String client, LoopStart start) throws BenchException {
        Runner.Plan plan = load.plan();
        int used = Math.min(loops.size(), plan.concurrency());
        List<Future<String>> deployments = new ArrayList<>(used);
        for (int l = 0; l < used; l++) {
            List<Integer> mine = new ArrayList<>();
            for (int i = l; i < plan.concurrency(); i += used) {
                mine.add(i);
            }
            Tally tally = load.newTally();
            deployments.add(loops.get(l).deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    start.start(vertx, tally, mine);
                }
            }));
        }
        try {
            Future.all(deployments).toCompletionStage().toCompletableFuture().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new BenchException("cannot start the " + client + " client: " + describe(e.getCause() == null ? e : e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }

    /** One connection's operations ({@link LaneLoop} drives them). */
    private final class Connection {
        private static final byte[] SELECT1 =
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}".getBytes(StandardCharsets.UTF_8);
        private static final String CLOSE = "{\"type\":\"close\"}";

        private final HttpLink link;
        /** The whole select1 request, encoded once. */
        private final Buffer select1 = request(SELECT1);
        private final Workload workload;
        private final int rows;
        private final String insertPrefix;
        private long seq;

        Connection(HttpLink link, int index, Runner.Plan plan) {
            this.link = link;
            this.workload = plan.workload();
            this.rows = plan.rows();
            this.insertPrefix = HranaJson.insertPrefix(plan.runId(), index);
        }

        /** One operation; its future holds null on success or the kind of error. */
        Future<String> operation() {
            return switch (workload) {
                case SELECT1 -> link.send(select1).map(Connection::check);
                case POINT_READ -> post(pipeline(null, execute(pointRead()), CLOSE)).map(Connection::check);
                case INSERT -> post(pipeline(null, execute(insert()), CLOSE)).map(Connection::check);
                case BATCH -> post(pipeline(null, batch(), CLOSE)).map(Connection::check);
                case TRANSACTION -> transaction();
            };
        }

        private Future<Answer> post(byte[] body) {
            return link.send(request(body));
        }

        /** BEGIN + INSERT, then INSERT, a point read, and COMMIT + close, each on the previous answer's baton. */
        private Future<String> transaction() {
            return post(pipeline(null, execute(HranaJson.BEGIN_STMT), execute(insert()))).compose(r -> {
                String error = check(r);
                return error != null ? abandon(r, error) : inTransaction(baton(r.body()), 0);
            });
        }

        private Future<String> inTransaction(String baton, int step) {
            if (step == 2) {
                return post(pipeline(baton, execute(HranaJson.COMMIT_STMT), CLOSE)).map(Connection::check);
            }
            return post(pipeline(baton, execute(step == 0 ? insert() : pointRead()))).compose(r -> {
                String error = check(r);
                if (error != null) {
                    return abandon(r, error);
                }
                String next = baton(r.body());
                return next == null ? Future.succeededFuture("Hrana stream closed in a transaction") : inTransaction(next, step + 1);
            });
        }

        /**
         * Closes the stream of a transaction that failed half-way (answer {@code r}, failure {@code error}), so
         * its open transaction does not hold the database's write lock until the stream's idle timeout, then
         * answers {@code error}.
         */
        private Future<String> abandon(Answer r, String error) {
            String baton = r.status() == 200 ? baton(r.body()) : null;
            Future<?> closed = baton == null ? Future.succeededFuture() : post(pipeline(baton, CLOSE));
            return closed.transform(x -> Future.succeededFuture(error));
        }

        private String pointRead() {
            return HranaJson.pointRead(rows);
        }

        private String insert() {
            return HranaJson.insert(insertPrefix, seq++);
        }

        private String batch() {
            String b = "{\"type\":\"batch\",\"batch\":" + HranaJson.writeBatch(insertPrefix, seq) + "}";
            seq += 10;
            return b;
        }

        private static String execute(String stmt) {
            return "{\"type\":\"execute\",\"stmt\":" + stmt + "}";
        }

        private static byte[] pipeline(String baton, String... requests) {
            StringBuilder b = new StringBuilder(512).append("{\"baton\":");
            b.append(baton == null ? "null" : "\"" + baton + "\"").append(",\"requests\":[");
            for (int i = 0; i < requests.length; i++) {
                b.append(i == 0 ? "" : ",").append(requests[i]);
            }
            return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }

        /**
         * The error kind of an answer, or null. Every Hrana error object has a {@code message}, and no
         * successful answer of these workloads contains that key, so a byte scan finds errors without
         * parsing every body; only failures are parsed for their code.
         */
        private static String check(Answer r) {
            if (r.status() != 200) {
                String code = HranaJson.codeOf(r.body());
                return "HTTP " + r.status() + (code == null ? "" : " " + code);
            }
            if (!HranaJson.mayHoldError(r.body())) {
                return null;
            }
            String code = HranaJson.codeOf(r.body());
            return "Hrana " + (code == null ? "error without code" : code);
        }

        private static String baton(byte[] body) {
            int at = HranaJson.indexOf(body, BATON);
            if (at < 0) {
                return null;
            }
            int start = at + BATON.length;
            int end = start;
            while (end < body.length && body[end] != '"') {
                end++;
            }
            return new String(body, start, end - start, StandardCharsets.US_ASCII);
        }

    }
}
