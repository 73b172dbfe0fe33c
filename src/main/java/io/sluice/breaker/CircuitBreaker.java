package io.sluice.breaker;

import io.sluice.config.SluiceConfig;
import io.sluice.sql.FailureClass;
import io.sluice.sql.SqlErrors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The circuit breaker around backend work (connection acquisition and statement execution), with run-time
 * settings, operator actions, a status snapshot and listeners. Time is read through a {@link BreakerClock}.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>What counts.</b> Only failures for which {@link SqlErrors#classify} says {@link FailureClass#CONNECTION}.
 *       Any other exception (a syntax error, a constraint violation) is passed to the caller unchanged
 *       and counts as a <em>success</em> for the breaker: the database answered.</li>
 *   <li><b>Opening.</b> The breaker opens after {@code failureThreshold} counted failures in a row; one
 *       success in between starts the count again. Under concurrency "in a row" means in order of
 *       completion. This is exactly when a SmallRye Fault Tolerance circuit breaker with
 *       {@code requestVolumeThreshold = failureThreshold} and {@code failureRatio = 1.0} opens (its rolling
 *       window's last {@code failureThreshold} outcomes all failures), which {@code CircuitBreakerSmallRyeTest}
 *       checks call by call. A fresh count starts after start, a close, a reset and a reconfigure.</li>
 *   <li><b>Open.</b> Calls are refused with {@link CircuitOpenException} before the guarded work starts
 *       (a volatile read and a clock read). {@code retryAfterSeconds} is the time until the next probe,
 *       rounded up, at least 1.</li>
 *   <li><b>Half-open.</b> After {@code recoveryTimeout} the breaker half-opens — by a timer, so even when no
 *       call arrives, and at the latest on the next call or status read. Up to {@code successThreshold} calls
 *       then go through as probes and the rest are refused; when all of them succeed the breaker closes, when
 *       one fails it opens again for another {@code recoveryTimeout}.</li>
 *   <li><b>Forced open.</b> {@link #forceOpen} refuses every call until {@link #reset}; it never
 *       half-opens by itself.</li>
 *   <li><b>Reconfigure.</b> A CLOSED breaker stays CLOSED with a fresh count (failures counted under the old
 *       threshold are dropped); an OPEN or HALF_OPEN breaker stays (or becomes) OPEN, and its next probe is one
 *       new {@code recoveryTimeout} after the reconfigure — changing a setting during an outage must not let the
 *       whole load through at once; a FORCED_OPEN breaker stays forced open.</li>
 *   <li><b>Late outcomes.</b> The outcome of a call is counted only in the state (and settings) it started
 *       in: a call that finishes after the breaker moved on, was reset or reconfigured changes nothing.</li>
 * </ul>
 *
 * <h2>Cost</h2>
 * While CLOSED a call is one volatile read, the work, and on a success a read of the failure count (written
 * only when it is not already zero, so request threads do not bounce its cache line). The JMH target for the
 * CLOSED path is 200 ns ({@code bench/jmh.sh BreakerBenchmark}).
 *
 * <h2>Threads</h2>
 * The hot path takes no lock. State changes are serialised by one monitor that is never held across I/O
 * or a listener call. Listeners run after the change, on the thread that made it — a request thread, an
 * admin thread or the clock's timer thread — so they must be quick and must not block; each gets a full
 * {@link BreakerStatus}, and {@code totalTransitions} orders deliveries that race.
 */
@ApplicationScoped
public class CircuitBreaker {
    private static final Logger LOG = Logger.getLogger(CircuitBreaker.class);

    /** Upper bounds that keep a mistyped setting from disabling the breaker. */
    static final int MAX_FAILURE_THRESHOLD = 10_000;
    static final int MAX_SUCCESS_THRESHOLD = 1_000;
    static final Duration MAX_RECOVERY_TIMEOUT = Duration.ofDays(1);

    /** Work that returns nothing, for {@link #run}. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    private final BreakerClock clock;
    private final Object transitions = new Object();
    private final List<Consumer<BreakerStatus>> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder rejected = new LongAdder();
    /** Everything the hot path needs in one volatile read; replaced, never mutated. */
    private volatile Snapshot current;

    @Inject
    CircuitBreaker(SluiceConfig config) {
        this(config.breaker().failureThreshold(), config.breaker().recoveryTimeout(), config.breaker().successThreshold());
    }

    /** A breaker on the system clock; throws {@link IllegalArgumentException} for settings out of range. */
    CircuitBreaker(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
        this(failureThreshold, recoveryTimeout, successThreshold, BreakerClock.system());
    }

    /** A breaker reading time from {@code clock}; throws {@link IllegalArgumentException} for settings out of range. */
    CircuitBreaker(int failureThreshold, Duration recoveryTimeout, int successThreshold, BreakerClock clock) {
        validate(failureThreshold, recoveryTimeout, successThreshold);
        this.clock = clock;
        Generation first = new Generation(failureThreshold, recoveryTimeout, successThreshold);
        this.current = new Snapshot(BreakerState.CLOSED, first, null, 0, null, 0, null, null);
    }

    /**
     * Runs {@code action} through the breaker and returns its result. Exceptions from {@code action}
     * reach the caller unchanged (connection-level ones are counted first).
     *
     * @throws CircuitOpenException when the breaker refuses the call; {@code action} did not run
     */
    public <T> T call(Callable<T> action) throws Exception {
        Snapshot s = current;
        if (s.state == BreakerState.CLOSED) {
            return callClosed(s.generation, action);
        }
        s = halfOpenIfDue(s);
        if (s.state == BreakerState.CLOSED) {
            return callClosed(s.generation, action);
        }
        if (s.state != BreakerState.HALF_OPEN || s.probesStarted.incrementAndGet() > s.generation.successThreshold) {
            throw refuse(s);
        }
        T result;
        try {
            result = action.call();
        } catch (Exception e) {
            if (SqlErrors.classify(e).countsAgainstBreaker()) {
                probeFailed(s, e);
            } else {
                probeSucceeded(s);
            }
            throw e;
        }
        probeSucceeded(s);
        return result;
    }

    private <T> T callClosed(Generation g, Callable<T> action) throws Exception {
        T result;
        try {
            result = action.call();
        } catch (Exception e) {
            if (SqlErrors.classify(e).countsAgainstBreaker()) {
                failedClosed(g, e);
            } else {
                succeededClosed(g);
            }
            throw e;
        }
        succeededClosed(g);
        return result;
    }

    private static void succeededClosed(Generation g) {
        // read first: an unconditional write would bounce the cache line between request threads
        if (g.consecutiveFailures.get() != 0) {
            g.consecutiveFailures.set(0);
        }
    }

    private void failedClosed(Generation g, Exception e) {
        // describe before counting, so the transition this failure causes names it
        g.lastFailure = SqlErrors.describe(e);
        if (g.consecutiveFailures.incrementAndGet() < g.failureThreshold) {
            return;
        }
        BreakerStatus after;
        synchronized (transitions) {
            Snapshot s = current;
            if (s.state != BreakerState.CLOSED || s.generation != g) {
                return; // a late outcome of a call that started before the breaker moved on
            }
            Snapshot next = opened(s, g, clock.instant(),
                    g.failureThreshold + " connection-level failures in a row, the last " + g.lastFailure);
            current = next;
            after = statusOf(next);
        }
        LOG.warnf("circuit breaker opened: %s; next probe at %s", after.lastTransitionCause(), after.nextProbeAt());
        notifyListeners(after);
    }

    private void probeFailed(Snapshot probing, Exception e) {
        Generation g = probing.generation;
        String failure = SqlErrors.describe(e);
        BreakerStatus after;
        synchronized (transitions) {
            if (current != probing) {
                return;
            }
            g.lastFailure = failure;
            g.consecutiveFailures.incrementAndGet();
            Snapshot next = opened(probing, g, probing.openedAt, "a probe failed: " + failure);
            current = next;
            after = statusOf(next);
        }
        LOG.warnf("circuit breaker opened: %s; next probe at %s", after.lastTransitionCause(), after.nextProbeAt());
        notifyListeners(after);
    }

    private void probeSucceeded(Snapshot probing) {
        Generation g = probing.generation;
        if (probing.probesSucceeded.incrementAndGet() < g.successThreshold) {
            return;
        }
        BreakerStatus after;
        synchronized (transitions) {
            if (current != probing) {
                return;
            }
            Generation fresh = new Generation(g.failureThreshold, g.recoveryTimeout, g.successThreshold);
            Snapshot next = probing.moveTo(BreakerState.CLOSED, fresh, null, 0, null,
                    g.successThreshold == 1 ? "the probe succeeded" : g.successThreshold + " probes succeeded", clock.instant());
            current = next;
            after = statusOf(next);
        }
        LOG.infof("circuit breaker %s: %s", after.state(), after.lastTransitionCause());
        notifyListeners(after);
    }

    /** {@code s} moved to OPEN (from CLOSED or HALF_OPEN) with a probe one recovery timeout from now, timer armed. */
    private Snapshot opened(Snapshot s, Generation g, Instant openedAt, String cause) {
        Instant now = clock.instant();
        Snapshot next = s.moveTo(BreakerState.OPEN, g, openedAt, clock.nanoTime() + g.recoveryNanos,
                now.plus(g.recoveryTimeout), cause, now);
        arm(next);
        return next;
    }

    /** Half-opens {@code open} when its probe is due, even if no call arrives; a snapshot replaced meanwhile is left alone. */
    private void arm(Snapshot open) {
        clock.schedule(open.generation.recoveryNanos, () -> halfOpenIfDue(open));
    }

    /**
     * The breaker's snapshot after moving {@code s} to HALF_OPEN if it is OPEN and its probe is due; {@code s}
     * itself otherwise. Called by the timer, by calls, and by status reads.
     */
    private Snapshot halfOpenIfDue(Snapshot s) {
        if (s.state != BreakerState.OPEN || clock.nanoTime() - s.nextProbeNanos < 0) {
            return s;
        }
        BreakerStatus after;
        Snapshot next;
        synchronized (transitions) {
            if (current != s) {
                return current;
            }
            Generation g = s.generation;
            next = s.moveTo(BreakerState.HALF_OPEN, g, s.openedAt, 0, null,
                    "recovery timeout elapsed; letting " + g.successThreshold + " probe(s) through", clock.instant());
            current = next;
            after = statusOf(next);
        }
        LOG.infof("circuit breaker %s: %s", after.state(), after.lastTransitionCause());
        notifyListeners(after);
        return next;
    }

    /**
     * Refuses now, without running anything, when {@link #call} would refuse: lets the HTTP layer fail
     * fast on its I/O thread instead of handing a doomed request to a worker.
     *
     * @throws CircuitOpenException when the breaker is open and its next probe is not due
     */
    public void checkAdmits() {
        Snapshot s = current;
        if (s.state == BreakerState.CLOSED) {
            return;
        }
        s = halfOpenIfDue(s);
        if (s.state.refusesCalls()) {
            throw refuse(s);
        }
    }

    /** Runs {@code action} through the breaker; see {@link #call}. */
    public void run(ThrowingRunnable action) throws Exception {
        call(() -> {
            action.run();
            return null;
        });
    }

    /** A consistent snapshot of state, settings and counters. */
    public BreakerStatus status() {
        return statusOf(halfOpenIfDue(current));
    }

    /**
     * Applies new settings without a restart; see the class comment for what happens to the state.
     *
     * @return the status after the change
     * @throws IllegalArgumentException when a setting is out of range; nothing changes then
     */
    public BreakerStatus reconfigure(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
        validate(failureThreshold, recoveryTimeout, successThreshold);
        BreakerStatus after;
        synchronized (transitions) {
            Snapshot before = current;
            Generation g = new Generation(failureThreshold, recoveryTimeout, successThreshold);
            Snapshot next = switch (before.state) {
                case CLOSED, FORCED_OPEN -> before.withGeneration(g);
                case OPEN -> {
                    Snapshot rearmed = before.rearmed(g, clock.nanoTime() + g.recoveryNanos,
                            clock.instant().plus(recoveryTimeout));
                    arm(rearmed);
                    yield rearmed;
                }
                case HALF_OPEN -> opened(before, g, before.openedAt, "reconfigured while half-open");
            };
            current = next;
            after = statusOf(next);
        }
        LOG.infof("circuit breaker reconfigured: failureThreshold=%d recoveryTimeout=%s successThreshold=%d, state %s",
                failureThreshold, recoveryTimeout, successThreshold, after.state());
        notifyListeners(after);
        return after;
    }

    /**
     * Closes the breaker with a fresh failure count, whatever its state; this is the only way out of
     * FORCED_OPEN.
     *
     * @return the status after the reset
     */
    public BreakerStatus reset() {
        BreakerStatus after;
        BreakerState from;
        synchronized (transitions) {
            Snapshot s = current;
            from = s.state;
            Generation old = s.generation;
            Generation g = new Generation(old.failureThreshold, old.recoveryTimeout, old.successThreshold);
            Snapshot next = s.state == BreakerState.CLOSED
                    ? s.withGeneration(g)
                    : s.moveTo(BreakerState.CLOSED, g, null, 0, null, "reset by an operator", clock.instant());
            current = next;
            after = statusOf(next);
        }
        if (from != BreakerState.CLOSED) {
            LOG.infof("circuit breaker closed by an operator (was %s)", from);
            notifyListeners(after);
        }
        return after;
    }

    /**
     * Opens the breaker until {@link #reset}: every call is refused, and it never probes by itself.
     *
     * @param reason shown in the status; operator text, kept to 200 characters
     * @return the status after the change
     */
    public BreakerStatus forceOpen(String reason) {
        String why = "forced open by an operator: " + shorten(reason);
        BreakerStatus after;
        boolean changed;
        synchronized (transitions) {
            Snapshot s = current;
            changed = s.state != BreakerState.FORCED_OPEN;
            Instant now = clock.instant();
            Instant openedAt = s.openedAt != null ? s.openedAt : now;
            Snapshot next = changed
                    ? s.moveTo(BreakerState.FORCED_OPEN, s.generation, openedAt, 0, null, why, now)
                    : s.withCause(why);
            current = next;
            after = statusOf(next);
        }
        LOG.warnf("circuit breaker %s", why);
        if (changed) {
            notifyListeners(after);
        }
        return after;
    }

    /**
     * Calls {@code listener} after every state change and every reconfigure, with the status after it.
     * See the class comment for the thread it runs on. A listener that throws is logged and skipped.
     */
    public void addListener(Consumer<BreakerStatus> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<BreakerStatus> listener) {
        listeners.remove(listener);
    }

    // ---- internals ----------------------------------------------------------------------------------

    private CircuitOpenException refuse(Snapshot s) {
        rejected.increment();
        return new CircuitOpenException(s.state == BreakerState.CLOSED ? BreakerState.OPEN : s.state, retryAfterSeconds(s));
    }

    /**
     * Seconds until the next probe, for {@code Retry-After}. A half-open breaker is probing now: 1. A
     * forced-open breaker has no next probe; its recovery timeout is the hint.
     */
    private long retryAfterSeconds(Snapshot s) {
        long nanos = switch (s.state) {
            case OPEN -> s.nextProbeNanos - clock.nanoTime();
            case HALF_OPEN -> 0;
            case FORCED_OPEN, CLOSED -> s.generation.recoveryNanos;
        };
        long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
        return Math.max(1, seconds);
    }

    private BreakerStatus statusOf(Snapshot s) {
        Generation g = s.generation;
        return new BreakerStatus(s.state, g.failureThreshold, g.recoveryTimeout, g.successThreshold,
                g.consecutiveFailures.get(), s.openedAt, s.state == BreakerState.OPEN ? s.nextProbeAt : null,
                s.transitions, s.cause, s.lastTransitionAt, rejected.sum());
    }

    private void notifyListeners(BreakerStatus status) {
        for (Consumer<BreakerStatus> listener : listeners) {
            try {
                listener.accept(status);
            } catch (RuntimeException e) {
                LOG.warnf(e, "circuit breaker listener %s failed", listener.getClass().getName());
            }
        }
    }

    private static void validate(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
        if (failureThreshold < 1 || failureThreshold > MAX_FAILURE_THRESHOLD) {
            throw new IllegalArgumentException("failureThreshold must be between 1 and " + MAX_FAILURE_THRESHOLD
                    + ", was " + failureThreshold);
        }
        if (recoveryTimeout == null || recoveryTimeout.toMillis() < 1 || recoveryTimeout.compareTo(MAX_RECOVERY_TIMEOUT) > 0) {
            throw new IllegalArgumentException("recoveryTimeout must be between 1 ms and " + MAX_RECOVERY_TIMEOUT
                    + ", was " + recoveryTimeout);
        }
        if (successThreshold < 1 || successThreshold > MAX_SUCCESS_THRESHOLD) {
            throw new IllegalArgumentException("successThreshold must be between 1 and " + MAX_SUCCESS_THRESHOLD
                    + ", was " + successThreshold);
        }
    }

    private static String shorten(String reason) {
        if (reason == null || reason.isBlank()) {
            return "no reason given";
        }
        String r = reason.strip();
        return r.length() <= 200 ? r : r.substring(0, 200) + "…";
    }

    /**
     * One immutable set of settings and the failure count kept under them. Replaced as a whole by
     * {@link #reconfigure}, {@link #reset} and a close, so an outcome counted into a replaced generation
     * changes nothing.
     */
    private static final class Generation {
        final int failureThreshold;
        final Duration recoveryTimeout;
        final long recoveryNanos;
        final int successThreshold;
        /** Counted failures since the last success; reaching {@code failureThreshold} while CLOSED opens the breaker. */
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        /** {@link SqlErrors#describe} of the last counted failure, for the transition cause. */
        volatile String lastFailure = "none";

        Generation(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
            this.failureThreshold = failureThreshold;
            this.recoveryTimeout = recoveryTimeout;
            this.recoveryNanos = recoveryTimeout.toNanos();
            this.successThreshold = successThreshold;
        }
    }

    /** The breaker's state as the hot path and the status see it. Immutable apart from a half-open episode's probe counts. */
    private static final class Snapshot {
        final BreakerState state;
        final Generation generation;
        final Instant openedAt;
        /** {@link BreakerClock#nanoTime()} at which an OPEN breaker lets probes through; meaningful only when OPEN. */
        final long nextProbeNanos;
        final Instant nextProbeAt;
        final long transitions;
        final String cause;
        final Instant lastTransitionAt;
        /** HALF_OPEN only: probes let through, and probes that succeeded, in this half-open episode. */
        final AtomicInteger probesStarted = new AtomicInteger();
        final AtomicInteger probesSucceeded = new AtomicInteger();

        Snapshot(BreakerState state, Generation generation, Instant openedAt, long nextProbeNanos, Instant nextProbeAt,
                long transitions, String cause, Instant lastTransitionAt) {
            this.state = state;
            this.generation = generation;
            this.openedAt = openedAt;
            this.nextProbeNanos = nextProbeNanos;
            this.nextProbeAt = nextProbeAt;
            this.transitions = transitions;
            this.cause = cause;
            this.lastTransitionAt = lastTransitionAt;
        }

        Snapshot moveTo(BreakerState to, Generation g, Instant openedAt, long nextProbeNanos, Instant nextProbeAt, String cause,
                Instant now) {
            if (!state.canMoveTo(to)) {
                throw new IllegalStateException("circuit breaker cannot move from " + state + " to " + to);
            }
            return new Snapshot(to, g, openedAt, nextProbeNanos, nextProbeAt, transitions + 1, cause, now);
        }

        Snapshot withGeneration(Generation g) {
            return new Snapshot(state, g, openedAt, nextProbeNanos, nextProbeAt, transitions, cause, lastTransitionAt);
        }

        Snapshot rearmed(Generation g, long nextProbeNanos, Instant nextProbeAt) {
            return new Snapshot(state, g, openedAt, nextProbeNanos, nextProbeAt, transitions, cause, lastTransitionAt);
        }

        Snapshot withCause(String why) {
            return new Snapshot(state, generation, openedAt, nextProbeNanos, nextProbeAt, transitions, why, lastTransitionAt);
        }
    }
}
