package io.sluice.gateway.ws;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.sluice.config.SluiceConfig;
import io.sluice.gateway.SocketSessions;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * WebSocket settings of the data port's HTTP server: the Hrana subprotocols it selects from in the
 * handshake, the largest frame (a larger one closes the connection with 1009 before it is buffered), no
 * compression (a compressed message could inflate past every limit), and a short closing handshake.
 */
@ApplicationScoped
public class WebSocketServerOptions implements HttpServerOptionsCustomizer {
    static final int CLOSING_TIMEOUT_SECONDS = 3;

    private final SocketSessions sessions;
    private final SluiceConfig.WebSocket config;

    WebSocketServerOptions(SocketSessions sessions, SluiceConfig config) {
        this.sessions = sessions;
        this.config = config.websocket();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        apply(options);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        apply(options);
    }

    private void apply(HttpServerOptions options) {
        options.setWebSocketSubProtocols(sessions.subprotocols());
        options.setMaxWebSocketFrameSize(config.maxMessageBytes());
        options.setMaxWebSocketMessageSize(config.maxMessageBytes());
        options.setPerMessageWebSocketCompressionSupported(false);
        options.setPerFrameWebSocketCompressionSupported(false);
        // after the server's close frame, how long it waits for the client's: a client refused in the middle of
        // a large message may never get its close through, and holds its share of the request budget until then
        options.setWebSocketClosingTimeout(CLOSING_TIMEOUT_SECONDS);
    }
}
