package io.sluice.gateway.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.sluice.gateway.SocketClose;
import io.sluice.gateway.SocketSession;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The Vert.x side of one Hrana WebSocket connection. Everything here runs on the connection's I/O thread.
 *
 * <ul>
 * <li>Frames are joined into messages of at most {@code max-message-bytes}; a longer message closes the
 * connection with 1009 before more is buffered (a single frame that large is refused by the frame decoder
 * before it is read).
 * <li>Back-pressure: the connection stops reading while it has {@code max-pending-requests} requests
 * outstanding, its write queue is full (a client that does not read its answers) or its session decodes a
 * large message on a worker, and reads again when answers have gone out or the message was handled.
 * <li>Keep-alive: a ping every interval ({@link KeepAlive}); a peer silent for two intervals is closed, and
 * so is a connection without messages and without outstanding requests for the idle timeout, and one whose
 * {@code hello} has not succeeded within the hello timeout of its upgrade.
 * </ul>
 */
final class SocketConnection implements SocketSession.Peer {
    private static final Logger LOG = Logger.getLogger(SocketConnection.class);
    /** A close frame's reason is at most 123 bytes. */
    private static final int MAX_REASON_BYTES = 123;
    /** A {@code hello} is a token in a few hundred bytes; 32 KiB leaves room for any token an HTTP header could carry. */
    static final int PRE_HELLO_MESSAGE_BYTES = 32 * 1024;
    /** Received bytes not yet decoded before a successful {@code hello}: the hello and one socket read after it. */
    static final int PRE_HELLO_RECEIVED_BYTES = PRE_HELLO_MESSAGE_BYTES + 96 * 1024;

    private final ServerWebSocket ws;
    private final Context context;
    private final WebSocketRoutes owner;
    private final int maxMessageBytes;
    private final int maxPending;
    private final long idleNanos;
    private final long pingNanos;
    private final long helloMillis;
    private SocketSession session;

    private Buffer partial;
    private boolean partialBinary;
    private boolean paused;
    /** Set once this side sent its close frame (or the connection is gone): nothing more is sent. */
    private boolean closing;
    private boolean gone;
    /** The drain asked to close once every outstanding request is answered. */
    private boolean closeWhenAnswered;
    private long lastMessageNanos;
    private long lastSeenNanos;
    private long lastPingNanos;
    private long timer = -1;
    private long helloTimer = -1;
    /** Bytes received and reserved that have not arrived whole as a message yet: after a successful hello... */
    private long received;
    /** ...and before it (they count in a budget of their own, so unauthenticated clients cannot spend the requests'). */
    private long receivedBeforeHello;

    SocketConnection(ServerWebSocket ws, Context context, WebSocketRoutes owner, int maxMessageBytes, int maxPending,
            long idleNanos, long pingNanos, long helloMillis) {
        this.ws = ws;
        this.context = context;
        this.owner = owner;
        this.maxMessageBytes = maxMessageBytes;
        this.maxPending = maxPending;
        this.idleNanos = idleNanos;
        this.pingNanos = pingNanos;
        this.helloMillis = helloMillis;
    }

    Context context() {
        return context;
    }

    /**
     * Counts what the client sends against the budget all requests share before anything buffers it: a
     * message of many megabytes in flight is held, until its last byte arrives, by the frame decoder (one
     * large frame) or here (many frames joined), so each read is reserved as it comes in ({@link #admit})
     * and given back when a whole message has arrived ({@link #deliver}), whose request then holds its own
     * reservation until answered. Without this, clients sending large messages at once fill the heap before
     * any message is seen. Installed in front of the decoder; on the I/O thread.
     *
     * <p>Also joins the answers written in one turn of the I/O thread into one socket write: Vert.x flushes
     * every message written outside a read at once, so the answers a worker hands over together (a
     * statement's and its {@code close_stream}'s) would cost a system call each. The flush waits until the
     * I/O thread has run the tasks already queued, never longer; a close still flushes first.
     */
    void guard(ChannelPipeline pipeline) {
        String decoder = null;
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
            if (e.getValue() instanceof WebSocketFrameDecoder) {
                decoder = e.getKey();
            }
        }
        if (decoder == null) {
            throw new IllegalStateException("no WebSocket frame decoder in the connection's pipeline");
        }
        pipeline.addFirst("sluice-flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        pipeline.addBefore(decoder, "sluice-received", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf bytes && !admit(bytes.readableBytes())) {
                    bytes.release();
                    return;
                }
                ctx.fireChannelRead(msg);
            }
        });
    }

    /** Reserves one read's bytes; false (and the connection closing) when it may not have them. */
    private boolean admit(int bytes) {
        // still read (and counted) while closing: the client's own close frame must get through
        if (gone) {
            return false;
        }
        boolean greeted = session.greeted();
        if (!greeted && receivedBeforeHello + bytes > PRE_HELLO_RECEIVED_BYTES) {
            tooBig();
            return false;
        }
        String refused = session.reserveReceived(bytes, received + bytes, greeted);
        if (refused != null) {
            close(SocketClose.TRY_AGAIN_LATER, refused);
            return false;
        }
        if (greeted) {
            received += bytes;
        } else {
            receivedBeforeHello += bytes;
        }
        return true;
    }

    private void giveBackReceived() {
        if (received > 0 || receivedBeforeHello > 0) {
            session.releaseReceived(received, receivedBeforeHello);
            received = 0;
            receivedBeforeHello = 0;
        }
    }

    /** Starts serving the connection; on its I/O thread. */
    void start(SocketSession session) {
        this.session = session;
        long now = System.nanoTime();
        lastMessageNanos = now;
        lastSeenNanos = now;
        lastPingNanos = now;
        ws.frameHandler(this::onFrame);
        ws.pongHandler(b -> lastSeenNanos = System.nanoTime());
        ws.drainHandler(v -> updateReading());
        ws.exceptionHandler(this::onException);
        ws.closeHandler(v -> onGone());
        // often enough for both the pings and the idle timeout
        long periodMillis = Math.max(100, Math.min(pingNanos, idleNanos / 4) / 1_000_000);
        timer = context.owner().setPeriodic(periodMillis, id -> tick());
        helloTimer = context.owner().setTimer(Math.max(1, helloMillis), id -> {
            helloTimer = -1;
            if (!session.greeted()) {
                close(SocketClose.POLICY_VIOLATION, "No successful hello within " + helloMillis + " ms");
            }
        });
    }

    /** The largest message before a successful {@code hello}, which carries a token and nothing else. */
    private int limit() {
        return session.greeted() ? maxMessageBytes : PRE_HELLO_MESSAGE_BYTES;
    }

    private void onFrame(WebSocketFrame frame) {
        lastSeenNanos = System.nanoTime();
        if (closing) {
            return;
        }
        if (frame.isText() || frame.isBinary()) {
            if (partial != null) {
                close(SocketClose.PROTOCOL_ERROR, "A new message began before the previous one ended");
                return;
            }
            Buffer data = frame.binaryData();
            if (data.length() > limit()) {
                tooBig();
                return;
            }
            if (frame.isFinal()) {
                deliver(data.getBytes(), frame.isBinary());
            } else {
                partialBinary = frame.isBinary();
                partial = Buffer.buffer(Math.min(limit(), Math.max(256, data.length() * 2)));
                partial.appendBuffer(data);
            }
        } else if (frame.isContinuation()) {
            if (partial == null) {
                close(SocketClose.PROTOCOL_ERROR, "A continuation frame without a message to continue");
                return;
            }
            Buffer data = frame.binaryData();
            if ((long) partial.length() + data.length() > limit()) {
                partial = null;
                tooBig();
                return;
            }
            partial.appendBuffer(data);
            if (frame.isFinal()) {
                byte[] message = partial.getBytes();
                partial = null;
                deliver(message, partialBinary);
            }
        }
        // ping, pong and close frames are answered by Vert.x itself
    }

    /**
     * A frame the decoder refused (larger than the limit, or malformed): Vert.x reports it here and would
     * drop the connection without a close frame; the client is told why instead.
     */
    private void onException(Throwable t) {
        if (t instanceof CorruptedWebSocketFrameException c) {
            WebSocketCloseStatus status = c.closeStatus();
            if (status != null && status.code() == SocketClose.MESSAGE_TOO_BIG) {
                tooBig();
            } else {
                close(status == null ? SocketClose.PROTOCOL_ERROR : (short) status.code(), "Malformed WebSocket frame");
            }
            return;
        }
        LOG.debugf("Hrana WebSocket error: %s", t.toString());
    }

    private void tooBig() {
        close(SocketClose.MESSAGE_TOO_BIG, session.greeted() ? "Message is larger than " + maxMessageBytes + " bytes"
                : "Message before a successful hello is larger than " + PRE_HELLO_MESSAGE_BYTES + " bytes");
    }

    private void deliver(byte[] message, boolean binary) {
        // every byte received so far is in this message or before it, but for the start of the next message
        // read together with its end (one read at most)
        giveBackReceived();
        lastMessageNanos = System.nanoTime();
        session.onMessage(message, binary);
        updateReading();
    }

    /** Reads while there is room for more requests and the client reads its answers; else stops reading. */
    private void updateReading() {
        if (gone) {
            return;
        }
        boolean stop = !closing && (session.decoding() || session.pendingRequests() >= maxPending || ws.writeQueueFull());
        if (stop && !paused) {
            paused = true;
            ws.pause();
        } else if (!stop && paused) {
            paused = false;
            lastSeenNanos = System.nanoTime(); // pongs were not read meanwhile
            ws.resume();
        }
    }

    @Override
    public void readAgain() {
        afterSend(); // as after an answer: the drain may be waiting for this one
    }

    @Override
    public void sendText(String text) {
        if (closing) {
            return;
        }
        ws.writeTextMessage(text);
        afterSend();
    }

    @Override
    public void sendBinary(byte[] data) {
        if (closing) {
            return;
        }
        ws.writeBinaryMessage(Buffer.buffer(data));
        afterSend();
    }

    private void afterSend() {
        if (closeWhenAnswered && session.pendingRequests() == 0) {
            close(SocketClose.GOING_AWAY, "The server is shutting down");
            return;
        }
        updateReading();
    }

    @Override
    public void close(short code, String reason) {
        if (closing || gone) {
            return;
        }
        closing = true;
        if (paused) {
            paused = false;
            ws.resume(); // so that the client's close frame is read
        }
        ws.close(code, truncate(reason));
    }

    private void onGone() {
        if (gone) {
            return;
        }
        gone = true;
        closing = true;
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
        }
        if (helloTimer >= 0) {
            context.owner().cancelTimer(helloTimer);
        }
        partial = null;
        if (session != null) {
            giveBackReceived();
            session.onClosed();
        }
        owner.closed(this);
    }

    private void tick() {
        if (closing) {
            return;
        }
        long now = System.nanoTime();
        if (session.pendingRequests() == 0 && now - lastMessageNanos > idleNanos) {
            close(SocketClose.NORMAL, "Idle for longer than " + idleNanos / 1_000_000 + " ms");
            return;
        }
        if (!paused && now - lastSeenNanos > 2 * pingNanos) {
            // a stopped reader cannot see pongs; a client silent for two pings is gone
            close(SocketClose.GOING_AWAY, "No answer to keep-alive pings");
            return;
        }
        if (now - lastPingNanos >= pingNanos) {
            lastPingNanos = now;
            ws.writePing(Buffer.buffer(0));
        }
    }

    /** For the drain, on the I/O thread: closes the connection now if nothing would be lost. */
    void closeIfSettled() {
        if (!closing && session != null && session.isSettled()) {
            close(SocketClose.GOING_AWAY, "The server is shutting down");
        }
    }

    /** For the end of the drain, on the I/O thread: closes the connection once its outstanding requests are answered. */
    void closeOnceAnswered() {
        closeWhenAnswered = true;
        if (session == null || session.pendingRequests() == 0) {
            close(SocketClose.GOING_AWAY, "The server is shutting down");
        }
    }

    private static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        int end = MAX_REASON_BYTES;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // never cut a character in half
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
