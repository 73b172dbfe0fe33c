package io.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.vertx.http.HttpServerStart;
import io.sluice.auth.Access;
import io.sluice.auth.Principal;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.SluiceMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The self-warm-up: for {@code sluice.warmup.duration} after the data port opens, the server sends Hrana
 * requests to itself over loopback, through the whole request path (Vert.x, authentication, parsing, the
 * inline read path and the stream path with a pooled lease, the backend, the JSON answer), so that the JIT
 * compiles that path before readiness goes UP and the load balancer sends real traffic.
 *
 * <pre>
 *   PENDING --(data port open)--> WARMING --(duration over)--> DONE
 *   PENDING --(duration 0s)-----------------------------------> DONE
 * </pre>
 *
 * <p>Every statement is a read that both dialects run ({@code SELECT}, {@code VALUES}) and the warm-up's
 * principal has {@code ro} access, so the engine refuses it any write. With JWT authentication its requests
 * carry a random per-process pass that is accepted only while the warm-up runs ({@link #principalFor}). No
 * meter counts them: {@link SluiceMetrics} is muted while it runs.
 */
@Singleton
public class SelfWarmup {
    private static final Logger LOG = Logger.getLogger(SelfWarmup.class);
    /** Requests in flight at once: enough to use both compilers' queues, few enough to leave the pool alone. */
    private static final int CONCURRENCY = 4;
    private static final Principal PRINCIPAL = new Principal("sluice-warmup", Access.READ_ONLY);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the warm-up is. */
    public enum State { PENDING, WARMING, DONE }

    /** One request shape: a path and a body; {@code followUp} sends a second request on the stream it opened. */
    private record Shape(String path, String body, String followUp) {
    }

    private static final String V2 = "/v2/pipeline";
    private static final String V3 = "/v3/pipeline";
    private static final List<Shape> SHAPES = List.of(
            // a one-off query as @libsql/client sends it (the inline read path)
            new Shape(V2, "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}", null),
            // arguments of every value type, several rows and columns
            new Shape(V3, "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ? AS i, ? AS t, ? AS f, ? AS b\","
                    + "\"args\":[{\"type\":\"integer\",\"value\":\"42\"},{\"type\":\"text\",\"value\":\"warm\"},"
                    + "{\"type\":\"float\",\"value\":1.5},{\"type\":\"blob\",\"base64\":\"AAEC\"}]}},{\"type\":\"close\"}]}", null),
            new Shape(V3, "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"VALUES (1, 'a', 1.5), (2, 'b', 2.5), (3, 'c', 3.5)\"}},"
                    + "{\"type\":\"close\"}]}", null),
            // a batch with conditions, as the client's batch() sends it
            new Shape(V3, "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"}},"
                    + "{\"condition\":{\"type\":\"ok\",\"step\":0},\"stmt\":{\"sql\":\"SELECT 2\"}},"
                    + "{\"condition\":{\"type\":\"not\",\"cond\":{\"type\":\"ok\",\"step\":1}},\"stmt\":{\"sql\":\"SELECT 3\"}}]}},"
                    + "{\"type\":\"close\"}]}", null),
            // an interactive stream: the first request keeps it open, the second uses its baton and closes it
            new Shape(V3, "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\",\"want_rows\":true}}]}",
                    "{\"baton\":%s,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"VALUES (1), (2)\"}},{\"type\":\"close\"}]}"));

    private final Duration duration;
    private final Vertx vertx;
    private final SluiceMetrics metrics;
    private final String pass;
    private volatile State state;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    SelfWarmup(SluiceConfig config, Vertx vertx, SluiceMetrics metrics) {
        this.duration = config.warmup().duration();
        this.vertx = vertx;
        this.metrics = metrics;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.pass = "Bearer sluice-warmup." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        this.state = duration.isZero() || duration.isNegative() ? State.DONE : State.PENDING;
    }

    /** True once the warm-up is over, or when it is off: readiness stays DOWN while this is false. */
    public boolean isDone() {
        return state == State.DONE;
    }

    /** What readiness shows. */
    public State state() {
        return state;
    }

    /** Requests that got no 200 answer so far. */
    public long failureCount() {
        return failures.get();
    }

    /** Requests sent so far. */
    public long requestCount() {
        return requests.get();
    }

    /**
     * The warm-up's principal when {@code authorization} is its pass and the warm-up is running, else null.
     * The pass is compared in constant time and is never accepted once the warm-up is over.
     */
    Principal principalFor(String authorization) {
        if (state != State.WARMING || authorization == null) {
            return null;
        }
        return MessageDigest.isEqual(pass.getBytes(StandardCharsets.US_ASCII), authorization.getBytes(StandardCharsets.US_ASCII))
                ? PRINCIPAL : null;
    }

    /** Quarkus fires this (asynchronously) once the data port listens. */
    synchronized void onHttpStart(@ObservesAsync HttpServerStart start) {
        if (state != State.PENDING) {
            return;
        }
        int port = start.options().getPort();
        if (port == 0) {
            // a random port (tests): Quarkus publishes the one it got, through its value registry's configuration
            // source, before it fires this event
            String name = LaunchMode.current().isDevOrTest() ? "quarkus.http.test-port" : "quarkus.http.port";
            port = ConfigProvider.getConfig().getOptionalValue(name, Integer.class).orElse(0);
        }
        String host = start.options().getHost();
        if (host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        if (port <= 0) {
            LOG.warn("self-warm-up skipped: the data port is not known yet (port 0)");
            finish(null, System.nanoTime());
            return;
        }
        state = State.WARMING;
        metrics.mute(true);
        long begun = System.nanoTime();
        long deadline = begun + duration.toNanos();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
                .setKeepAlive(true).setMaxPoolSize(CONCURRENCY));
        AtomicInteger running = new AtomicInteger(CONCURRENCY);
        for (int w = 0; w < CONCURRENCY; w++) {
            loop(client, w, deadline, () -> {
                if (running.decrementAndGet() == 0) {
                    finish(client, begun);
                }
            });
        }
        // a stuck request must not hold readiness: the warm-up ends at its deadline plus a margin regardless
        vertx.setTimer(Math.max(1, duration.toMillis() + 2000), id -> finish(client, begun));
    }

    private void loop(HttpClient client, int index, long deadline, Runnable done) {
        if (state != State.WARMING || System.nanoTime() >= deadline) {
            done.run();
            return;
        }
        Shape shape = SHAPES.get(index % SHAPES.size());
        send(client, shape.path(), shape.body()).compose(body -> {
            if (shape.followUp() == null) {
                return Future.succeededFuture(body);
            }
            return send(client, shape.path(), shape.followUp().formatted(baton(body)));
        }).onComplete(r -> {
            if (r.failed()) {
                failures.incrementAndGet();
            }
            loop(client, index + CONCURRENCY, deadline, done);
        });
    }

    private Future<Buffer> send(HttpClient client, String path, String body) {
        requests.incrementAndGet();
        return client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                .putHeader("Authorization", pass).putHeader("Content-Type", HranaHandler.JSON))
                .compose(req -> req.send(Buffer.buffer(body)))
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : Future.failedFuture("HTTP " + resp.statusCode()));
    }

    /** The baton of a pipeline answer, as a JSON string literal ({@code null} when there is none). */
    private static String baton(Buffer body) {
        try {
            JsonNode baton = JSON.readTree(body.getBytes()).get("baton");
            return baton == null ? "null" : baton.toString();
        } catch (java.io.IOException e) {
            return "null";
        }
    }

    private synchronized void finish(HttpClient client, long begun) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        metrics.mute(false);
        if (client != null) {
            client.close();
            LOG.infof("self-warm-up: %d requests (%d failed) in %d ms; readiness follows the other checks now",
                    requests.get(), failures.get(), (System.nanoTime() - begun) / 1_000_000);
        }
    }
}
