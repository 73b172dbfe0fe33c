package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that injects network faults between a client (Sluice, a JDBC driver) and a
 * real server (PostgreSQL), switchable at run time:
 *
 * <ul>
 *   <li>{@link Mode#PASS}: forwards bytes both ways.</li>
 *   <li>{@link Mode#REFUSE}: resets every new connection the moment it is accepted (the client's first
 *       read or write fails with "connection reset"); connections already open keep working — call
 *       {@link #cutConnections()} as well to cut them.</li>
 *   <li>{@link Mode#DROP}: resets every open connection now, and every new one like REFUSE — a database
 *       host that died.</li>
 *   <li>{@link #delay(Duration)}: holds every chunk, in either direction, that long before forwarding it,
 *       so one request/response round trip takes at least twice the delay.</li>
 *   <li>{@link Mode#BLACKHOLE}: accepts connections but forwards nothing either way, on open and new
 *       connections alike — a hung database. Held bytes are not lost: back in PASS they are delivered, so
 *       a connection that outlived the hang is still consistent.</li>
 * </ul>
 *
 * Blocking I/O with two daemon threads per connection; meant for tests with a handful of connections.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int BUFFER_BYTES = 16 * 1024;

    /** What the proxy does with traffic. */
    public enum Kind {
        PASS, REFUSE, DROP, DELAY, BLACKHOLE
    }

    /** A fault mode; {@code delay} is only used by {@link Kind#DELAY}. */
    public record Mode(Kind kind, Duration delay) {
        public static final Mode PASS = new Mode(Kind.PASS, Duration.ZERO);
        public static final Mode REFUSE = new Mode(Kind.REFUSE, Duration.ZERO);
        public static final Mode DROP = new Mode(Kind.DROP, Duration.ZERO);
        public static final Mode BLACKHOLE = new Mode(Kind.BLACKHOLE, Duration.ZERO);

        public Mode {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
        }
    }

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong chunksToTarget = new AtomicLong();
    /** Guards mode changes so pumps held by BLACKHOLE wake up when it ends. */
    private final Object modeLock = new Object();
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;

    /** Starts a proxy on a free loopback port forwarding to {@code targetHost:targetPort}, in PASS mode. */
    public FaultProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A DELAY mode holding each chunk for {@code delay}. */
    public static Mode delay(Duration delay) {
        return new Mode(Kind.DELAY, delay);
    }

    public int localPort() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    /** Switches the mode; DROP cuts every open connection before returning. */
    public void setMode(Mode next) {
        Objects.requireNonNull(next, "mode");
        synchronized (modeLock) {
            mode = next;
            modeLock.notifyAll();
        }
        if (next.kind() == Kind.DROP) {
            cutConnections();
        }
    }

    /** Resets every open connection now, whatever the mode. */
    public void cutConnections() {
        for (Link link : links) {
            link.cut();
        }
    }

    /** Connections accepted since start, including the ones refused. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Connections reset on arrival by REFUSE or DROP. */
    public long refusedConnections() {
        return refused.get();
    }

    /**
     * Reads forwarded from clients to the target since start. A client's write that follows the answer to its
     * previous one is a chunk of its own, so a client waiting for an answer per statement shows one per
     * statement at least.
     */
    public long chunksToTarget() {
        return chunksToTarget.get();
    }

    /** Connections currently open through the proxy. */
    public int activeConnections() {
        return links.size();
    }

    /** Stops listening and cuts every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        synchronized (modeLock) {
            modeLock.notifyAll();
        }
        cutConnections();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            accepted.incrementAndGet();
            Kind kind = mode.kind();
            if (kind == Kind.REFUSE || kind == Kind.DROP) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            Link link = new Link(client);
            links.add(link);
            Thread opener = new Thread(link::open, "fault-proxy-link-" + client.getPort());
            opener.setDaemon(true);
            opener.start();
        }
    }

    /** Closes with SO_LINGER 0, so the peer gets a TCP reset rather than an orderly end of stream. */
    private static void reset(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /**
     * Waits until the current mode lets a chunk through: returns at once in PASS or REFUSE, after the
     * delay in DELAY, when the mode changes in BLACKHOLE, and false when the connection should end.
     */
    private boolean awaitForwarding(Link link) throws InterruptedException {
        while (!closed && !link.closed.get()) {
            Mode m = mode;
            switch (m.kind()) {
                case PASS, REFUSE:
                    return true;
                case DELAY:
                    Thread.sleep(m.delay().toMillis());
                    return !closed && !link.closed.get();
                case DROP:
                    return false;
                case BLACKHOLE:
                    synchronized (modeLock) {
                        while (mode.kind() == Kind.BLACKHOLE && !closed && !link.closed.get()) {
                            // timed, so a connection closed by its peer meanwhile is noticed
                            modeLock.wait(100);
                        }
                    }
                    break;
                default:
                    throw new IllegalStateException("unknown mode " + m);
            }
        }
        return false;
    }

    /** One proxied connection: the client's socket and ours to the target. */
    private final class Link {
        final Socket client;
        volatile Socket upstream;
        final AtomicBoolean closed = new AtomicBoolean();

        Link(Socket client) {
            this.client = client;
        }

        /** Connects upstream once the mode allows traffic (never while blackholed), then pumps both ways. */
        void open() {
            try {
                if (!awaitForwarding(this)) {
                    cut();
                    return;
                }
                Socket up = new Socket();
                upstream = up;
                up.connect(target, CONNECT_TIMEOUT_MS);
                up.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                if (closed.get()) {
                    // cut while we were connecting: cut() may have missed the new socket
                    reset(up);
                    return;
                }
                Thread back = new Thread(() -> pump(up, client, new AtomicLong()), "fault-proxy-pump-" + client.getPort() + "-back");
                back.setDaemon(true);
                back.start();
                pump(client, up, chunksToTarget);
            } catch (IOException e) {
                cut();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cut();
            }
        }

        void pump(Socket from, Socket to, AtomicLong chunks) {
            byte[] buffer = new byte[BUFFER_BYTES];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!awaitForwarding(this)) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    chunks.incrementAndGet();
                }
                // an orderly end on one side ends the other too
                close(false);
            } catch (IOException e) {
                cut();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cut();
            }
        }

        void cut() {
            close(true);
        }

        private void close(boolean abort) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            links.remove(this);
            if (abort) {
                reset(client);
                reset(upstream);
            } else {
                closeQuietly(client);
                closeQuietly(upstream);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
