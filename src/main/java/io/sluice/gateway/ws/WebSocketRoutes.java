package io.sluice.gateway.ws;

import io.micrometer.core.instrument.Gauge;
import io.netty.channel.ChannelPipeline;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.gateway.HranaRoutes;
import io.sluice.gateway.SocketClose;
import io.sluice.gateway.SocketSession;
import io.sluice.gateway.SocketSessions;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Accepts Hrana WebSocket connections on the data port, on every path the HTTP endpoints answer (a
 * client's URL may carry a path): a {@code GET} with {@code Upgrade: websocket} is upgraded, any other
 * request goes on to the HTTP routes. The upgrade is refused with a Hrana error body before the handshake
 * when the server drains, when the client offers only subprotocols that are not served, or when
 * {@code sluice.websocket.max-connections} are open.
 *
 * <p>At SIGTERM, before the stream drain ({@code GracefulDrain}) starts, new connections are refused and
 * every connection is closed with 1001 (going away) as soon as it is settled: no request outstanding, no
 * stream that could hold a transaction (the stream drain closes the idle ones in autocommit). When the
 * stream drain ends, the connections left are closed once their outstanding requests are answered. With no
 * connection open, neither step waits.
 */
@ApplicationScoped
public class WebSocketRoutes {
    private static final Logger LOG = Logger.getLogger(WebSocketRoutes.class);
    /** After the Hrana POST routes, which no upgrade takes, and before every other GET route: an upgrade is decided on its headers alone. */
    private static final int ORDER = HranaRoutes.ORDER + 1;
    private static final String SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol";
    private static final long DRAIN_SWEEP_MILLIS = 100;
    /** How long the end of the drain waits for connections to finish their outstanding requests. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

    private final SocketSessions sessions;
    private final SluiceConfig.WebSocket config;
    private final Vertx vertx;
    private final Duration pingInterval;
    private final Set<SocketConnection> connections = ConcurrentHashMap.newKeySet();
    /** Connections open or being upgraded: reserved before the handshake, so the limit holds under a burst. */
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean draining;
    private volatile long drainSweep = -1;

    WebSocketRoutes(SocketSessions sessions, SluiceConfig config, SluiceMetrics metrics, Vertx vertx) {
        this.sessions = sessions;
        this.config = config.websocket();
        this.vertx = vertx;
        Optional<Duration> httpIdle = ConfigProvider.getConfig().getOptionalValue("quarkus.http.idle-timeout", Duration.class);
        this.pingInterval = KeepAlive.pingInterval(this.config.pingInterval(), httpIdle);
        if (pingInterval.compareTo(this.config.pingInterval()) < 0) {
            LOG.infof("WebSocket ping interval %d ms (sluice.websocket.ping-interval %d ms, capped at half of quarkus.http.idle-timeout)",
                    pingInterval.toMillis(), this.config.pingInterval().toMillis());
        }
        Gauge.builder(Meters.WEBSOCKET_CONNECTIONS, connections, Set::size).description("Open Hrana WebSocket connections")
                .register(metrics.registry());
    }

    /** The ping interval in use. */
    Duration pingInterval() {
        return pingInterval;
    }

    /** Open connections (for tests and diagnostics). */
    public int openConnections() {
        return connections.size();
    }

    void register(@Observes Router router) {
        // no path on the route: its method is compared first, so every POST passes it without a path match
        router.get().order(ORDER).handler(this::upgrade);
    }

    private void upgrade(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        if (upgrade == null || !"websocket".equalsIgnoreCase(upgrade.strip()) || !HranaRoutes.servesPath(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        int before = open.getAndIncrement();
        List<String> offeredHeaders = request.headers().getAll(SUBPROTOCOL_HEADER);
        String offered = offeredHeaders.isEmpty() ? null : String.join(",", offeredHeaders);
        SocketSessions.Refusal refusal = sessions.refuseUpgrade(offered, before, draining);
        if (refusal != null) {
            open.decrementAndGet();
            if (refusal.retryAfterSeconds() != null) {
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, refusal.retryAfterSeconds().toString());
            }
            ctx.response().setStatusCode(refusal.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONNECTION, "close").end(Buffer.buffer(refusal.body()));
            return;
        }
        if (offered != null) {
            // the handshake takes the client's first offer it serves; the server's preference decides instead
            request.headers().set(SUBPROTOCOL_HEADER, sessions.choose(offered));
        }
        String client = request.getHeader(SocketSessions.CLIENT_HEADER);
        Context context = vertx.getOrCreateContext();
        // the router hands out a wrapper of the WebSocket; the connection underneath is the one to guard
        ChannelPipeline pipeline = ((ConnectionBase) request.connection()).channel().pipeline();
        request.toWebSocket().onComplete(ar -> {
            UpgradedExchanges.ended(request);
            if (ar.failed()) {
                open.decrementAndGet();
                LOG.debugf("WebSocket upgrade failed: %s", ar.cause().toString());
                return;
            }
            accept(ar.result(), context, client, pipeline);
        });
    }

    private void accept(ServerWebSocket ws, Context context, String client, ChannelPipeline pipeline) {
        SocketConnection connection = new SocketConnection(ws, context, this, config.maxMessageBytes(), config.maxPendingRequests(),
                config.idleTimeout().toNanos(), pingInterval.toNanos(), config.helloTimeout().toMillis());
        Executor loop = task -> context.runOnContext(v -> task.run());
        Executor workers = task -> context.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
        SocketAddress peer = ws.remoteAddress();
        SocketSession session = sessions.open(ws.subProtocol(), connection, loop, workers, client, peer == null ? null : peer.hostAddress());
        connections.add(connection);
        connection.start(session);
        connection.guard(pipeline);
        if (draining) {
            connection.closeOnceAnswered();
        }
    }

    /** A connection is gone (either side closed it). */
    void closed(SocketConnection connection) {
        if (connections.remove(connection)) {
            open.decrementAndGet();
        }
    }

    /** First at SIGTERM, before the stream drain: no new connections; settled ones close with 1001 from now on. */
    void onDrainStart(@Observes @Priority(Interceptor.Priority.APPLICATION) ShutdownDelayInitiatedEvent event) {
        draining = true;
        if (connections.isEmpty()) {
            return;
        }
        LOG.infof("draining: closing %d WebSocket connection(s) as they settle", connections.size());
        sweep();
        drainSweep = vertx.setPeriodic(DRAIN_SWEEP_MILLIS, id -> sweep());
    }

    private void sweep() {
        for (SocketConnection c : connections) {
            c.context().runOnContext(v -> c.closeIfSettled());
        }
    }

    /** Last at SIGTERM, after the stream drain: the connections left close once their outstanding requests are answered. */
    void onDrainEnd(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) ShutdownDelayInitiatedEvent event) {
        long sweepTimer = drainSweep;
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        if (connections.isEmpty()) {
            return;
        }
        for (SocketConnection c : connections) {
            c.context().runOnContext(v -> c.closeOnceAnswered());
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!connections.isEmpty()) {
            LOG.warnf("%d WebSocket connection(s) still open after the drain; the server closes them", connections.size());
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        draining = true;
        for (SocketConnection c : connections) {
            c.context().runOnContext(v -> c.close(SocketClose.GOING_AWAY, "The server is shutting down"));
        }
    }
}
