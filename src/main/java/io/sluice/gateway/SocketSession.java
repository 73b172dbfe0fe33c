package io.sluice.gateway;

import io.sluice.auth.Access;
import io.sluice.auth.Principal;
import io.sluice.breaker.CircuitOpenException;
import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.BatchStep;
import io.sluice.gateway.Hrana.Stmt;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.SocketCodec.Encoded;
import io.sluice.gateway.SocketMessages.BatchError;
import io.sluice.gateway.SocketMessages.CloseCursor;
import io.sluice.gateway.SocketMessages.CloseSql;
import io.sluice.gateway.SocketMessages.CloseStream;
import io.sluice.gateway.SocketMessages.CursorEntry;
import io.sluice.gateway.SocketMessages.CursorPage;
import io.sluice.gateway.SocketMessages.FetchCursor;
import io.sluice.gateway.SocketMessages.Hello;
import io.sluice.gateway.SocketMessages.HelloError;
import io.sluice.gateway.SocketMessages.HelloOk;
import io.sluice.gateway.SocketMessages.OnStream;
import io.sluice.gateway.SocketMessages.OpenCursor;
import io.sluice.gateway.SocketMessages.OpenStream;
import io.sluice.gateway.SocketMessages.Request;
import io.sluice.gateway.SocketMessages.ResponseError;
import io.sluice.gateway.SocketMessages.ResponseOk;
import io.sluice.gateway.SocketMessages.RowEntry;
import io.sluice.gateway.SocketMessages.ServerMsg;
import io.sluice.gateway.SocketMessages.StepBegin;
import io.sluice.gateway.SocketMessages.StepEnd;
import io.sluice.gateway.SocketMessages.StepError;
import io.sluice.gateway.SocketMessages.StoreSql;
import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.Column;
import io.sluice.sql.ErrorCode;
import io.sluice.sql.ResponseBudget;
import io.sluice.sql.ResultSink;
import io.sluice.sql.StatementException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One Hrana-over-WebSocket connection, independent of the transport that carries it: authentication by
 * {@code hello} (and a refusal of every later request once that token has expired), the client's stream, SQL text and cursor ids, and the order in which requests run.
 *
 * <p>Threads: every method is called on the connection's I/O thread (the {@code loop} executor), and all
 * state here is confined to it, except the {@link SocketStream#stream} handed between workers. Requests
 * on one stream run one after another, in arrival order, on worker threads ({@code workers}), each holding
 * the stream as an HTTP request does; different streams of the same connection run in parallel. Their
 * answers are encoded on the worker and sent from the I/O thread, in completion order, as the
 * specification allows. Nothing here blocks the I/O thread.
 *
 * <p>What needs no connection is answered on the I/O thread itself, in order with the stream's other
 * requests since only a stream with nothing running or queued qualifies: {@code open_stream} (a stream
 * leases its connection on its first statement that needs one), and, while a stream holds no connection,
 * {@code close_stream}, {@code get_autocommit} and a read the {@link InlineReads} fast path answers as it
 * answers a stream-less HTTP read. So {@code @libsql/client}'s {@code open_stream + execute + close_stream}
 * for one read costs no worker and no pooled connection; a stream's first statement that needs a
 * connection (a write, {@code BEGIN}, a read the fast path gives up) takes the worker path, and the
 * stream keeps its connection from then on, as before.
 *
 * <p>Streams are the engine's {@link Stream}s, opened through the {@link StreamManager} (stream, principal
 * and pool limits, breaker, drain, idle expiry) and run by the {@link RequestRunner}, exactly as over HTTP.
 *
 * <p>Errors: a violation of the protocol closes the connection with a close code ({@link SocketClose});
 * a failure of one request is its {@code response_error}; a failed {@code hello} is a {@code hello_error},
 * then the connection is closed.
 */
public final class SocketSession {
    private static final Logger LOG = Logger.getLogger(SocketSession.class);

    /** What the transport does for the session. Called on the connection's I/O thread only. */
    public interface Peer {
        void sendText(String text);

        void sendBinary(byte[] data);

        /** Closes the connection with a close code and reason; the transport then calls {@link #onClosed}. */
        void close(short code, String reason);

        /** The session takes messages again after a pause of its own ({@link #decoding}). */
        void readAgain();
    }

    private final SocketSessions engine;
    private final SocketCodec codec;
    private final Peer peer;
    private final Executor loop;
    private final Executor workers;
    /** The name a caller gives itself when authentication is off ({@code x-sluice-client}), else null. */
    private final String clientName;
    /** The client's address, as its bytes before a hello are counted ({@link SocketSessions#addressKey}). */
    private final String address;

    /** The reason of a close 1013: the budget all requests share is spent. */
    public static final String BUSY = "The server holds too many large requests; retry shortly";
    /** The reason of a close 1013: this caller's requests hold its share of that budget. */
    public static final String OVER_SHARE = "This caller's requests hold its share of the server's request budget; retry shortly";

    /** The budget reservations of the requests not yet answered, by request id. */
    private final Map<Integer, Held> reservations = new ConcurrentHashMap<>();
    private Principal principal;
    /**
     * The key of this connection's share of the request budget ({@link StreamManager#shareKey}), set by its first
     * successful {@code hello} and kept for its life (a later {@code hello} may name another principal), so that
     * every reservation is given back under the key it was made with; null before it, or for an unnamed caller.
     */
    private volatile String shareKey;
    private boolean decoding;
    /** The token of the last successful {@code hello}: every later request checks it is still valid. */
    private String jwt;
    /** Set once that token is refused: an expired token never becomes valid again, so it is checked no more. */
    private ProtocolException tokenRefused;
    /** Volatile: queued work on worker threads checks it to skip what nobody will read. */
    private volatile boolean closed;
    private final Map<Integer, SocketStream> streams = new HashMap<>();
    private final Map<Integer, String> sqls = new HashMap<>();
    private final Map<Integer, Cursor> cursors = new HashMap<>();
    /**
     * Streams whose {@code close_stream} waits behind a request still running on them: no longer in {@link #streams}
     * (their id is free again), yet what they run must still be stopped if the connection goes. Removed by their close.
     */
    private final Set<SocketStream> closing = ConcurrentHashMap.newKeySet();
    private int pending;

    SocketSession(SocketSessions engine, SocketCodec codec, Peer peer, Executor loop, Executor workers, String clientName, String address) {
        this.engine = engine;
        this.codec = codec;
        this.peer = peer;
        this.loop = loop;
        this.workers = workers;
        this.clientName = clientName;
        this.address = address;
    }

    /** The negotiated subprotocol. */
    public String subprotocol() {
        return codec.subprotocol();
    }

    /** True when this connection's messages travel in binary frames. */
    public boolean binary() {
        return codec.binary();
    }

    /**
     * Reserves bytes the connection has received and that are not a whole message yet (the transport, before
     * anything buffers them): after a successful hello in the budget all requests share, before it in the
     * one for unauthenticated bytes (and its client address's share of it); null when reserved, else the reason
     * of the close 1013 that refuses them.
     */
    public String reserveReceived(long bytes, long messageSize, boolean greeted) {
        if (!greeted) {
            return engine.reserveBeforeHello(address, bytes) ? null : BUSY;
        }
        return refusal(engine.reserveMessage(shareKey, bytes, messageSize));
    }

    /** Null when reserved, else the close reason of the refusal. */
    private static String refusal(BodyBudget.Admission admission) {
        return switch (admission) {
            case RESERVED -> null;
            case BUSY -> BUSY;
            case OVER_CALLER_SHARE -> OVER_SHARE;
        };
    }

    /** Gives back what {@link #reserveReceived} reserved, after and before the hello. */
    public void releaseReceived(long bytes, long beforeHello) {
        engine.releaseMessage(shareKey, bytes);
        engine.releaseBeforeHello(address, beforeHello);
    }

    /** True while a large message is decoded on a worker: the transport reads no further message meanwhile. */
    public boolean decoding() {
        return decoding;
    }

    /** True once a {@code hello} succeeded: until then a message is only ever a small {@code hello}. */
    public boolean greeted() {
        return principal != null;
    }

    /** Requests received and not yet answered, the one being decoded included: the transport stops reading at its limit. */
    public int pendingRequests() {
        return decoding ? pending + 1 : pending;
    }

    /**
     * True when closing the connection now loses nothing: no request outstanding and no stream that could
     * still hold a transaction (every stream is closed, or was never opened). The drain closes a settled
     * connection; it lets the others finish first (the drain closes their idle, autocommit streams).
     */
    public boolean isSettled() {
        if (pendingRequests() > 0) {
            return false;
        }
        for (SocketStream ss : streams.values()) {
            Stream s = ss.stream;
            if (s != null && !s.isClosed()) {
                return false;
            }
        }
        return true;
    }

    /** One whole client message (its frames already joined); {@code binary} says which kind of frame carried it. */
    public void onMessage(byte[] message, boolean binary) {
        if (closed) {
            return;
        }
        // the message's bytes count against the budget all requests share until its request is answered
        String key = shareKey;
        BodyBudget.Admission admission = engine.reserveMessage(key, message.length, message.length);
        if (admission != BodyBudget.Admission.RESERVED) {
            // the server's budget spent is the server's; the caller's own share spent is the caller's
            engine.countRequest(admission == BodyBudget.Admission.BUSY ? RequestOutcome.UNAVAILABLE : RequestOutcome.LIMITED);
            peer.close(SocketClose.TRY_AGAIN_LATER, refusal(admission));
            return;
        }
        if (message.length <= HranaHandler.PARSE_INLINE_BYTES) {
            handle(message.length, key, decode(message, binary));
            return;
        }
        // a large message is decoded on a worker; the transport reads nothing more until it is handled
        decoding = true;
        workers.execute(() -> {
            Object decoded = decode(message, binary);
            loop.execute(() -> {
                decoding = false;
                handle(message.length, key, decoded);
                peer.readAgain();
            });
        });
    }

    /** The message decoded, or the {@link SocketClose} it earns. */
    private Object decode(byte[] message, boolean binary) {
        try {
            if (binary != codec.binary()) {
                throw new SocketClose(SocketClose.UNSUPPORTED_DATA, binary
                        ? "Binary message on a connection that negotiated " + codec.subprotocol() + " (JSON in text messages)"
                        : "Text message on a connection that negotiated " + codec.subprotocol() + " (binary messages)");
            }
            return codec.decode(message);
        } catch (SocketClose c) {
            return c;
        } catch (RuntimeException e) {
            LOG.error("unexpected failure decoding a Hrana WebSocket message", e);
            return new SocketClose(SocketClose.INTERNAL_ERROR, "Internal server error");
        }
    }

    /**
     * Acts on one decoded message (on the I/O thread); its reservation of {@code size} bytes under {@code key} goes
     * with its request or back.
     */
    private void handle(long size, String key, Object decoded) {
        boolean held = false;
        try {
            if (closed) {
                return; // closed while it was decoded
            }
            if (decoded instanceof SocketClose c) {
                throw c;
            }
            if (decoded instanceof Hello hello) {
                hello(hello);
            } else if (decoded instanceof Request request) {
                held = held(request.requestId(), size, key);
                request(request);
            }
        } catch (SocketClose c) {
            LOG.debugf("closing a Hrana WebSocket (%d): %s", c.code(), c.getMessage());
            engine.countRequest(c.code() == SocketClose.INTERNAL_ERROR ? RequestOutcome.SERVER_ERROR : RequestOutcome.BAD_REQUEST);
            peer.close(c.code(), c.getMessage());
        } finally {
            if (!held) {
                engine.releaseMessage(key, size);
            }
        }
    }

    /** A request's reservation: its message's bytes, under the share key they were reserved with. */
    private record Held(long bytes, String key) {
    }

    /** Keeps a request's reservation until it is answered ({@link #answered}); false when its id is already held. */
    private boolean held(int requestId, long bytes, String key) {
        return reservations.putIfAbsent(requestId, new Held(bytes, key)) == null;
    }

    /** Gives back the reservation of a request now answered (on any thread; once per request). */
    private void answered(int requestId) {
        Held held = reservations.remove(requestId);
        if (held != null) {
            engine.releaseMessage(held.key(), held.bytes());
        }
    }

    /**
     * The connection is gone (closed by either side): stops the statements its streams run, and closes
     * each stream (rolling back what is open) on a worker, after the request it is busy with.
     */
    public void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        for (Integer id : reservations.keySet()) {
            answered(id);
        }
        for (SocketStream ss : streams.values()) {
            abandonAndClose(ss);
        }
        for (SocketStream ss : closing) {
            abandonAndClose(ss);
        }
        closing.clear();
        streams.clear();
        cursors.clear();
        sqls.clear();
    }

    private void hello(Hello hello) {
        if (principal != null && codec.version() < 2) {
            throw SocketClose.policy("A repeated hello (re-authentication) needs Hrana 2 (subprotocol hrana2 or later)");
        }
        Principal p;
        try {
            p = engine.authenticate(hello.jwt());
        } catch (ProtocolException e) {
            engine.countRequest(RequestOutcome.UNAUTHORIZED);
            send(new HelloError(e.getMessage(), e.code()));
            // the specification: ignore everything after a failed hello, and close. The session ends here, not when
            // the transport reports the close: onClosed does nothing once closed is set, so it must be what sets it,
            // or a repeated hello's streams and the reservations of its waiting requests would never be given back
            onClosed();
            peer.close(SocketClose.POLICY_VIOLATION, "Authentication failed");
            return;
        }
        if (principal == null) {
            shareKey = StreamManager.shareKey(p, clientName);
        }
        principal = p;
        jwt = hello.jwt();
        tokenRefused = null;
        send(new HelloOk());
    }

    /**
     * Null while the token of the last {@code hello} is still valid, else the refusal a request gets until
     * a new {@code hello} (Hrana 2) brings a valid one: the same {@code UNAUTHORIZED} error as over HTTP,
     * {@code token expired} once the token's {@code exp} has passed. The verifier remembers the token, so
     * this costs a digest and a look-up, not a signature check; a refusal is remembered here, so a client
     * that goes on with an expired token costs no verification at all. Requests that only release
     * something ({@code close_stream}, {@code close_sql}, {@code close_cursor}) are not checked, so a
     * client can still tidy up.
     */
    private ProtocolException tokenRefusal() {
        if (tokenRefused == null) {
            try {
                engine.authenticate(jwt);
            } catch (ProtocolException e) {
                tokenRefused = e;
            }
        }
        return tokenRefused;
    }

    private void request(Request request) {
        if (principal == null) {
            throw SocketClose.policy("A request arrived before a successful hello");
        }
        int id = request.requestId();
        pending++;
        SocketMessages.SocketRequest r = request.request();
        if (r instanceof OpenStream o) {
            openStream(id, o);
        } else if (r instanceof CloseStream c) {
            closeStream(id, c);
        } else if (r instanceof OnStream o) {
            onStream(id, o);
        } else if (r instanceof StoreSql s) {
            storeSql(id, s);
        } else if (r instanceof CloseSql c) {
            sqls.remove(c.sqlId());
            answer(ok(id, c.type(), new RequestRunner.Empty()));
        } else if (r instanceof OpenCursor o) {
            openCursor(id, o);
        } else if (r instanceof FetchCursor f) {
            fetchCursor(id, f);
        } else if (r instanceof CloseCursor c) {
            closeCursor(id, c);
        }
    }

    private void openStream(int requestId, OpenStream o) {
        if (streams.containsKey(o.streamId())) {
            throw SocketClose.policy("Stream id " + o.streamId() + " is already in use on this connection");
        }
        SocketStream ss = new SocketStream(o.streamId());
        // even a stream that fails to open keeps its id until close_stream (the specification)
        streams.put(o.streamId(), ss);
        ProtocolException refused = tokenRefusal();
        if (refused != null) {
            ss.failed = true;
            answer(error(requestId, refused));
            return;
        }
        int max = engine.maxStreamsPerConnection();
        if (streams.size() > max) {
            ss.failed = true;
            answer(error(requestId, new ProtocolException(HranaError.STREAMS_EXHAUSTED,
                    "Too many open streams on this connection (limit " + max + "); close streams first")));
            return;
        }
        // opening leases nothing (a connection is leased by the first statement that needs one): answered here
        runHere(() -> {
            try (StreamGuard guard = StreamGuard.owned(engine.streams(), engine.open(principal, clientName))) {
                ss.stream = guard.stream();
                guard.complete();
                return ok(requestId, o.type(), new RequestRunner.Empty());
            } catch (ProtocolException e) {
                ss.failed = true;
                return error(requestId, e);
            }
        });
    }

    private void closeStream(int requestId, CloseStream c) {
        SocketStream ss = streams.remove(c.streamId());
        if (ss == null) {
            throw SocketClose.policy("No stream with id " + c.streamId() + " is open on this connection");
        }
        if (ss.cursorId != null) {
            cursors.remove(ss.cursorId);
        }
        if (holdsNothing(ss)) {
            runHere(() -> {
                closeNow(ss);
                return ok(requestId, c.type(), new RequestRunner.Empty());
            });
            return;
        }
        // runs even when the connection closes first; until then onClosed finds the stream in closing, to stop what it runs
        closing.add(ss);
        queue(ss, new Job(() -> {
            closeNow(ss);
            closing.remove(ss);
            return ok(requestId, c.type(), new RequestRunner.Empty());
        }, true, true, false));
    }

    private void onStream(int requestId, OnStream o) {
        SocketStream ss = stream(o.streamId());
        StreamRequest r;
        try {
            r = resolve(o.request());
        } catch (StatementException e) {
            answer(error(requestId, e));
            return;
        }
        ProtocolException refused = tokenRefusal();
        if (refused != null) {
            answer(error(requestId, refused));
            return;
        }
        Principal p = principal;
        OnStreamWork work = s -> {
            try {
                return ok(requestId, r.type(), engine.runner().run(s, r, new ResponseBudget(engine.maxResponseBytes())));
            } catch (StatementException e) {
                return error(requestId, e);
            }
        };
        if (holdsNothing(ss)) {
            if (r instanceof Hrana.ExecuteReq execute && runHere(() -> tryInline(ss, requestId, p, execute))) {
                return;
            }
            if (r instanceof Hrana.GetAutocommitReq) {
                // a stream without a connection has no transaction: answered without leasing one
                runHere(() -> runOnStream(ss, requestId, p, work));
                return;
            }
        }
        enqueue(ss, true, () -> runOnStream(ss, requestId, p, work));
    }

    private void storeSql(int requestId, StoreSql s) {
        if (sqls.containsKey(s.sqlId())) {
            throw SocketClose.policy("sql_id " + s.sqlId() + " is already in use on this connection");
        }
        ProtocolException refused = tokenRefusal();
        if (refused != null) {
            answer(error(requestId, refused));
            return;
        }
        int max = engine.maxStoredSql();
        if (sqls.size() >= max) {
            answer(error(requestId, new StatementException(ErrorCode.SQL_STORE_ERROR,
                    "Too many stored SQL texts on this connection (limit " + max + ")")));
            return;
        }
        sqls.put(s.sqlId(), s.sql());
        answer(ok(requestId, s.type(), new RequestRunner.Empty()));
    }

    private void openCursor(int requestId, OpenCursor o) {
        SocketStream ss = stream(o.streamId());
        if (ss.cursorId != null) {
            throw SocketClose.policy("Stream " + o.streamId() + " already has an open cursor");
        }
        if (cursors.containsKey(o.cursorId())) {
            throw SocketClose.policy("Cursor id " + o.cursorId() + " is already in use on this connection");
        }
        Cursor cursor = new Cursor(ss);
        // even a cursor that fails to open keeps its id until close_cursor (the specification)
        cursors.put(o.cursorId(), cursor);
        ss.cursorId = o.cursorId();
        ProtocolException refused = tokenRefusal();
        if (refused != null) {
            cursor.failed = true;
            answer(error(requestId, refused));
            return;
        }
        Batch batch;
        try {
            batch = resolve(o.batch());
        } catch (StatementException e) {
            cursor.failed = true;
            answer(error(requestId, e));
            return;
        }
        Principal p = principal;
        enqueue(ss, true, () -> {
            Encoded answer = runOnStream(ss, requestId, p, s -> {
                cursor.entries = runCursor(s, batch);
                return ok(requestId, o.type(), new RequestRunner.Empty());
            });
            cursor.failed = cursor.entries == null;
            return answer;
        });
    }

    private void fetchCursor(int requestId, FetchCursor f) {
        Cursor cursor = cursor(f.cursorId());
        ProtocolException refused = tokenRefusal();
        if (refused != null) {
            answer(error(requestId, refused));
            return;
        }
        // queued on the cursor's stream: it answers after the open_cursor before it
        enqueue(cursor.stream, false, () -> {
            if (cursor.failed) {
                return error(requestId, HranaError.CURSOR_NOT_OPEN.statement("Cursor " + f.cursorId() + " has failed to open"));
            }
            List<CursorEntry> page = new ArrayList<>(Math.min(f.maxCount(), Math.max(cursor.entries.size(), 1)));
            while (page.size() < f.maxCount() && !cursor.entries.isEmpty()) {
                page.add(cursor.entries.poll());
            }
            return ok(requestId, f.type(), new CursorPage(page, cursor.entries.isEmpty()));
        });
    }

    private void closeCursor(int requestId, CloseCursor c) {
        Cursor cursor = cursor(c.cursorId());
        cursors.remove(c.cursorId());
        cursor.stream.cursorId = null;
        if (!cursor.stream.running) {
            // nothing of its stream runs, so its entries are no longer touched on a worker: dropped here
            cursor.entries = null;
            answer(ok(requestId, c.type(), new RequestRunner.Empty()));
            return;
        }
        enqueue(cursor.stream, false, () -> {
            cursor.entries = null;
            return ok(requestId, c.type(), new RequestRunner.Empty());
        });
    }

    private SocketStream stream(int streamId) {
        SocketStream ss = streams.get(streamId);
        if (ss == null) {
            throw SocketClose.policy("No stream with id " + streamId + " is open on this connection");
        }
        return ss;
    }

    private Cursor cursor(int cursorId) {
        Cursor c = cursors.get(cursorId);
        if (c == null) {
            throw SocketClose.policy("No cursor with id " + cursorId + " is open on this connection");
        }
        return c;
    }

    // ---- work on a worker thread ----

    private interface OnStreamWork {
        Encoded run(Stream s) throws StatementException, BackendUnavailableException;
    }

    /**
     * Runs {@code work} holding the stream, as an HTTP request holds it between its baton and its answer;
     * the failures that end a stream over HTTP (backend unavailable, breaker open, a server fault) close it
     * here too, and its later requests are told so.
     */
    private Encoded runOnStream(SocketStream ss, int requestId, Principal p, OnStreamWork work) {
        Stream s = ss.stream;
        if (s == null) {
            return error(requestId, HranaError.STREAM_NOT_OPEN.statement("Stream " + ss.id + " has failed to open"));
        }
        if (!s.tryAcquire()) {
            return error(requestId, StreamManager.streamExpired(s));
        }
        try (StreamGuard guard = StreamGuard.owned(engine.streams(), s)) {
            Encoded answer;
            ProtocolException forbidden = forbidden(s, p);
            if (forbidden != null) {
                answer = error(requestId, forbidden);
            } else {
                try {
                    answer = work.run(s);
                } catch (StatementException e) {
                    answer = error(requestId, e);
                } catch (BackendUnavailableException | CircuitOpenException | ProtocolException e) {
                    guard.closeStream(Stream.Closing.FAILED);
                    answer = error(requestId, ProtocolException.of(e));
                }
            }
            guard.complete();
            return answer;
        }
    }

    /** Why {@code p} may not use the stream {@code s} (after a re-authenticating {@code hello}), or null when it may. */
    private static ProtocolException forbidden(Stream s, Principal p) {
        if (!java.util.Objects.equals(p.identity(), s.principal().identity())) {
            return new ProtocolException(HranaError.FORBIDDEN,
                    "The stream was opened by another principal; open a new stream after re-authenticating");
        }
        if (p.access() == Access.READ_ONLY && !s.readOnly) {
            return new ProtocolException(HranaError.FORBIDDEN, "A read-only token cannot continue a read-write stream");
        }
        return null;
    }

    /**
     * True when nothing of the stream runs or waits on a worker and it holds no connection (so no
     * transaction either): its next request can be answered on the I/O thread if it needs no connection.
     * Only this thread starts work on the stream, and only its workers lease a connection for it.
     */
    private static boolean holdsNothing(SocketStream ss) {
        Stream s = ss.stream;
        return !ss.running && (s == null || !s.hasSession());
    }

    /**
     * On the I/O thread, for a stream that {@link #holdsNothing}: answers a read through the
     * {@link InlineReads} fast path, exactly as a stream-less HTTP read is answered, holding the stream
     * for it as a worker would. Null when the request must take the worker path, which then answers it
     * (and any refusal: a stream that failed to open or has expired, another principal's stream).
     */
    private Encoded tryInline(SocketStream ss, int requestId, Principal p, Hrana.ExecuteReq execute) {
        Stream s = ss.stream;
        if (s == null || forbidden(s, p) != null || !s.tryAcquire()) {
            return null;
        }
        try (StreamGuard guard = StreamGuard.owned(engine.streams(), s)) {
            Encoded answer;
            try {
                answer = engine.inline().tryAnswerOnStream(execute, s.policy,
                        result -> result.error() == null ? ok(requestId, result.type(), result.response()) : error(requestId, result.error()));
            } catch (ProtocolException e) {
                answer = null; // the worker path reports it
            }
            guard.complete();
            return answer;
        }
    }

    /** Runs a cursor's batch to the end, keeping its entries within the response limit. */
    private ArrayDeque<CursorEntry> runCursor(Stream s, Batch batch) throws BackendUnavailableException {
        ArrayDeque<CursorEntry> entries = new ArrayDeque<>();
        ResponseBudget budget = new ResponseBudget(engine.maxResponseBytes());
        try {
            engine.runner().runBatch(s, batch, false, new RequestRunner.StepSinks() {
                @Override
                public ResultSink open(int step, boolean wantRows) {
                    return new ResultSink() {
                        @Override
                        public void columns(List<Column> columns) throws StatementException {
                            budget.charge(64L + columns.size() * 48L);
                            entries.add(new StepBegin(step, columns));
                        }

                        @Override
                        public void row(Object[] values) throws StatementException {
                            if (!wantRows) {
                                return;
                            }
                            long size = 32;
                            for (Object v : values) {
                                size += ResponseBudget.encodedSize(v);
                            }
                            budget.charge(size);
                            entries.add(new RowEntry(values));
                        }

                        @Override
                        public long rowBytesAllowed() {
                            return wantRows ? budget.remaining() : -1;
                        }

                        @Override
                        public void end(long affectedRowCount, Long lastInsertRowid) throws StatementException {
                            budget.charge(96);
                            entries.add(new StepEnd(affectedRowCount, lastInsertRowid));
                        }
                    };
                }

                @Override
                public void failed(int step, StatementException error) {
                    entries.add(new StepError(step, error));
                }
            });
        } catch (StatementException e) {
            entries.add(new BatchError(e));
        }
        return entries;
    }

    /**
     * Closes the stream (rolling back what is open, giving back its connection): on a worker, queued on the
     * stream, or on the I/O thread when the stream {@link #holdsNothing} (then it only updates counters).
     */
    private void closeNow(SocketStream ss) {
        Stream s = ss.stream;
        ss.stream = null;
        if (s != null && s.tryAcquire()) {
            try (StreamGuard guard = StreamGuard.owned(engine.streams(), s)) {
                guard.closeStream(Stream.Closing.BY_CLIENT);
                guard.complete();
            }
        }
        // else: already closed by the server (idle expiry, drain), which gave its connection back
    }

    private void abandonAndClose(SocketStream ss) {
        Stream s = ss.stream;
        if (s != null) {
            s.abandon(); // stops the statement it runs now; the close below waits for that request to end
        }
        ss.queue.clear();
        if (holdsNothing(ss)) {
            closeNow(ss);
            return;
        }
        queue(ss, new Job(() -> {
            closeNow(ss);
            return null;
        }, true, false, false));
    }

    /**
     * Runs a request's work on the I/O thread and sends its answer, failing as a worker's job does: a fault
     * (a bug) closes the connection, since the request cannot be answered truthfully.
     *
     * @return false when the work gave no answer (null): the request is still to be answered
     */
    private boolean runHere(Supplier<Encoded> work) {
        Encoded answer;
        try {
            answer = work.get();
        } catch (RuntimeException e) {
            LOG.error("unexpected failure answering a Hrana WebSocket request", e);
            fault();
            return true;
        }
        if (answer == null) {
            return false;
        }
        answer(answer);
        return true;
    }

    // ---- the per-stream queue ----

    /**
     * @param mustRun runs even after the connection closed (closing a stream), else skipped then
     * @param answers its result is a request's answer
     * @param leases it runs statements: it may lease a connection for its stream, and take long
     */
    private record Job(Supplier<Encoded> work, boolean mustRun, boolean answers, boolean leases) {
    }

    /** Queues a request's work on its stream; {@code leases}: it may lease a connection (it runs statements). */
    private void enqueue(SocketStream ss, boolean leases, Supplier<Encoded> work) {
        queue(ss, new Job(work, false, true, leases));
    }

    /**
     * Queues a job on the stream. A stream with nothing running starts once the I/O thread has handled the
     * rest of what it read, so the requests that arrived together ({@code @libsql/client}'s
     * {@code execute + close_stream}) run on one worker, one after the other, and the connection the first
     * leases is given back by the second without a trip through the I/O thread and a second worker.
     */
    private void queue(SocketStream ss, Job job) {
        ss.queue.add(job);
        if (!ss.running) {
            ss.running = true;
            loop.execute(() -> dispatch(ss));
        }
    }

    /**
     * Hands the stream's queued jobs to a worker, which runs them in order ({@link #runJobs}); then the I/O
     * thread starts the jobs queued meanwhile. On PostgreSQL, jobs that
     * will lease the stream's first connection wait for it in the {@link LeaseQueue}, with the HTTP
     * pipelines that open a stream, rather than as a worker parked in the pool: whichever request gives a
     * connection back runs the next one waiting, over either transport. A stream that holds its connection
     * (a transaction) is never queued behind others.
     */
    private void dispatch(SocketStream ss) {
        if (ss.queue.isEmpty()) {
            ss.running = false;
            return;
        }
        Job[] jobs = ss.queue.toArray(new Job[0]);
        ss.queue.clear();
        ss.running = true;
        Stream s = ss.stream;
        LeaseQueue leaseQueue = engine.leaseQueue();
        // a stream already closed (its lease refused, say) leases nothing more: its jobs are told so at once on a
        // worker, not after waiting in the queue for a connection they would never use
        if (leaseQueue.active() && s != null && !s.hasSession() && !s.isClosed() && !closed && leases(jobs)) {
            leaseQueue.submit(new QueuedJobs(ss, s, jobs));
        } else {
            workers.execute(() -> runJobs(ss, jobs, null, 0, null));
        }
    }

    private static boolean leases(Job[] jobs) {
        for (Job job : jobs) {
            if (job.leases()) {
                return true;
            }
        }
        return false;
    }

    /**
     * On a worker: runs the stream's jobs in order and hands their answers to the I/O thread, and has it
     * start the jobs queued meanwhile after the last answer. An answer is handed over at once when the next
     * job runs statements (it may take long); otherwise with the next one, in one task of the I/O thread
     * (a statement's answer with its {@code close_stream}'s: one hand-off and one socket write for both).
     *
     * @param waited the stream, when the jobs waited in the {@link LeaseQueue}; null when they did not
     * @param queuedAtNanos when they began to wait there (its lease's wait counts from then)
     * @param refusal what its lease fails with, without asking the pool: they waited out the acquire timeout; null when they did not
     */
    private void runJobs(SocketStream ss, Job[] jobs, Stream waited, long queuedAtNanos, BackendUnavailableException refusal) {
        List<Runnable> answers = new ArrayList<>(jobs.length);
        if (waited != null) {
            waited.waitingSince(queuedAtNanos);
            waited.refuseLease(refusal);
        }
        try {
            for (int i = 0; i < jobs.length; i++) {
                answers.add(run(jobs[i]));
                if (i + 1 < jobs.length && jobs[i + 1].leases()) {
                    List<Runnable> ready = List.copyOf(answers);
                    loop.execute(() -> ready.forEach(Runnable::run));
                    answers.clear();
                }
            }
        } finally {
            if (waited != null) {
                // for these jobs only: the next ones on the stream run after the dispatch below
                waited.waitingSince(0);
                waited.refuseLease(null);
            }
        }
        loop.execute(() -> {
            answers.forEach(Runnable::run);
            dispatch(ss);
        });
    }

    /** A stream's jobs waiting in the {@link LeaseQueue} for the connection the first of them leases. */
    private final class QueuedJobs implements LeaseQueue.Waiter {
        private final SocketStream ss;
        private final Stream stream;
        private final Job[] jobs;

        QueuedJobs(SocketStream ss, Stream stream, Job[] jobs) {
            this.ss = ss;
            this.stream = stream;
            this.jobs = jobs;
        }

        @Override
        public void run(long queuedAtNanos) {
            runJobs(ss, jobs, stream, queuedAtNanos, null);
        }

        @Override
        public void timedOut(long queuedAtNanos) {
            // as a lease that timed out in the pool: the request that leases gets the pool's error and its stream closes
            BackendUnavailableException refusal = engine.acquireTimedOut(queuedAtNanos, stream.policy.lease());
            workers.execute(() -> runJobs(ss, jobs, stream, 0, refusal));
        }

        @Override
        public void fail(Throwable failure) {
            // runJobs answers each job's own failure: this is a fault past them, so no answer can be trusted
            LOG.error("unexpected failure running Hrana WebSocket requests", failure);
            loop.execute(SocketSession.this::fault);
        }

        @Override
        public boolean overShare() {
            return stream.atLeaseLimit();
        }

        @Override
        public void elsewhere() {
            workers.execute(() -> runJobs(ss, jobs, null, 0, null));
        }
    }

    /** Runs one job on a worker; returns what the I/O thread does with its outcome (send its answer, or end the connection on a fault). */
    private Runnable run(Job job) {
        Encoded answer = null;
        boolean fault = false;
        if (job.mustRun() || !closed) {
            try {
                answer = job.work().get();
            } catch (RuntimeException | Error e) {
                LOG.error("unexpected failure answering a Hrana WebSocket request", e);
                fault = true;
            }
        }
        Encoded done = answer;
        if (fault) {
            return this::fault; // the request id cannot be answered truthfully: the connection ends instead
        }
        return done != null && job.answers() ? () -> answer(done) : () -> {
        };
    }

    // ---- answers ----

    /** A request could not be answered truthfully (a bug): the connection ends instead. */
    private void fault() {
        engine.countRequest(RequestOutcome.SERVER_ERROR);
        peer.close(SocketClose.INTERNAL_ERROR, "Internal server error");
    }

    /** Sends one request's answer (on the I/O thread). */
    private void answer(Encoded encoded) {
        if (closed) {
            return;
        }
        pending--;
        encoded.sendTo(peer);
    }

    private void send(ServerMsg message) {
        codec.encode(message).sendTo(peer);
    }

    private Encoded ok(int requestId, String type, RequestRunner.Response response) {
        engine.countRequest(RequestOutcome.OK);
        answered(requestId);
        return codec.encode(new ResponseOk(requestId, type, response, null));
    }

    private Encoded ok(int requestId, String type, CursorPage page) {
        engine.countRequest(RequestOutcome.OK);
        answered(requestId);
        return codec.encode(new ResponseOk(requestId, type, null, page));
    }

    /** A statement's failure: the request was served (statement outcomes are counted apart). */
    private Encoded error(int requestId, StatementException e) {
        engine.countRequest(RequestOutcome.OK);
        answered(requestId);
        return codec.encode(new ResponseError(requestId, e.getMessage(), e.code()));
    }

    /** A refusal or failure of the whole request, counted as over HTTP. */
    private Encoded error(int requestId, ProtocolException e) {
        engine.countRequest(e.outcome());
        answered(requestId);
        return codec.encode(new ResponseError(requestId, e.getMessage(), e.code()));
    }

    // ---- SQL texts are per connection over WebSocket: resolved when the request arrives ----

    private StreamRequest resolve(StreamRequest r) throws StatementException {
        if (r instanceof Hrana.ExecuteReq e) {
            return new Hrana.ExecuteReq(resolve(e.stmt()));
        }
        if (r instanceof Hrana.BatchReq b) {
            return new Hrana.BatchReq(resolve(b.batch()));
        }
        if (r instanceof Hrana.SequenceReq q && q.sqlId() != null) {
            return new Hrana.SequenceReq(sql(q.sqlId()), null);
        }
        if (r instanceof Hrana.DescribeReq d && d.sqlId() != null) {
            return new Hrana.DescribeReq(sql(d.sqlId()), null);
        }
        return r;
    }

    private Batch resolve(Batch batch) throws StatementException {
        List<BatchStep> steps = new ArrayList<>(batch.steps().size());
        for (BatchStep step : batch.steps()) {
            steps.add(new BatchStep(step.condition(), resolve(step.stmt())));
        }
        return new Batch(steps);
    }

    private Stmt resolve(Stmt stmt) throws StatementException {
        return stmt.sqlId() == null ? stmt : new Stmt(sql(stmt.sqlId()), null, stmt.args(), stmt.namedArgs(), stmt.wantRows());
    }

    private String sql(int sqlId) throws StatementException {
        String sql = sqls.get(sqlId);
        if (sql == null) {
            throw new StatementException(ErrorCode.SQL_STORE_ERROR, "No SQL text is stored under sql_id " + sqlId);
        }
        return sql;
    }

    /** A client's stream on this connection. */
    private static final class SocketStream {
        final int id;
        /** Set by the open job, read by later jobs of the same stream (each handed on through the I/O thread). */
        volatile Stream stream;
        /** The open failed (limits, drain, breaker): later requests on it are answered {@code STREAM_NOT_OPEN}. */
        volatile boolean failed;
        /** I/O thread only. */
        final ArrayDeque<Job> queue = new ArrayDeque<>(2);
        boolean running;
        Integer cursorId;

        SocketStream(int id) {
            this.id = id;
        }
    }

    /** A cursor: its batch ran to the end when it opened; {@code fetch_cursor} hands out its entries. */
    private static final class Cursor {
        final SocketStream stream;
        /** Jobs of its stream (handed on through the I/O thread), and the I/O thread while none runs. */
        ArrayDeque<CursorEntry> entries;
        volatile boolean failed;

        Cursor(SocketStream stream) {
            this.stream = stream;
        }
    }
}
