package io.sluice.gateway;

import io.sluice.auth.Principal;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.breaker.CircuitOpenException;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.metrics.SluiceMetrics.Endpoint;
import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.sluice.pool.Backend;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.pool.LeasePolicy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The transport-neutral entry to Hrana over WebSocket: which subprotocols (and so versions and
 * encodings) are served, whether a new connection is admitted, and the {@link SocketSession} of each
 * connection. The WebSocket transport ({@code io.sluice.gateway.ws}) calls only this and the session.
 */
@ApplicationScoped
public class SocketSessions {
    /** The header naming the calling application when authentication is off (as over HTTP). */
    public static final String CLIENT_HEADER = HranaHandler.CLIENT_HEADER;

    private final DataApiAuth auth;
    private final StreamManager streams;
    private final RequestRunner runner;
    private final SluiceMetrics metrics;
    private final CircuitBreaker breaker;
    private final InlineReads inline;
    private final Backend backend;
    private final LeaseQueue leaseQueue;
    private final SluiceConfig.Gateway gateway;
    private final SluiceConfig.WebSocket websocket;
    /** By subprotocol, in the server's order of preference (as the libSQL server's: Protobuf, then the newest JSON). */
    private final Map<String, SocketCodec> codecs = new LinkedHashMap<>();

    /**
     * What all WebSocket clients that have not said hello yet may hold at once, in messages on their way: a
     * hello is a token, so 4 MiB is some thousands of them arriving together.
     */
    private static final long BEFORE_HELLO_BYTES = 4L * 1024 * 1024;
    /**
     * What the unauthenticated connections of one client address may hold of {@link #BEFORE_HELLO_BYTES}: an
     * eighth, so that one address (an IPv6 address by its /64 network) opening connection after connection
     * cannot keep every other client from saying hello. Clients behind one proxy share it; their hellos are
     * a few hundred bytes each, so they reach it only with some thousands in flight at once.
     */
    private static final long BEFORE_HELLO_BYTES_PER_ADDRESS = BEFORE_HELLO_BYTES / 8;
    private final BodyBudget budget;
    private final BodyBudget beforeHello = new BodyBudget(BEFORE_HELLO_BYTES);
    /** Bytes held before a hello, by client address ({@link #addressKey}); an address holding none has no entry. */
    private final ConcurrentHashMap<String, Long> beforeHelloByAddress = new ConcurrentHashMap<>();

    SocketSessions(DataApiAuth auth, StreamManager streams, RequestRunner runner, SluiceConfig config, SluiceMetrics metrics,
            CircuitBreaker breaker, InlineReads inline, BodyBudget budget, Backend backend, LeaseQueue leaseQueue) {
        this.auth = auth;
        this.backend = backend;
        this.leaseQueue = leaseQueue;
        this.budget = budget;
        this.inline = inline;
        this.streams = streams;
        this.runner = runner;
        this.metrics = metrics;
        this.breaker = breaker;
        this.gateway = config.gateway();
        this.websocket = config.websocket();
        for (SocketCodec codec : List.of(new ProtobufWsCodec(), new SocketJsonCodec("hrana3", 3), new SocketJsonCodec("hrana2", 2),
                new SocketJsonCodec("hrana1", 1))) {
            codecs.put(codec.subprotocol(), codec);
        }
    }

    /**
     * Reserves {@code bytes} of a message of {@code messageSize} so far in the budget all requests share, within
     * the share of the caller keyed {@code shareKey} (null: none of its own).
     */
    BodyBudget.Admission reserveMessage(String shareKey, long bytes, long messageSize) {
        return budget.reserve(shareKey, bytes, messageSize);
    }

    /** Gives back what {@link #reserveMessage} reserved, with the same key. */
    void releaseMessage(String shareKey, long bytes) {
        budget.release(shareKey, bytes);
    }

    /**
     * Reserves bytes a connection from {@code address} ({@link #addressKey}) sent before its hello; false when
     * unauthenticated clients hold too many, or those of that address their share.
     */
    boolean reserveBeforeHello(String address, long bytes) {
        boolean[] reserved = {false};
        beforeHelloByAddress.compute(address, (a, held) -> {
            long now = held == null ? 0 : held;
            if (now + bytes > BEFORE_HELLO_BYTES_PER_ADDRESS || !beforeHello.tryReserve(bytes)) {
                return held;
            }
            reserved[0] = true;
            return now + bytes;
        });
        return reserved[0];
    }

    /** Gives back what {@link #reserveBeforeHello} reserved for {@code address}. */
    void releaseBeforeHello(String address, long bytes) {
        if (bytes <= 0) {
            return;
        }
        beforeHelloByAddress.computeIfPresent(address, (a, held) -> held - bytes <= 0 ? null : held - bytes);
        beforeHello.release(bytes);
    }

    /**
     * The key a client's unauthenticated bytes are counted under: its IP address, an IPv6 address by its /64
     * network (one host may hold a whole /64); the text as given when it is not an IP literal.
     */
    static String addressKey(String host) {
        if (host == null) {
            return "";
        }
        if (host.indexOf(':') >= 0) {
            try {
                byte[] ip = InetAddress.getByName(host).getAddress(); // an IPv6 literal: parsed, never looked up
                if (ip.length == 16) {
                    Arrays.fill(ip, 8, 16, (byte) 0);
                    return InetAddress.getByAddress(ip).getHostAddress() + "/64";
                }
            } catch (UnknownHostException e) {
                return host;
            }
        }
        return host;
    }

    /** What the connections of one client address may hold before their hello (for tests and diagnostics). */
    public static long beforeHelloBytesPerAddress() {
        return BEFORE_HELLO_BYTES_PER_ADDRESS;
    }

    /** Bytes of requests reserved right now, over HTTP and WebSocket, before a hello too (for tests and diagnostics). */
    public long reservedRequestBytes() {
        return budget.reserved() + beforeHello.reserved();
    }

    /** The subprotocols served, most preferred first. */
    public List<String> subprotocols() {
        return List.copyOf(codecs.keySet());
    }

    /** An HTTP answer refusing a WebSocket upgrade: status, {@code Retry-After} (or null) and a Hrana error body. */
    public record Refusal(int status, Integer retryAfterSeconds, byte[] body) {
    }

    /**
     * Whether a WebSocket upgrade may go ahead, decided on its headers: null when it may, else the refusal.
     *
     * @param offered the {@code Sec-WebSocket-Protocol} header (null: none offered, which means {@code hrana1})
     * @param openConnections connections open now, this one not counted
     * @param draining the transport has begun to drain (the stream drain may not have begun yet)
     */
    public Refusal refuseUpgrade(String offered, int openConnections, boolean draining) {
        if (draining || streams.isDraining()) {
            return refusal(new ProtocolException(HranaError.SHUTTING_DOWN,
                    "This server is shutting down and accepts no new connections; retry, another replica will answer"));
        }
        if (offered != null && choose(offered) == null) {
            return refusal(ProtocolException.badRequest("Only these WebSocket subprotocols are supported: " + String.join(" ", codecs.keySet())));
        }
        if (openConnections >= websocket.maxConnections()) {
            return refusal(new ProtocolException(HranaError.SERVER_BUSY,
                    "Too many WebSocket connections (limit " + websocket.maxConnections() + "); retry shortly"));
        }
        return null;
    }

    private Refusal refusal(ProtocolException e) {
        countRequest(e.outcome());
        return new Refusal(e.status(), e.retryAfterSeconds(), HranaJsonWriter.errorBody(e.getMessage(), e.code()));
    }

    /**
     * The subprotocol a connection speaks: the server's most preferred one among those the client offers
     * (the client's order does not matter, as with the libSQL server), or null when none is served.
     * Names are compared exactly: the handshake answers with the client's own spelling.
     *
     * @param offered the {@code Sec-WebSocket-Protocol} header, a comma-separated list
     */
    public String choose(String offered) {
        List<String> names = new ArrayList<>();
        for (String p : offered.split(",")) {
            names.add(p.strip());
        }
        for (String served : codecs.keySet()) {
            if (names.contains(served)) {
                return served;
            }
        }
        return null;
    }

    /**
     * The session of a new connection.
     *
     * @param subprotocol the negotiated subprotocol; null (the client offered none) is {@code hrana1}
     * @param loop runs a task on the connection's I/O thread
     * @param workers runs blocking work (JDBC) off the I/O thread
     * @param clientHeader the {@value #CLIENT_HEADER} header of the upgrade request, or null
     * @param remoteHost the client's IP address (what its bytes before a hello count against), or null
     */
    public SocketSession open(String subprotocol, SocketSession.Peer peer, Executor loop, Executor workers, String clientHeader,
            String remoteHost) {
        SocketCodec codec = codecs.get(subprotocol == null ? "hrana1" : subprotocol);
        if (codec == null) {
            throw new IllegalArgumentException("subprotocol not served: " + subprotocol);
        }
        String client = clientHeader == null || clientHeader.isBlank() ? null : clientHeader.strip();
        return new SocketSession(this, codec, peer, loop, workers, client, addressKey(remoteHost));
    }

    /** True from SIGTERM on: new connections and streams are refused. */
    public boolean isDraining() {
        return streams.isDraining();
    }

    Principal authenticate(String jwt) {
        return auth.authenticate(jwt == null ? null : "Bearer " + jwt);
    }

    /**
     * Opens a stream for a WebSocket client, on its I/O thread (nothing here blocks: no connection is leased
     * until a statement needs one): refused while draining or while the breaker
     * refuses calls (as a stream-less HTTP request is), else opened under the same limits as over HTTP.
     */
    Stream open(Principal principal, String clientHeader) {
        streams.refuseNewStreamWhileDraining();
        // as over HTTP: the client's own name counts only when authentication is off
        String client = principal.authenticated() ? null : clientHeader;
        String rolloutKey = principal.authenticated() ? principal.rolloutKey() : client;
        StreamPlan plan = streams.plan(rolloutKey);
        if (plan.policy().breaker()) {
            try {
                breaker.checkAdmits();
            } catch (CircuitOpenException e) {
                throw ProtocolException.of(e);
            }
        }
        return streams.openOwned(principal, client, plan);
    }

    StreamManager streams() {
        return streams;
    }

    RequestRunner runner() {
        return runner;
    }

    InlineReads inline() {
        return inline;
    }

    /** Where a stream's requests wait for the connection the first of them leases (on PostgreSQL), with HTTP pipelines. */
    LeaseQueue leaseQueue() {
        return leaseQueue;
    }

    /** The pool's saturation error for requests that waited in the {@link #leaseQueue} since {@code queuedAtNanos}. */
    BackendUnavailableException acquireTimedOut(long queuedAtNanos, LeasePolicy policy) {
        return backend.acquireTimedOut(queuedAtNanos, policy);
    }

    long maxResponseBytes() {
        return gateway.maxResponseBytes();
    }

    int maxStoredSql() {
        return gateway.maxStoredSql();
    }

    int maxStreamsPerConnection() {
        return websocket.maxStreamsPerConnection();
    }

    void countRequest(RequestOutcome outcome) {
        metrics.request(Endpoint.WEBSOCKET, outcome);
    }
}
