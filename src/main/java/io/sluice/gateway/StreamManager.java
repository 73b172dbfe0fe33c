package io.sluice.gateway;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.sluice.auth.Access;
import io.sluice.auth.Principal;
import io.sluice.config.SluiceConfig;
import io.sluice.flags.FeatureDecisions;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.pool.Backend;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Owns the open streams: opens them (bounded), resumes them from batons, closes them, and expires idle
 * ones. A genuine baton whose stream is gone always gets {@code STREAM_EXPIRED}, however late it comes,
 * because only this process (or a replica sharing the key) could have signed it. A stream belongs to the
 * principal that opened it: its batons verify for that principal only, and it counts against that
 * principal's {@link FairShare} of streams and connections.
 */
@Singleton
@Startup // created at start, not on the first stream, so its meters are on /q/metrics from the start
public class StreamManager {
    private static final Logger LOG = Logger.getLogger(StreamManager.class);
    private static final long DRAIN_POLL_MILLIS = 50;

    private final SluiceConfig.Gateway config;
    private final Batons batons;
    private final Backend backend;
    private final FeatureDecisions decisions;
    private final FairShare fairShare;
    private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong expiredCount = new AtomicLong();
    private final ScheduledExecutorService reaper;
    /** Runtime-tunable (gateway.maxStreams, gateway.streamIdleTimeout); seeded from configuration. */
    private volatile int maxStreams;
    private volatile long idleTimeoutNanos;
    /** Set once at SIGTERM: new streams are refused from then on, existing ones may finish. */
    private volatile boolean draining;
    /** Set once the drain's grace period is over: a stream still busy is closed when its request ends. */
    private volatile boolean closingAll;

    StreamManager(SluiceConfig config, Backend backend, FeatureDecisions decisions, SluiceMetrics metrics, StreamForwarder forwarder) {
        Gauge.builder(Meters.STREAMS_OPEN, open, AtomicInteger::get).description("Open Hrana streams").register(metrics.registry());
        FunctionCounter.builder(Meters.STREAMS_EXPIRED, expiredCount, AtomicLong::get).register(metrics.registry());
        FunctionCounter.builder(Meters.STREAMS_FORWARDED, forwarder, StreamForwarder::forwardedCount).register(metrics.registry());
        this.config = config.gateway();
        this.maxStreams = this.config.maxStreams();
        this.idleTimeoutNanos = this.config.streamIdleTimeout().toNanos();
        this.backend = backend;
        this.decisions = decisions;
        this.fairShare = new FairShare(metrics.registry());
        fairShare.limits(FairShare.effectiveStreams(this.config.maxStreamsPerPrincipal(), maxStreams),
                FairShare.effectiveLeases(this.config.maxLeasesPerPrincipal(), config.pool().maxConnections()), config.pool().acquireTimeout());
        this.batons = new Batons(config.gateway().batonKey().orElse(null), config.cluster().advertiseUrl().orElse(""));
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-stream-reaper");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, Math.min(1000, this.config.streamIdleTimeout().toMillis() / 4));
        reaper.scheduleWithFixedDelay(this::expireIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Decides what applies to a stream about to open, once: for {@code rolloutKey}, or when it is null for
     * the stream's own id.
     */
    StreamPlan plan(String rolloutKey) {
        // ids need not be secret (batons are signed), only unlikely to collide between replicas
        long id = ThreadLocalRandom.current().nextLong();
        return new StreamPlan(id, StreamPolicy.of(rolloutKey != null ? decisions.decide(rolloutKey) : decisions.decide(id)));
    }

    /**
     * Opens a new stream for a principal, held BUSY by the caller. The principal's own limit is checked
     * before the global one, so a principal over its share is told so (429) even when every slot is taken.
     *
     * @param client the name the caller gives itself ({@code x-sluice-client}) when authentication is off,
     *     else null; it keys the caller's share, as the identity of a verified principal does
     * @param plan the stream's id and policy ({@link #plan})
     * @param principal who opens it, for the operator's view of running statements
     */
    Stream open(Principal principal, String client, StreamPlan plan) {
        refuseNewStreamWhileDraining();
        String shareKey = shareKey(principal, client);
        FairShare.Share share = fairShare.openStream(shareKey);
        int max = maxStreams;
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            fairShare.closeStream(share);
            throw new ProtocolException(HranaError.STREAMS_EXHAUSTED,
                    "Too many open streams (limit " + max + "); close streams or retry later");
        }
        String name = principal.authenticated() || client == null ? principal.displayName() : "client:" + client;
        return new Stream(plan.id(), principal.access() == Access.READ_ONLY, plan.policy(), principal, name, fairShare, share);
    }

    /**
     * The key of the caller's own shares (of streams and connections, {@link FairShare}, and of the request-body
     * budget, {@link BodyBudget}): the verified identity, else the client's name; null: no per-principal limit.
     */
    static String shareKey(Principal principal, String client) {
        return principal.authenticated() ? principal.identity() : client == null ? null : "client:" + client;
    }

    /** True when the caller's streams hold its whole share of connections now: its next lease would wait for one of its own. */
    boolean atLeaseLimit(Principal principal, String client) {
        return fairShare.atLeaseLimit(shareKey(principal, client));
    }

    /**
     * Opens a stream owned by a connection that names it by an id of its own (a WebSocket): counted and
     * limited like every stream, registered so that idle expiry, the drain and the operator's listings see
     * it, but never named by a baton. Held BUSY by the caller, who ends each request through a {@link StreamGuard}.
     */
    Stream openOwned(Principal principal, String client, StreamPlan plan) {
        Stream s = open(principal, client, plan);
        streams.put(s.id, s);
        return s;
    }

    /**
     * Ends a request on a connection-owned stream ({@link #openOwned}): a closed stream gives back its
     * connection; an open one becomes idle (no baton: its connection addresses it).
     */
    void settle(Stream s) {
        if (closingAll) {
            s.markClosed(Stream.Closing.SHUTDOWN);
        }
        if (s.isClosed()) {
            forget(s);
        } else {
            s.release();
        }
    }

    /** Verifies a baton for the principal presenting it; a forged, garbled or another principal's baton is a 400. */
    Batons.Decoded decode(String baton, Principal principal) {
        return batons.verify(baton, Batons.binding(principal.identity()));
    }

    /** True when the baton's stream lives on this replica (rather than on the replica that signed it). */
    boolean isLocal(Batons.Decoded d) {
        return batons.isOwnedHere(d);
    }

    /** Resumes the stream a verified baton names, held BUSY by the caller. */
    Stream resume(Batons.Decoded d) {
        Stream s = streams.get(d.streamId());
        if (s == null) {
            // the baton is genuine, so the stream existed: it expired or was closed
            throw streamExpired();
        }
        if (!s.tryAcquire()) {
            if (s.isClosed()) {
                throw streamExpired(s);
            }
            throw ProtocolException.badRequest("The stream is busy with another request; a baton is single-use");
        }
        if (s.sequence != d.sequence()) {
            s.release();
            throw ProtocolException.badRequest("Baton has already been used; use the baton from the latest response");
        }
        return s;
    }

    /**
     * Ends a request on a stream: a closed stream gives back its connection and a null baton; an open one
     * gets the next sequence number and its baton.
     */
    String finish(Stream s) {
        if (closingAll) {
            s.markClosed(Stream.Closing.SHUTDOWN);
        }
        if (s.isClosed()) {
            forget(s);
            return null;
        }
        s.sequence++;
        String next = batons.issue(s.id, s.sequence, s.binding);
        streams.putIfAbsent(s.id, s);
        s.release();
        return next;
    }

    /** Issues the baton the stream will have once this request ends (the cursor sends it first). */
    String peekNextBaton(Stream s) {
        return batons.issue(s.id, s.sequence + 1, s.binding);
    }

    /** Closes a stream held by the caller (close request, failed request). */
    void close(Stream s, Stream.Closing why) {
        s.markClosed(why);
    }

    private void forget(Stream s) {
        streams.remove(s.id);
        try {
            s.releaseConnection(backend);
        } finally {
            open.decrementAndGet();
            fairShare.closeStream(s.share);
        }
    }

    /** Applies new limits: existing streams stay open; the idle timeout counts from each stream's last use. */
    void limits(int maxStreams, java.time.Duration streamIdleTimeout) {
        this.maxStreams = maxStreams;
        this.idleTimeoutNanos = streamIdleTimeout.toNanos();
    }

    /**
     * Applies new per-principal limits (effective values, see {@link FairShare#effectiveStreams} and
     * {@link FairShare#effectiveLeases}); streams and leases already held stay.
     */
    void principalLimits(int maxStreamsPerPrincipal, int maxLeasesPerPrincipal, java.time.Duration leaseWait) {
        fairShare.limits(maxStreamsPerPrincipal, maxLeasesPerPrincipal, leaseWait);
    }

    /** Open streams of a principal's share key ({@code sub:…}, {@code token:…}, {@code client:…}). */
    int openStreamsOf(String shareKey) {
        return fairShare.streamsOf(shareKey);
    }

    /** Expires idle streams now rather than at the reaper's next round; returns how many are still open. */
    public int expireIdleNow() {
        expireIdle();
        return open.get();
    }

    int openStreams() {
        return open.get();
    }

    /** Streams open now (readiness reports it while draining). */
    public int openStreamCount() {
        return open.get();
    }

    void expireIdle() {
        try {
            long now = System.nanoTime();
            long timeout = idleTimeoutNanos;
            for (Stream s : streams.values()) {
                if (now - s.lastUsedNanos > timeout && s.tryCloseIdle(Stream.Closing.IDLE)) {
                    forget(s);
                    expiredCount.incrementAndGet();
                    LOG.debugf("stream %s expired after %d ms idle", Long.toHexString(s.id), (now - s.lastUsedNanos) / 1_000_000);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("stream reaper failed", e);
        }
    }

    /** True from SIGTERM on: readiness is DOWN and new streams are refused. */
    public boolean isDraining() {
        return draining;
    }

    /**
     * A request that would open a stream while this replica drains gets a retryable 503: a client (or the
     * load balancer, which has already been told by readiness) opens it on another replica.
     */
    void refuseNewStreamWhileDraining() {
        if (draining) {
            throw new ProtocolException(HranaError.SHUTTING_DOWN,
                    "This server is shutting down and opens no new streams; retry, another replica will answer");
        }
    }

    /**
     * The graceful drain, run once at SIGTERM: from now on new streams are refused; streams in flight may
     * go on (an open transaction can still COMMIT) until none holds a transaction or a running request,
     * or until {@code grace} is over; then every stream left is closed. Returns the streams that were
     * still open when the grace period ran out (0 = everything finished on its own).
     */
    public int drain(Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        LOG.infof("draining: refusing new streams, %d open may finish within %d ms", open.get(), grace.toMillis());
        while (true) {
            closeSettledStreams();
            if (open.get() == 0 || System.nanoTime() - deadline >= 0) {
                break;
            }
            try {
                Thread.sleep(DRAIN_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = open.get();
        closeAllStreams();
        if (left > 0) {
            LOG.warnf("drain grace period over: rolled back and closed %d stream(s) still open", left);
        } else {
            LOG.info("drained: no stream left open");
        }
        return left;
    }

    /**
     * While draining, an idle stream with no transaction open holds nothing worth waiting for: it is
     * closed, and its next request (if any) gets {@code STREAM_EXPIRED}. A stream in a transaction stays.
     */
    private void closeSettledStreams() {
        for (Stream s : streams.values()) {
            if (!s.tryInspect()) {
                continue; // busy (a request runs) or already closed
            }
            boolean settled;
            try {
                settled = !s.hasSession() || s.session(backend).isAutocommit();
            } catch (Exception e) {
                settled = true; // a session that cannot even say whether it is in a transaction is not worth waiting for
            }
            if (settled) {
                s.markClosed(Stream.Closing.SHUTDOWN);
                forget(s);
            } else {
                s.endInspection();
            }
        }
    }

    /**
     * Closes every stream now: idle ones roll back and give their connection back at once; one busy with
     * a request is closed as soon as that request ends. This is the drain's one hook for "stop everything";
     * cancelling statements still running belongs next to it.
     */
    public void closeAllStreams() {
        closingAll = true;
        for (Stream s : streams.values()) {
            if (s.tryCloseIdle(Stream.Closing.SHUTDOWN)) {
                forget(s);
            }
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        reaper.shutdownNow();
        draining = true;
        closeAllStreams();
    }

    /** A request for a stream that is gone, why unknown (a baton whose stream this replica no longer has). */
    static ProtocolException streamExpired() {
        return new ProtocolException(HranaError.STREAM_EXPIRED, Stream.Closing.UNKNOWN);
    }

    /** A request on a stream that has closed, told why. */
    static ProtocolException streamExpired(Stream s) {
        return new ProtocolException(HranaError.STREAM_EXPIRED, s.closedMessage());
    }
}
