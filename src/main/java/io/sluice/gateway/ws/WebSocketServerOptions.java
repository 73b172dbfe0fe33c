package io.sluice.gateway.ws;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.sluice.config.SluiceConfig;
import io.sluice.gateway.SocketSessions;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * WebSocket settings of the data port's HTTP server: the Hrana subprotocols it selects from in the
 * handshake, the largest frame (a larger one closes the connection with 1009 before it is buffered), and
 * no compression (a compressed message could inflate past every limit).
 */
@ApplicationScoped
public class WebSocketServerOptions implements HttpServerOptionsCustomizer {
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
    }
}
