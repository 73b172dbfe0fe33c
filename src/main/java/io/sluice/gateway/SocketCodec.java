package io.sluice.gateway;

import io.sluice.gateway.SocketMessages.ClientMsg;
import io.sluice.gateway.SocketMessages.ServerMsg;

/**
 * One encoding of Hrana over WebSocket, chosen by the subprotocol the client negotiated. The JSON
 * encoding ({@link SocketJsonCodec}) serves {@code hrana1} to {@code hrana3}; a {@code hrana3-protobuf}
 * codec plugs in beside it in {@link SocketSessions}. Decoding runs on the connection's I/O thread and
 * encoding on whichever thread produced the answer, so a codec keeps no state.
 */
interface SocketCodec {

    /** The WebSocket subprotocol this codec answers to, e.g. {@code hrana3}. */
    String subprotocol();

    /** The Hrana version (1, 2 or 3) of the subprotocol: which requests are allowed. */
    int version();

    /** True when messages travel in binary frames (Protobuf), false for text frames (JSON). */
    boolean binary();

    /**
     * Decodes one whole client message.
     *
     * @throws SocketClose when the message violates the protocol (the connection is closed with its code)
     */
    ClientMsg decode(byte[] message);

    /** Encodes one server message into the frame that carries it. */
    Encoded encode(ServerMsg message);

    /** An encoded server message: text for a text frame, or bytes for a binary frame. */
    record Encoded(String text, byte[] binary) {
        void sendTo(SocketSession.Peer peer) {
            if (text != null) {
                peer.sendText(text);
            } else {
                peer.sendBinary(binary);
            }
        }
    }
}
