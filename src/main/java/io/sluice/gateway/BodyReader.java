package io.sluice.gateway;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads one Hrana request body, at most {@code limit} bytes, then puts it on the context ({@link #BODY}, a
 * {@code byte[]}) and goes on to the next handler. What Vert.x' {@code BodyHandler} does for these routes,
 * without its form, upload and multipart handling, which a Hrana body never needs: a body that arrives in
 * one piece (almost every one) is copied once. A body that grows past the limit (one sent without a
 * {@code Content-Length}, whose declared size was checked before) fails the request with 413 at the piece
 * that crosses it, and nothing more of it is kept. A client that asks {@code Expect: 100-continue} is told to go on
 * only here, once its request was admitted on its headers.
 *
 * <p>A body must also keep pace ({@link Pace}): it has the grace period plus one second for every
 * minimum-rate bytes of it that have arrived, and a piece that arrives after that fails the request with 408
 * {@code REQUEST_TIMEOUT}; its connection is closed. A trickle (a byte every few seconds) therefore cannot hold
 * a connection and its reservation in the body budget for much longer than the grace period; a body that stops
 * altogether is closed by the connection's idle timeout. The check reads the clock per piece; no timer.
 */
final class BodyReader implements Handler<Buffer> {
    /** The context key of the body read. */
    static final String BODY = "sluice.request-body";

    /** How fast a body must arrive: within {@code graceNanos} of its admission plus one second per {@code minBytesPerSecond} of it. */
    record Pace(long graceNanos, long minBytesPerSecond) {
        Pace {
            if (minBytesPerSecond < 1) {
                throw new IllegalArgumentException("sluice.gateway.request-body-min-rate must be at least 1 (bytes a second)");
            }
        }

        /** Whether {@code size} bytes are too few for a body admitted {@code elapsedNanos} ago. */
        boolean tooSlow(long elapsedNanos, long size) {
            return elapsedNanos > graceNanos && elapsedNanos - graceNanos > size * 1_000_000_000L / minBytesPerSecond;
        }
    }

    private final RoutingContext ctx;
    private final int limit;
    private final Pace pace;
    private final long admitted = System.nanoTime();
    private Buffer first;
    private Buffer joined;
    private long size;
    private boolean done;

    private BodyReader(RoutingContext ctx, int limit, Pace pace) {
        this.ctx = ctx;
        this.limit = limit;
        this.pace = pace;
    }

    /** Starts reading the request's body; {@code ctx.next()} follows once it has all arrived. */
    static void read(RoutingContext ctx, int limit, Pace pace) {
        HttpServerRequest request = ctx.request();
        if (request.isEnded()) {
            // nothing left to read (no handler of ours can have missed it: they run before the body's first byte)
            ctx.put(BODY, new byte[0]);
            ctx.next();
            return;
        }
        BodyReader reader = new BodyReader(ctx, limit, pace);
        request.handler(reader).endHandler(reader::end).exceptionHandler(reader::failed);
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() != HttpVersion.HTTP_1_0) {
            // admitted (caller, declared size, budget): a client that waits for the go-ahead gets it now
            ctx.response().writeContinue();
        }
        request.resume();
    }

    /** The body {@link #read} put on the context; empty when none was read. */
    static byte[] of(RoutingContext ctx) {
        byte[] body = ctx.get(BODY);
        return body == null ? new byte[0] : body;
    }

    @Override
    public void handle(Buffer piece) {
        if (done) {
            return;
        }
        size += piece.length();
        ProtocolException refusal = size > limit ? ProtocolException.tooLarge()
                : pace.tooSlow(System.nanoTime() - admitted, size)
                        ? new ProtocolException(HranaError.REQUEST_TIMEOUT, "The request body arrived too slowly")
                : null;
        if (refusal != null) {
            done = true;
            first = null;
            joined = null;
            ctx.fail(refusal);
            return;
        }
        if (first == null) {
            first = piece;
        } else {
            if (joined == null) {
                joined = Buffer.buffer((int) Math.min(2 * size, limit)).appendBuffer(first);
            }
            joined.appendBuffer(piece);
        }
    }

    private void end(Void ignored) {
        if (done) {
            return;
        }
        done = true;
        Buffer body = joined != null ? joined : first;
        ctx.put(BODY, body == null ? new byte[0] : body.getBytes());
        ctx.next();
    }

    /** The connection failed or closed before the body ended: the request fails (its failure handler sees why). */
    private void failed(Throwable cause) {
        if (done) {
            return;
        }
        done = true;
        ctx.fail(cause);
    }
}
