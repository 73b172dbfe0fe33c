package io.sluice.admin;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.gateway.StreamManager;
import io.sluice.metrics.MetricsWindows;
import io.sluice.pool.Backend;
import io.sluice.pool.PoolStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The operator console's live charts: every {@link #EVERY} a point with the statements of the interval by
 * kind (rate, p50/p95/p99 from Micrometer's histogram through {@link MetricsWindows}), the pool's leased,
 * idle and waiting connections, the breaker's state and the open streams; the last {@link #KEEP} points are
 * kept, so a page opened now shows the last few minutes at once and then asks only for newer points.
 */
@ApplicationScoped
public class LiveSeries {
    static final Duration EVERY = Duration.ofSeconds(2);
    static final int KEEP = 180;
    private static final Logger LOG = Logger.getLogger(LiveSeries.class);

    private final MetricsWindows windows;
    private final Backend backend;
    private final CircuitBreaker breaker;
    private final StreamManager streams;
    private final Deque<Point> points = new ArrayDeque<>();
    private MetricsWindows.Mark last;
    private long seq;
    private ScheduledExecutorService sampler;

    /**
     * One interval's figures.
     *
     * @param seq increases by one per point; a client asks for points after the last one it has
     * @param statements by statement kind, {@code all} first; percentiles in ms, null when nothing was timed
     * @param breaker the breaker's state at the end of the interval
     */
    @RegisterForReflection
    public record Point(long seq, Instant at, Map<String, MetricsWindows.Figures> statements, long poolActive,
            long poolIdle, long poolAwaiting, int poolMax, String breaker, int openStreams) {
    }

    /** The points after the one asked for, oldest first, and the sampling interval. */
    @RegisterForReflection
    public record View(long intervalMs, List<Point> points) {
    }

    LiveSeries(MetricsWindows windows, Backend backend, CircuitBreaker breaker, StreamManager streams) {
        this.windows = windows;
        this.backend = backend;
        this.breaker = breaker;
        this.streams = streams;
    }

    void onStart(@Observes StartupEvent event) {
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-console-series");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sample, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    void sample() {
        try {
            MetricsWindows.Mark now = windows.mark();
            PoolStatus pool = backend.status();
            String state = breaker.status().state().name();
            int open = streams.openStreamCount();
            synchronized (this) {
                if (last != null) {
                    Map<String, MetricsWindows.Figures> figures = MetricsWindows.between(last, now);
                    points.addLast(new Point(++seq, Instant.now(), figures, pool.active(), pool.idle(), pool.awaiting(),
                            pool.maxConnections(), state, open));
                    while (points.size() > KEEP) {
                        points.removeFirst();
                    }
                }
                last = now;
            }
        } catch (RuntimeException e) {
            LOG.debug("console series sample failed", e);
        }
    }

    /** The points with a sequence number above {@code after} (all kept points for 0), oldest first. */
    public synchronized View after(long after) {
        return new View(EVERY.toMillis(), points.stream().filter(p -> p.seq() > after).toList());
    }
}
