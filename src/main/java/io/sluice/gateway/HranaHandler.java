package io.sluice.gateway;

import io.sluice.auth.Access;
import io.sluice.auth.Principal;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.breaker.CircuitOpenException;
import io.sluice.config.SluiceConfig;
import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.Hrana.Version;
import io.sluice.gateway.RequestRunner.Result;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.metrics.SluiceMetrics.Endpoint;
import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.sluice.pool.Backend;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.ResponseBudget;
import io.sluice.sql.StatementException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Handles pipeline and cursor requests on a worker thread: authenticate, parse, run on the stream, answer. */
@Singleton
public class HranaHandler {
    static final String JSON = "application/json";
    /**
     * Names the calling application when authentication is off: it keys feature rollouts and the caller's
     * fair share. With authentication on it is ignored: the token alone says who the caller is.
     */
    static final String CLIENT_HEADER = "x-sluice-client";
    /** {@link #CLIENT_HEADER} with its case-insensitive hash computed once, not per lookup. */
    private static final CharSequence CLIENT_HEADER_NAME = HttpHeaders.createOptimized(CLIENT_HEADER);
    private static final String PRINCIPAL = "sluice.principal";
    private static final String ROOT = "sluice.body";
    /** The {@link BodyEncoding} of the endpoint a request arrived on; its errors are answered in it. */
    static final String ENCODING = "sluice.encoding";
    private static final String WATCH = "sluice.client-watch";
    /** The {@link StreamPlan} of a request that opens a stream, decided once at admission. */
    private static final String PLAN = "sluice.stream-plan";
    /** When a pipeline joined the {@link LeaseQueue}: the stream it opens waited for its connection from then. */
    private static final String QUEUED_AT = "sluice.queued-at";

    /** Bodies and WebSocket messages larger than this are parsed on a worker thread, not on the I/O thread they arrived on. */
    static final int PARSE_INLINE_BYTES = 64 * 1024;

    private final DataApiAuth auth;
    private final StreamManager streams;
    private final RequestRunner runner;
    private final StreamForwarder forwarder;
    private final SluiceMetrics metrics;
    private final InlineReads inline;
    private final CircuitBreaker breaker;
    private final SluiceConfig.Gateway config;

    private final Backend backend;
    /** On PostgreSQL stream-opening pipelines wait there for a connection, not as parked workers. */
    private final LeaseQueue leaseQueue;

    HranaHandler(DataApiAuth auth, StreamManager streams, RequestRunner runner, StreamForwarder forwarder, SluiceConfig config,
            SluiceMetrics metrics, InlineReads inline, CircuitBreaker breaker, Backend backend, LeaseQueue leaseQueue) {
        this.backend = backend;
        this.leaseQueue = leaseQueue;
        this.auth = auth;
        this.breaker = breaker;
        this.inline = inline;
        this.metrics = metrics;
        this.streams = streams;
        this.forwarder = forwarder;
        this.runner = runner;
        this.config = config.gateway();
    }

    /**
     * On the I/O thread: answers a stream-less read pipeline through the {@link InlineReads} fast path, or
     * hands the (already parsed) request on to the worker path.
     */
    void pipelineInline(RoutingContext ctx, Version version) {
        pipelineInline(ctx, BodyEncoding.json(version));
    }

    void pipelineInline(RoutingContext ctx, BodyEncoding encoding) {
        byte[] body = BodyReader.of(ctx);
        if (body.length > PARSE_INLINE_BYTES) {
            parseOnWorker(ctx, () -> encoding.pipelineBody(body)); // and on to the worker path: the fast path is for small reads
            return;
        }
        BodyEncoding.RequestBody root = admit(ctx, encoding.pipelineBody(body));
        if (root.baton() == null && root.isPipeline()) {
            Buffer answer;
            try {
                StreamPlan plan = ctx.get(PLAN);
                answer = inline.tryAnswer(root.requests(), plan.policy(), results -> encoding.pipelineResponse(null, results, 0));
            } catch (ProtocolException e) {
                answer = null; // the worker path reports it, with the stream semantics that go with it
            }
            if (answer != null) {
                ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, encoding.contentType()).end(answer);
                metrics.request(encoding.pipelineEndpoint(), RequestOutcome.OK);
                return;
            }
        }
        ctx.next();
    }

    /** A pipeline waiting in the {@link LeaseQueue}, with the Vert.x context (I/O thread) it arrived on. */
    private final class Queued implements LeaseQueue.Waiter {
        private final RoutingContext ctx;
        private final Context context;
        private final Handler<RoutingContext> work;

        Queued(RoutingContext ctx, Context context, Handler<RoutingContext> work) {
            this.ctx = ctx;
            this.context = context;
            this.work = work;
        }

        @Override
        public void run(long queuedAtNanos) {
            ctx.put(QUEUED_AT, queuedAtNanos);
            work.handle(ctx);
        }

        @Override
        public void timedOut(long queuedAtNanos) {
            StreamPlan plan = ctx.get(PLAN);
            fail(ProtocolException.of(backend.acquireTimedOut(queuedAtNanos, plan.policy().lease())));
        }

        @Override
        public void fail(Throwable failure) {
            // as the ordinary worker path fails a request: on its I/O thread
            context.runOnContext(v -> ctx.fail(failure));
        }

        @Override
        public boolean overShare() {
            Principal principal = ctx.get(PRINCIPAL);
            return streams.atLeaseLimit(principal, clientName(ctx, principal));
        }

        @Override
        public void elsewhere() {
            context.runOnContext(v -> ctx.next()); // the worker path: it waits for its principal's own leases
        }
    }

    /**
     * On the I/O thread, after {@link #pipelineInline}: on PostgreSQL a pipeline that opens a stream (it will
     * lease a connection) joins the {@link LeaseQueue}; any other goes on ({@code next()}) to a worker.
     */
    void queueForLease(RoutingContext ctx, Handler<RoutingContext> work) {
        BodyEncoding.RequestBody root = ctx.get(ROOT);
        Context context = Vertx.currentContext();
        if (!leaseQueue.active() || root == null || root.baton() != null || context == null) {
            ctx.next();
            return;
        }
        leaseQueue.submit(new Queued(ctx, context, work));
    }

    /** Fails queued requests that waited longer than the acquire timeout; periodic, on PostgreSQL. */
    void sweepLeaseQueue() {
        leaseQueue.sweep();
    }

    boolean queuesForLeases() {
        return leaseQueue.active();
    }

    /** On the I/O thread, for the cursor: admission only. */
    void cursorInline(RoutingContext ctx) {
        cursorInline(ctx, BodyEncoding.JSON_V3);
    }

    void cursorInline(RoutingContext ctx, BodyEncoding encoding) {
        byte[] body = BodyReader.of(ctx);
        if (body.length > PARSE_INLINE_BYTES) {
            parseOnWorker(ctx, () -> encoding.cursorBody(body));
            return;
        }
        admit(ctx, encoding.cursorBody(body));
        ctx.next();
    }

    /**
     * Parses a large body on a worker thread (parsing megabytes of JSON takes tens of milliseconds, which
     * the I/O thread owes every other connection it serves), then admits it back on the I/O thread and
     * goes on.
     */
    private void parseOnWorker(RoutingContext ctx, Callable<BodyEncoding.RequestBody> parse) {
        ctx.vertx().executeBlocking(parse, false).onComplete(parsed -> {
            try {
                if (parsed.failed()) {
                    throw parsed.cause();
                }
                admit(ctx, parsed.result());
            } catch (Throwable e) {
                ctx.fail(e);
                return;
            }
            ctx.next();
        });
    }

    /**
     * On the I/O thread, before a byte of the body is read: authenticates the caller from the
     * {@code Authorization} header alone and keeps the principal on the context, or throws a 401.
     */
    void authenticate(RoutingContext ctx) {
        ctx.put(PRINCIPAL, auth.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)));
    }

    /** The key of the {@link #authenticate authenticated} caller's own shares ({@link StreamManager#shareKey}). */
    static String shareKey(RoutingContext ctx) {
        Principal principal = ctx.get(PRINCIPAL);
        return StreamManager.shareKey(principal, clientName(ctx, principal));
    }

    /**
     * The I/O-thread part of every pipeline and cursor request, which the worker part relies on: parses
     * the body of the caller {@link #authenticate} admitted, keeps it on the context, and refuses a new
     * stream at once while the breaker is open.
     */
    private BodyEncoding.RequestBody admit(RoutingContext ctx, BodyEncoding.RequestBody root) {
        Principal principal = ctx.get(PRINCIPAL);
        ctx.put(ROOT, root);
        ClientWatch watch = new ClientWatch();
        ctx.put(WATCH, watch);
        ctx.response().closeHandler(watch);
        if (ctx.response().closed()) {
            // gone while its large body was parsed on a worker: a closed response never calls the handler just set,
            // so the stream this request opens would run its statements and stay open with its connection
            watch.handle(null);
        }
        if (root.baton() == null) {
            // only a request on another replica's stream is forwarded as it came: this one's bytes are garbage now
            ctx.remove(BodyReader.BODY);
            streams.refuseNewStreamWhileDraining();
            StreamPlan plan = streams.plan(rolloutKey(ctx, principal));
            ctx.put(PLAN, plan);
            failFastIfOpen(plan);
        }
        return root;
    }

    /**
     * A request that would open a stream while the breaker refuses calls is answered 503 on the I/O
     * thread: handing it to a worker would only make it wait in a queue to fail.
     */
    private void failFastIfOpen(StreamPlan plan) {
        if (plan.policy().breaker()) {
            try {
                breaker.checkAdmits();
            } catch (CircuitOpenException e) {
                throw ProtocolException.of(e);
            }
        }
    }

    void pipeline(RoutingContext ctx, Version version) {
        pipeline(ctx, BodyEncoding.json(version));
    }

    void pipeline(RoutingContext ctx, BodyEncoding encoding) {
        Principal principal = ctx.get(PRINCIPAL);
        byte[] body = BodyReader.of(ctx);
        BodyEncoding.RequestBody root = ctx.get(ROOT);
        Endpoint endpoint = encoding.pipelineEndpoint();
        try (StreamGuard guard = openOrResume(ctx, root.baton(), principal, body)) {
            if (guard == null) {
                metrics.request(endpoint, RequestOutcome.FORWARDED);
                return;
            }
            Stream stream = guard.stream();
            ClientWatch watch = ctx.get(WATCH);
            watch.attach(stream);
            ResponseBudget budget = new ResponseBudget(config.maxResponseBytes());
            Long queuedAt = ctx.get(QUEUED_AT);
            if (queuedAt != null) {
                stream.waitingSince(queuedAt); // for this request's lease only: a later one begins its wait itself
            }
            List<Result> results;
            try {
                // a malformed request is an HTTP-level failure, which kills the stream it names (the guard closes it)
                List<StreamRequest> requests = root.requests();
                results = new ArrayList<>(requests.size());
                for (int i = 0; i < requests.size(); i++) {
                    if (stream.isAbandoned()) {
                        break; // nobody will read the answers: stop here and close the stream below
                    }
                    StreamRequest r = requests.get(i);
                    boolean closeFollows = i + 1 < requests.size() && requests.get(i + 1) instanceof Hrana.CloseReq;
                    try {
                        results.add(new Result(r.type(), runner.run(stream, r, budget, closeFollows), null));
                    } catch (StatementException e) {
                        results.add(new Result(r.type(), null, e));
                    }
                }
            } catch (BackendUnavailableException | RuntimeException e) {
                throw ProtocolException.of(e);
            } finally {
                stream.waitingSince(0);
            }
            // answered from here on (or closed by a failure above, where a late close changes nothing)
            watch.detach();
            if (stream.isAbandoned()) {
                // the client went away: its baton would never arrive, so the guard rolls back and frees the lease now
                return;
            }
            String baton = guard.complete();
            ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, encoding.contentType())
                    .end(encoding.pipelineResponse(baton, results, budget.used()));
        }
        metrics.request(endpoint, RequestOutcome.OK);
    }

    void cursor(RoutingContext ctx) {
        cursor(ctx, BodyEncoding.JSON_V3);
    }

    void cursor(RoutingContext ctx, BodyEncoding encoding) {
        Principal principal = ctx.get(PRINCIPAL);
        byte[] body = BodyReader.of(ctx);
        BodyEncoding.RequestBody root = ctx.get(ROOT);
        CursorWriter writer;
        try (StreamGuard guard = openOrResume(ctx, root.baton(), principal, body)) {
            if (guard == null) {
                metrics.request(encoding.cursorEndpoint(), RequestOutcome.FORWARDED);
                return;
            }
            Stream stream = guard.stream();
            ClientWatch watch = ctx.get(WATCH);
            watch.attach(stream);
            Batch batch;
            try {
                batch = root.cursorBatch();
                runner.ensureSession(stream);
            } catch (BackendUnavailableException | StatementException | RuntimeException e) {
                throw ProtocolException.of(e);
            }
            writer = new CursorWriter(ctx.response(), config.maxResponseBytes(), watch, encoding::cursorFormat);
            try {
                writer.begin(streams.peekNextBaton(stream));
                runner.runBatch(stream, batch, false, writer);
            } catch (BackendUnavailableException | CircuitOpenException e) {
                writer.error(ProtocolException.inBand(e));
                guard.closeStream(Stream.Closing.FAILED);
            } catch (StatementException e) {
                writer.error(e);
            } catch (CursorWriter.ClientGone e) {
                guard.closeStream(Stream.Closing.FAILED);
            } catch (RuntimeException e) {
                writer.abort();
                throw e;
            }
            watch.detach();
            if (stream.isAbandoned()) {
                guard.closeStream(Stream.Closing.FAILED);
            }
            guard.complete();
        }
        writer.end();
        metrics.request(encoding.cursorEndpoint(), RequestOutcome.OK);
    }

    /** The caller's stream, held BUSY by the guard returned; null when the request was forwarded to the replica that owns it. */
    private StreamGuard openOrResume(RoutingContext ctx, String baton, Principal principal, byte[] body) {
        if (baton == null) {
            return StreamGuard.baton(streams, streams.open(principal, clientName(ctx, principal), ctx.get(PLAN)));
        }
        // verified for this principal: another principal's baton is invalid here, before any forwarding
        Batons.Decoded d = streams.decode(baton, principal);
        if (!streams.isLocal(d)) {
            forwarder.forward(ctx, d.owner(), body);
            return null;
        }
        Stream s = streams.resume(d);
        if (principal.access() == Access.READ_ONLY && !s.readOnly) {
            s.release();
            throw new ProtocolException(HranaError.FORBIDDEN, "A read-only token cannot continue a read-write stream");
        }
        return StreamGuard.baton(streams, s);
    }

    /**
     * The token's subject, else its fingerprint; only when authentication is off the client header; null
     * lets the stream id be the key. An authenticated caller never chooses its own bucket.
     */
    private static String rolloutKey(RoutingContext ctx, Principal principal) {
        return principal.authenticated() ? principal.rolloutKey() : clientName(ctx, principal);
    }

    /** The {@code x-sluice-client} header when authentication is off and it is not blank, else null. */
    private static String clientName(RoutingContext ctx, Principal principal) {
        if (principal.authenticated()) {
            return null;
        }
        String client = ctx.request().getHeader(CLIENT_HEADER_NAME);
        return client == null || client.isBlank() ? null : client.strip();
    }

    /** Answers a failed request with a Hrana error object, encoded as the request's endpoint answers errors. */
    static void respondError(RoutingContext ctx, int status, String message, String code) {
        BodyEncoding encoding = ctx.get(ENCODING);
        (encoding == null ? BodyEncoding.JSON_V3 : encoding).respondError(ctx, status, message, code);
    }

    static void respond(RoutingContext ctx, int status, byte[] json) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Buffer.buffer(json));
    }
}
