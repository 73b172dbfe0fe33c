package io.sluice.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Sends a request whose baton belongs to another replica to that replica and relays its answer
 * unchanged (status, content type, body; cursor bodies chunk by chunk). The owner's address comes from
 * the signed baton, so only a replica holding the shared key can direct a forward. A forwarded request
 * is never forwarded again, and an owner that cannot be reached means the stream is gone:
 * {@code STREAM_EXPIRED}, promptly.
 */
@Singleton
public class StreamForwarder {
    private static final Logger LOG = Logger.getLogger(StreamForwarder.class);
    static final String FORWARDED_HEADER = "x-sluice-forwarded";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    // Built on the first forward, not at start-up: creating an HttpClient initialises the JDK's TLS stack
    // (a few hundred classes and the default SSLContext), which readiness does not need and a single
    // replica never uses.
    private volatile HttpClient client;
    private final AtomicLong forwarded = new AtomicLong();

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(CONNECT_TIMEOUT)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    /** Requests relayed to their owner so far. */
    public long forwardedCount() {
        return forwarded.get();
    }

    void forward(RoutingContext ctx, String owner, byte[] body) {
        if (ctx.request().getHeader(FORWARDED_HEADER) != null) {
            // the owner named in the baton forwarded it back: that replica no longer has the stream
            throw StreamManager.streamExpired();
        }
        URI target;
        try {
            target = URI.create(stripSlash(owner) + ctx.request().path());
        } catch (IllegalArgumentException e) {
            throw StreamManager.streamExpired();
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(target)
                .timeout(RESPONSE_TIMEOUT)
                .header("Content-Type", requestType(ctx))
                .header(FORWARDED_HEADER, "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (auth != null) {
            req.header("Authorization", auth);
        }
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        if (accept != null) {
            req.header("Accept", accept); // the owner answers errors in the encoding the client asked for
        }
        HttpResponse<InputStream> answer;
        try {
            answer = client().send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            LOG.debugf("stream owner %s unreachable: %s", owner, e.getClass().getSimpleName());
            throw StreamManager.streamExpired();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StreamManager.streamExpired();
        }
        String answerType = answer.headers().firstValue("content-type").orElse("");
        if (answer.statusCode() == 503 && !answerType.startsWith(HranaHandler.JSON) && !answerType.startsWith(BodyEncoding.PROTOBUF_TYPE)) {
            // the owner's HTTP server itself refused: it is past its drain and stopping, so the stream is gone
            closeQuietly(answer);
            throw StreamManager.streamExpired();
        }
        forwarded.incrementAndGet();
        LOG.debugf("forwarded %s to stream owner %s: %d", ctx.request().path(), owner, answer.statusCode());
        relay(ctx.response(), answer);
    }

    /** The body's type as the owner must read it: Protobuf on the Protobuf endpoints, JSON everywhere else. */
    private static String requestType(RoutingContext ctx) {
        return ctx.get(HranaHandler.ENCODING) instanceof BodyEncoding.Protobuf ? BodyEncoding.PROTOBUF_TYPE : HranaHandler.JSON;
    }

    private static void relay(HttpServerResponse response, HttpResponse<InputStream> answer) {
        response.setStatusCode(answer.statusCode());
        answer.headers().firstValue("content-type").ifPresent(ct -> response.putHeader(HttpHeaders.CONTENT_TYPE, ct));
        answer.headers().firstValue("retry-after").ifPresent(ra -> response.putHeader(HttpHeaders.RETRY_AFTER, ra));
        response.setChunked(true);
        byte[] chunk = new byte[CursorWriter.CHUNK_BYTES];
        try (InputStream in = answer.body()) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (response.closed()) {
                    return;
                }
                response.write(Buffer.buffer().appendBytes(chunk, 0, n));
            }
        } catch (IOException e) {
            LOG.debugf("relaying the owner's answer failed: %s", e.getClass().getSimpleName());
            response.reset();
            return;
        }
        if (!response.closed()) {
            response.end();
        }
    }

    private static void closeQuietly(HttpResponse<InputStream> answer) {
        try {
            answer.body().close();
        } catch (IOException e) {
            // nothing to release beyond the connection
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
