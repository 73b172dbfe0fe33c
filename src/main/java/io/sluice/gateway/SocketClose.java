package io.sluice.gateway;

/**
 * A protocol violation on a Hrana WebSocket: the connection is closed with {@link #code} and the message
 * as reason, as the Hrana specification asks (an error that concerns one request is a
 * {@code response_error} instead, and the connection stays).
 */
public final class SocketClose extends RuntimeException {
    /** Normal closure: idle connection. */
    public static final short NORMAL = 1000;
    /** The server is going away (graceful drain). */
    public static final short GOING_AWAY = 1001;
    /** Frames that break the WebSocket protocol itself (a continuation without a message to continue). */
    public static final short PROTOCOL_ERROR = 1002;
    /** A frame of the wrong kind for the negotiated encoding (binary for JSON, text for Protobuf). */
    public static final short UNSUPPORTED_DATA = 1003;
    /** A message that is not what the encoding describes (bad JSON, wrong shape, unknown type). */
    public static final short INVALID_PAYLOAD = 1007;
    /** A well-formed message the protocol does not allow here (unknown stream, repeated id, request before hello...). */
    public static final short POLICY_VIOLATION = 1008;
    /** A message larger than {@code sluice.websocket.max-message-bytes}. */
    public static final short MESSAGE_TOO_BIG = 1009;
    /** The server failed; nothing the client did. */
    public static final short INTERNAL_ERROR = 1011;
    /** Try again later: the server holds too many large messages at once. */
    public static final short TRY_AGAIN_LATER = 1013;

    private final short code;

    SocketClose(short code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    static SocketClose invalid(String reason) {
        return new SocketClose(INVALID_PAYLOAD, reason);
    }

    static SocketClose policy(String reason) {
        return new SocketClose(POLICY_VIOLATION, reason);
    }

    short code() {
        return code;
    }
}
