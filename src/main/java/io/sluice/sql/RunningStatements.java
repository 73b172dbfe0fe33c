package io.sluice.sql;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * The registry of statements running on governed sessions, and the one mechanism that stops them: the
 * statement timeout, a client that went away, an operator's cancel and shutdown all end in
 * {@link #stop}, which marks the statement and has its session interrupt it
 * ({@link SqlSession#interrupt}: a server-side cancel on PostgreSQL, the progress handler on SQLite).
 *
 * <p>A watch thread checks deadlines every {@value #TICK_MS} ms. Interrupts run on a small pool of their
 * own, never on the caller's thread: a PostgreSQL cancel opens a connection to the server, and callers
 * include the HTTP event loop. A PostgreSQL statement still running {@link #ABORT_AFTER} after its cancel
 * (a server that does not answer) has its connection aborted; that connection is never pooled again.
 */
public final class RunningStatements implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunningStatements.class);
    static final long TICK_MS = 50;
    /** How long a cancelled statement may take to stop before its connection is aborted. */
    static final Duration ABORT_AFTER = Duration.ofSeconds(2);

    private final Map<Long, RunningStatement> running = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Map<StopReason, LongAdder> stopped = new EnumMap<>(StopReason.class);
    private final SqlScanner.Syntax syntax;
    private final ScheduledExecutorService watch;
    private final ExecutorService interrupts;
    private volatile long timeoutNanos;

    /** One running statement for the admin view; the SQL text has its literals redacted. */
    @RegisterForReflection
    public record View(long id, String stream, String principal, Instant startedAt, Duration age, long timeoutMs, String state,
            String sql) {
    }

    public RunningStatements(Duration timeout, SqlScanner.Syntax syntax) {
        this.syntax = syntax;
        timeout(timeout);
        for (StopReason r : StopReason.values()) {
            stopped.put(r, new LongAdder());
        }
        this.watch = Executors.newSingleThreadScheduledExecutor(daemon("sluice-statement-watch"));
        this.interrupts = Executors.newFixedThreadPool(2, daemon("sluice-statement-cancel"));
        watch.scheduleWithFixedDelay(this::sweep, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Sets the statement timeout for statements that start from now on. */
    public void timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("statement timeout must be positive");
        }
        this.timeoutNanos = timeout.toNanos();
    }

    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    RunningStatement begin(SqlSession session, String sql) {
        RunningStatement r = new RunningStatement(ids.incrementAndGet(), session, sql, System.nanoTime(), timeoutNanos);
        running.put(r.id, r);
        return r;
    }

    void end(RunningStatement r) {
        r.finished = true;
        running.remove(r.id);
    }

    /**
     * Stops a running statement: it answers its stop error, and its request goes on (or, for a client
     * gone or shutdown, its stream is closed). False when no such statement runs or it is stopping already.
     */
    public boolean cancel(long id, StopReason why) {
        RunningStatement r = running.get(id);
        return r != null && stop(r, why);
    }

    /** Stops every running statement (shutdown at the end of the grace period); returns how many. */
    public int cancelAll(StopReason why) {
        int n = 0;
        for (RunningStatement r : running.values()) {
            if (stop(r, why)) {
                n++;
            }
        }
        return n;
    }

    /** Statements running now. */
    public int count() {
        return running.size();
    }

    /** Statements stopped for {@code why} since start. */
    public long stoppedCount(StopReason why) {
        return stopped.get(why).sum();
    }

    /** Every running statement, longest-running first. */
    public List<View> list() {
        long now = System.nanoTime();
        Instant wallNow = Instant.now();
        List<RunningStatement> all = new ArrayList<>(running.values());
        all.sort(Comparator.comparingLong(r -> r.startedNanos));
        List<View> out = new ArrayList<>(all.size());
        for (RunningStatement r : all) {
            StopReason why = r.reason();
            out.add(new View(r.id, Long.toHexString(r.session.streamId()), r.session.principal(), wallNow.minusNanos(now - r.startedNanos),
                    Duration.ofNanos(now - r.startedNanos), r.timeoutMillis, why == null ? "running" : "stopping (" + why + ")",
                    SqlRedaction.redact(r.sql, syntax)));
        }
        return out;
    }

    boolean stop(RunningStatement r, StopReason why) {
        if (!r.stop(why)) {
            return false;
        }
        stopped.get(why).increment();
        LOG.debugf("stopping statement %d of stream %s: %s", r.id, Long.toHexString(r.session.streamId()), why);
        interrupts.execute(() -> interrupt(r));
        return true;
    }

    private static void interrupt(RunningStatement r) {
        if (r.finished) {
            return;
        }
        try {
            r.session.interrupt(r);
        } catch (RuntimeException e) {
            LOG.debugf("interrupting statement %d failed: %s", r.id, SqlErrors.describe(e));
        }
    }

    void sweep() {
        try {
            long now = System.nanoTime();
            for (RunningStatement r : running.values()) {
                if (r.reason() == null) {
                    if (now - r.deadlineNanos > 0) {
                        stop(r, StopReason.TIMEOUT);
                    }
                } else if (!r.aborted && now - r.stoppedAtNanos() > ABORT_AFTER.toNanos()) {
                    r.aborted = true;
                    LOG.warnf("statement %d of stream %s did not stop within %d ms of its cancel; aborting its connection",
                            r.id, Long.toHexString(r.session.streamId()), ABORT_AFTER.toMillis());
                    interrupts.execute(() -> {
                        if (!r.finished) {
                            r.session.abort();
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            LOG.error("statement watch failed", e);
        }
    }

    @Override
    public void close() {
        watch.shutdownNow();
        interrupts.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
