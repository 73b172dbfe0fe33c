package io.sluice.gateway;

import io.sluice.config.SluiceConfig;
import io.sluice.gateway.Hrana.Version;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.metrics.SluiceMetrics.Endpoint;
import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Registers the Hrana endpoints on the HTTP router. Pipelines and cursors run on worker threads
 * (JDBC blocks); the probes and {@code /version} answer on the event loop. A client's base URL may carry
 * a path, so every endpoint also matches under a prefix.
 *
 * <p>A POST is admitted in this order, each step before the next one costs anything: the bearer token is
 * checked on the headers alone, then the declared {@code Content-Length} against the request limit, then the
 * body is reserved in the shared {@link BodyBudget}; only then is the body read. A request refused before
 * its body was read is answered at once with its Hrana error and {@code Connection: close}, and the
 * connection is closed, so no unread body is ever buffered or parsed. The routes run before Quarkus' own
 * body-size check, which would answer 413 without the Hrana error body.
 */
@ApplicationScoped
public class HranaRoutes {
    private static final Logger LOG = Logger.getLogger(HranaRoutes.class);
    /** Where Hrana is never served, over HTTP or WebSocket: the admin API and Quarkus' endpoints. */
    private static final List<String> NOT_HRANA = List.of("/admin/", "/q/");
    /** Any path prefix a client URL may carry, except {@link #NOT_HRANA}. */
    private static final String PREFIX = "^(?!" + NOT_HRANA.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")(?:/[^?#]*)?";
    /**
     * Before Quarkus' upload-limit route ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2): the Hrana routes enforce their
     * own limit; and before the WebSocket upgrade route (-3), a GET route without a path, which a POST that passed it
     * would pay for (Vert.x gathers the methods of every route whose path matched and method did not, for a 405).
     */
    public static final int ORDER = -4;

    private final HranaHandler handler;
    private final Vertx vertx;
    private final SluiceMetrics metrics;
    private final SluiceConfig.Gateway config;
    private final String version;
    private final BodyBudget budget;
    private final BodyReader.Pace pace;
    private volatile int maxRequestBytes;

    HranaRoutes(HranaHandler handler, SluiceConfig config, SluiceMetrics metrics, Vertx vertx, BodyBudget budget) {
        this.handler = handler;
        this.vertx = vertx;
        this.metrics = metrics;
        this.config = config.gateway();
        this.version = "sluice " + ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("dev");
        this.budget = budget;
        this.maxRequestBytes = this.config.maxRequestBytes();
        this.pace = new BodyReader.Pace(this.config.requestBodyTimeout().toNanos(), this.config.requestBodyMinRate());
    }

    /** Whether a request to {@code path} may reach Hrana: every path but {@link #NOT_HRANA} (the WebSocket upgrade asks too). */
    public static boolean servesPath(String path) {
        return NOT_HRANA.stream().noneMatch(path::startsWith);
    }

    /** Changes the largest accepted request body for requests arriving from now on. */
    void maxRequestBytes(int bytes) {
        maxRequestBytes = bytes;
    }

    void register(@Observes Router router) {
        List<PostRoute> posts = List.of(
                post("/v2/pipeline", Endpoint.PIPELINE_V2, null, true, ctx -> handler.pipelineInline(ctx, Version.V2),
                        ctx -> handler.pipeline(ctx, Version.V2)),
                post("/v3/pipeline", Endpoint.PIPELINE_V3, null, true, ctx -> handler.pipelineInline(ctx, Version.V3),
                        ctx -> handler.pipeline(ctx, Version.V3)),
                post("/v3/cursor", Endpoint.CURSOR, null, false, handler::cursorInline, handler::cursor),
                post("/v3-protobuf/pipeline", Endpoint.PIPELINE_V3_PROTOBUF, BodyEncoding.PROTOBUF, true,
                        ctx -> handler.pipelineInline(ctx, BodyEncoding.PROTOBUF), ctx -> handler.pipeline(ctx, BodyEncoding.PROTOBUF)),
                post("/v3-protobuf/cursor", Endpoint.CURSOR_PROTOBUF, BodyEncoding.PROTOBUF, false,
                        ctx -> handler.cursorInline(ctx, BodyEncoding.PROTOBUF), ctx -> handler.cursor(ctx, BodyEncoding.PROTOBUF)));
        // every path as it is first, matched by comparison, then every path under any prefix, by a regular
        // expression: a request to a path as it is runs no regular expression on its way to its route, and a route
        // ends every request it takes, so no request goes on to a second one
        posts.forEach(p -> p.handlers().accept(router.post(p.path())));
        posts.forEach(p -> p.handlers().accept(router.postWithRegex(underAnyPrefix(p.path()))));
        if (handler.queuesForLeases()) {
            vertx.setPeriodic(LeaseQueue.SWEEP_MILLIS, id -> handler.sweepLeaseQueue());
        }
        Handler<RoutingContext> ok = ctx -> ctx.response().setStatusCode(200).end();
        for (String probe : List.of("/v2", "/v3", "/v3-protobuf", "/health")) {
            router.getWithRegex(underAnyPrefix(probe)).handler(ok);
        }
        router.getWithRegex(underAnyPrefix("/version")).handler(ctx -> ctx.response().setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(version));
    }

    /** A Hrana POST endpoint: its path, and what gives a route for it the endpoint's handlers. */
    private record PostRoute(String path, Consumer<Route> handlers) {
    }

    /**
     * @param encoding the encoding the endpoint answers errors in; null for JSON
     * @param queued whether a request that opens a stream waits in the {@link LeaseQueue} (PostgreSQL) rather than on a worker
     * @param inline runs on the I/O thread first: answers cheap requests itself or calls {@code next()}
     * @param work runs on a worker thread
     */
    private PostRoute post(String path, Endpoint endpoint, BodyEncoding encoding, boolean queued, Handler<RoutingContext> inline,
            Handler<RoutingContext> work) {
        Handler<RoutingContext> headersFirst = ctx -> {
            if (encoding != null) {
                ctx.put(HranaHandler.ENCODING, encoding);
            }
            admitHeaders(ctx);
        };
        Handler<RoutingContext> body = ctx -> BodyReader.read(ctx, maxRequestBytes, pace);
        Handler<RoutingContext> queue = ctx -> handler.queueForLease(ctx, work);
        Handler<RoutingContext> failed = ctx -> {
            metrics.request(endpoint, outcome(ctx));
            failure(ctx);
        };
        return new PostRoute(path, route -> {
            route.order(ORDER).handler(headersFirst).handler(body).handler(inline);
            if (queued) {
                route.handler(queue);
            }
            route.blockingHandler(work, false).failureHandler(failed);
        });
    }

    /**
     * Everything decided on the headers, before the body is read: the caller, the declared size, and a
     * reservation in the body budget that is given back when the exchange ends.
     */
    private void admitHeaders(RoutingContext ctx) {
        handler.authenticate(ctx);
        int limit = maxRequestBytes;
        long declared = declaredLength(ctx);
        if (declared > limit) {
            throw ProtocolException.tooLarge();
        }
        long reserve = Math.min(declared < 0 ? limit : declared, config.maxBufferedRequestBytes());
        String caller = HranaHandler.shareKey(ctx);
        switch (budget.reserve(caller, reserve, reserve)) {
            case BUSY -> throw new ProtocolException(HranaError.SERVER_BUSY, "The server is reading too many request bodies; retry shortly");
            case OVER_CALLER_SHARE -> throw new ProtocolException(HranaError.PRINCIPAL_BODIES_EXHAUSTED,
                    "This caller's request bodies already hold its share of the server's request budget; retry shortly");
            case RESERVED -> ctx.addEndHandler(done -> budget.release(caller, reserve));
        }
        ctx.next();
    }

    /** The declared body size, or -1 when the body is chunked. */
    private static long declaredLength(RoutingContext ctx) {
        String header = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (header == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(header.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ProtocolException.badRequest("Invalid Content-Length");
    }

    /** Bytes of request bodies reserved right now (for tests and diagnostics). */
    long bufferedRequestBytes() {
        return budget.reserved();
    }

    private static RequestOutcome outcome(RoutingContext ctx) {
        if (clientGone(ctx)) {
            return RequestOutcome.CLIENT_CLOSED;
        }
        if (ctx.failure() instanceof ProtocolException p) {
            return outcome(p);
        }
        return ctx.statusCode() >= 400 && ctx.statusCode() < 500 ? RequestOutcome.BAD_REQUEST : RequestOutcome.SERVER_ERROR;
    }

    /** The metric outcome of a request refused or failed whole with {@code p}, on every transport. */
    static RequestOutcome outcome(ProtocolException p) {
        return p.outcome();
    }

    /**
     * Whether the request failed because its client's connection went away, closed or reset (an I/O failure can only
     * come from the connection: the handlers' own failures are unchecked), not through any fault of the server's.
     */
    private static boolean clientGone(RoutingContext ctx) {
        return ctx.failure() instanceof HttpClosedException || ctx.failure() instanceof IOException || ctx.response().closed();
    }

    /** The regular expression of {@code path} under any path prefix a client URL may carry ({@link #PREFIX}). */
    private static String underAnyPrefix(String path) {
        return PREFIX + path.replace("/", "\\/") + "$";
    }

    /** Every failure becomes a Hrana error object with {@code Content-Type: application/json} exactly. */
    static void failure(RoutingContext ctx) {
        if (!ctx.request().isEnded() && !ctx.response().headWritten() && ctx.request().version() != HttpVersion.HTTP_2) {
            // refused before its body was read: say so, then close instead of reading or buffering the rest.
            // (An HTTP/2 connection carries other clients' streams; its flow control already stops the body.)
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            // an end handler of the context, after the one that gives the body's reservation back: the response's own
            // end handler is where the context runs them, and setting it would drop them
            ctx.addEndHandler(v -> ctx.request().connection().close());
        }
        if (clientGone(ctx)) {
            return; // the client went away, while its body was read or its answer written: no one to answer
        }
        if (ctx.response().headWritten()) {
            if (!ctx.response().closed()) {
                ctx.response().reset();
            }
            return;
        }
        Throwable t = ctx.failure();
        if (t == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            // refused by Vert.x itself with a status alone (a malformed request)
            HranaHandler.respondError(ctx, ctx.statusCode(), "Bad request", HranaError.HRANA_PROTO_ERROR.code());
            return;
        }
        ProtocolException p = ProtocolException.of(t);
        if (p.retryAfterSeconds() != null) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, p.retryAfterSeconds().toString());
        }
        if (p.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        HranaHandler.respondError(ctx, p.status(), p.getMessage(), p.code());
    }
}
