package io.sluice.breaker;

import io.sluice.config.Setting;
import io.sluice.config.SluiceConfig;
import io.sluice.sql.FailureClass;
import io.sluice.sql.SqlErrors;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * The circuit breaker around backend work (connection acquisition and statement execution): a SmallRye
 * Fault Tolerance programmatic {@link Guard} with a circuit breaker, plus what the guard lacks — run-time
 * settings, operator actions, a status snapshot and listeners.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>What counts.</b> Only failures for which {@link SqlErrors#classify} says {@link FailureClass#CONNECTION}.
 *       Any other exception (a syntax error, a constraint violation) is passed to the caller unchanged
 *       and counts as a <em>success</em> for the breaker: the database answered.</li>
 *   <li><b>Opening.</b> SmallRye's rolling window with {@code requestVolumeThreshold = failureThreshold}
 *       and {@code failureRatio = 1.0}: the breaker opens when the last {@code failureThreshold}
 *       completed calls were all connection-level failures, i.e. after {@code failureThreshold}
 *       failures in a row; one success in between starts the count again. Under concurrency "in a row"
 *       means in order of completion. A fresh window (after start, a close, a reset or a reconfigure)
 *       must see {@code failureThreshold} calls before it can open.</li>
 *   <li><b>Open.</b> Calls are refused with {@link CircuitOpenException} before the guarded work starts,
 *       without entering SmallRye (a volatile read and a clock read). {@code retryAfterSeconds} is the
 *       time until the next probe, rounded up, at least 1.</li>
 *   <li><b>Half-open.</b> After {@code recoveryTimeout} (SmallRye's {@code delay}; its timer moves the
 *       state even when no call arrives) up to {@code successThreshold} calls go through as probes and
 *       the rest are refused; when all of them succeed the breaker closes, when one fails it opens again
 *       for another {@code recoveryTimeout}.</li>
 *   <li><b>Forced open.</b> {@link #forceOpen} refuses every call until {@link #reset}; it never
 *       half-opens by itself.</li>
 *   <li><b>Reconfigure.</b> The SmallRye guard is immutable, so {@link #reconfigure} builds a new one and
 *       swaps it in atomically. A CLOSED breaker stays CLOSED with an empty window (failures counted
 *       under the old threshold are dropped); an OPEN or HALF_OPEN breaker stays (or becomes) OPEN, and
 *       its next probe is one new {@code recoveryTimeout} after the reconfigure — changing a setting
 *       during an outage must not let the whole load through at once; a FORCED_OPEN breaker stays
 *       forced open. Calls already inside the old guard finish there and are not counted again.</li>
 * </ul>
 *
 * <h2>Cost</h2>
 * While CLOSED a call does not enter SmallRye: see {@link #callClosed} for why the guard still decides
 * exactly as if it had. OPEN, HALF_OPEN and FORCED_OPEN calls go through the guard (or are refused before it).
 *
 * <h2>Threads</h2>
 * The hot path takes no lock. State changes (SmallRye's callbacks, operator actions) are serialised by
 * one monitor that is never held across I/O or a listener call. Listeners run after the change, on the
 * thread that made it — a request thread, an admin thread or SmallRye's timer thread — so they must be
 * quick and must not block; each gets a full {@link BreakerStatus}, one at a time and in the order of the
 * changes ({@link #deliver}).
 *
 * <p>The guard only counts anything while SmallRye Fault Tolerance is enabled
 * ({@code MP_Fault_Tolerance_NonFallback_Enabled}, default true); with it disabled the breaker never opens
 * by itself, although {@link #forceOpen} still works.
 */
@Singleton
public class CircuitBreaker {
    private static final Logger LOG = Logger.getLogger(CircuitBreaker.class);

    /** Work that returns nothing, for {@link #run}. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * Fed to a new guard to open it without touching the database (see {@link Generation#trip()}). A
     * dedicated type so no real failure can be mistaken for it.
     */
    private static final class TripFailure extends Exception {
        private static final TripFailure INSTANCE = new TripFailure();

        private TripFailure() {
            super("circuit breaker re-opened by reconfigure", null, false, false);
        }
    }

    private final Object transitions = new Object();
    private final List<Consumer<BreakerStatus>> listeners = new CopyOnWriteArrayList<>();
    /** Statuses to deliver, queued in the order of their changes (under the {@code transitions} monitor). */
    private final ConcurrentLinkedQueue<BreakerStatus> undelivered = new ConcurrentLinkedQueue<>();
    /** Held while statuses are delivered, so that listeners see them one at a time and in order. */
    private final ReentrantLock delivering = new ReentrantLock();
    private final LongAdder rejected = new LongAdder();
    /** Everything the hot path needs in one volatile read; replaced, never mutated. */
    private volatile Snapshot current;

    @Inject
    CircuitBreaker(SluiceConfig config) {
        // checked as every setting is at start-up, so a wrong one gets the same one-line error whichever bean reads it first
        this(Setting.BREAKER_FAILURE_THRESHOLD.checkStartup(config), Setting.BREAKER_RECOVERY_TIMEOUT.checkStartup(config),
                Setting.BREAKER_SUCCESS_THRESHOLD.checkStartup(config));
    }

    /** A breaker with these settings; throws {@link IllegalArgumentException} for settings out of range. */
    CircuitBreaker(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
        validate(failureThreshold, recoveryTimeout, successThreshold);
        Generation first = new Generation(failureThreshold, recoveryTimeout, successThreshold);
        this.current = new Snapshot(BreakerState.CLOSED, first, null, 0, null, 0, null, null);
    }

    /**
     * Runs {@code action} through the breaker and returns its result. Exceptions from {@code action}
     * reach the caller unchanged (connection-level ones are counted first).
     *
     * @throws CircuitOpenException when the breaker refuses the call; {@code action} did not run
     */
    @SuppressWarnings("unchecked")
    public <T> T call(Callable<T> action) throws Exception {
        Snapshot s = current;
        if (s.state == BreakerState.CLOSED) {
            return callClosed(s.generation, action);
        }
        if (s.state.refusesCalls() && (s.state == BreakerState.FORCED_OPEN || System.nanoTime() - s.nextProbeNanos < 0)) {
            throw refuse(s);
        }
        Generation g = s.generation;
        T result;
        try {
            // Object.class keeps SmallRye on its synchronous path; the cast back to T is the caller's type
            result = (T) g.guard.call((Callable<Object>) action, Object.class);
        } catch (CircuitBreakerOpenException e) {
            // SmallRye refused: half-open with every probe taken, or it opened a moment before our snapshot
            throw refuse(current);
        } catch (Exception e) {
            g.record(e);
            throw e;
        }
        g.recordSuccess();
        return result;
    }

    /**
     * The CLOSED path, in front of SmallRye's guard (whose synchronous path costs hundreds of nanoseconds a
     * call): the work runs directly and the guard is told only what can change its verdict. While CLOSED the
     * guard's window opens the breaker when its last {@code failureThreshold} outcomes are all counted
     * failures, so a run of successes is worth the same as one success: every counted failure is replayed
     * through the guard, and so is the first success after one ({@code consecutiveFailures} says whether
     * there was one). The guard therefore sees the calls' outcomes with runs of successes shortened to one,
     * and opens after exactly the same calls as when every call entered it. An outcome that arrives after the
     * breaker left CLOSED or was rebuilt is dropped, as SmallRye drops a call's outcome in a state it did not
     * start in.
     */
    private <T> T callClosed(Generation g, Callable<T> action) throws Exception {
        T result;
        try {
            result = action.call();
        } catch (Exception e) {
            if (SqlErrors.classify(e).countsAgainstBreaker()) {
                g.countFailure(e);
                if (stillClosed(g)) {
                    g.replay(e);
                }
            } else {
                succeededClosed(g);
            }
            throw e;
        }
        succeededClosed(g);
        return result;
    }

    private void succeededClosed(Generation g) {
        // read first: an unconditional write would bounce the cache line between request threads
        if (g.consecutiveFailures.get() != 0) {
            g.consecutiveFailures.set(0);
            if (stillClosed(g)) {
                g.replay(null);
            }
        }
    }

    private boolean stillClosed(Generation g) {
        Snapshot now = current;
        return now.state == BreakerState.CLOSED && now.generation == g;
    }

    /**
     * Refuses now, without running anything, when {@link #call} would refuse: lets the HTTP layer fail
     * fast on its I/O thread instead of handing a doomed request to a worker.
     *
     * @throws CircuitOpenException when the breaker is open and its next probe is not due
     */
    public void checkAdmits() {
        Snapshot s = current;
        if (s.state.refusesCalls() && (s.state == BreakerState.FORCED_OPEN || System.nanoTime() - s.nextProbeNanos < 0)) {
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
        return statusOf(current);
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
                case OPEN, HALF_OPEN -> {
                    g.trip();
                    long nextProbeNanos = System.nanoTime() + g.recoveryNanos;
                    Instant nextProbeAt = Instant.now().plus(recoveryTimeout);
                    yield before.state == BreakerState.OPEN
                            ? before.rearmed(g, nextProbeNanos, nextProbeAt)
                            : before.moveTo(BreakerState.OPEN, g, before.openedAt, nextProbeNanos, nextProbeAt,
                                    "reconfigured while half-open");
                }
            };
            current = next;
            after = statusOf(next);
            undelivered.add(after);
        }
        LOG.infof("circuit breaker reconfigured: failureThreshold=%d recoveryTimeout=%s successThreshold=%d, state %s",
                failureThreshold, recoveryTimeout, successThreshold, after.state());
        deliver();
        return after;
    }

    /**
     * Closes the breaker with an empty failure window, whatever its state; this is the only way out of
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
                    : s.moveTo(BreakerState.CLOSED, g, null, 0, null, "reset by an operator");
            current = next;
            after = statusOf(next);
            if (from != BreakerState.CLOSED) {
                undelivered.add(after);
            }
        }
        if (from != BreakerState.CLOSED) {
            LOG.infof("circuit breaker closed by an operator (was %s)", from);
            deliver();
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
            Instant openedAt = s.openedAt != null ? s.openedAt : Instant.now();
            Snapshot next = changed
                    ? s.moveTo(BreakerState.FORCED_OPEN, s.generation, openedAt, 0, null, why)
                    : s.withCause(why);
            current = next;
            after = statusOf(next);
            if (changed) {
                undelivered.add(after);
            }
        }
        LOG.warnf("circuit breaker %s", why);
        if (changed) {
            deliver();
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

    // ---- SmallRye's state changes -------------------------------------------------------------------

    /**
     * Follows a state change of generation {@code g}'s guard. Changes of a guard that has since been
     * replaced (its timer can still fire), and any change while FORCED_OPEN, are ignored.
     */
    private void onGuardStateChange(Generation g, CircuitBreakerState to) {
        BreakerStatus after;
        synchronized (transitions) {
            Snapshot s = current;
            if (s.generation != g || s.state == BreakerState.FORCED_OPEN) {
                return;
            }
            BreakerState target = switch (to) {
                case CLOSED -> BreakerState.CLOSED;
                case OPEN -> BreakerState.OPEN;
                case HALF_OPEN -> BreakerState.HALF_OPEN;
            };
            // Callbacks from two threads (SmallRye's timer, a probe) can reach this lock out of order; one
            // that no longer fits is dropped, and the next transition brings the view back in line.
            if (target == s.state || !s.state.canMoveTo(target)) {
                LOG.debugf("circuit breaker: ignoring SmallRye's %s while %s", to, s.state);
                return;
            }
            Snapshot next = switch (target) {
                case OPEN -> {
                    long now = System.nanoTime();
                    String cause = s.state == BreakerState.HALF_OPEN
                            ? "a probe failed: " + g.lastFailure
                            : g.failureThreshold + " connection-level failures in a row, the last " + g.lastFailure;
                    Instant openedAt = s.openedAt != null ? s.openedAt : Instant.now();
                    yield s.moveTo(BreakerState.OPEN, g, openedAt, now + g.recoveryNanos,
                            Instant.now().plus(g.recoveryTimeout), cause);
                }
                case HALF_OPEN -> s.moveTo(BreakerState.HALF_OPEN, g, s.openedAt, 0, null,
                        "recovery timeout elapsed; letting " + g.successThreshold + " probe(s) through");
                default -> {
                    g.consecutiveFailures.set(0);
                    yield s.moveTo(BreakerState.CLOSED, g, null, 0, null,
                            g.successThreshold == 1 ? "the probe succeeded" : g.successThreshold + " probes succeeded");
                }
            };
            current = next;
            after = statusOf(next);
            undelivered.add(after);
        }
        if (after.state() == BreakerState.OPEN) {
            LOG.warnf("circuit breaker opened: %s; next probe at %s", after.lastTransitionCause(), after.nextProbeAt());
        } else {
            LOG.infof("circuit breaker %s: %s", after.state(), after.lastTransitionCause());
        }
        deliver();
    }

    // ---- internals ----------------------------------------------------------------------------------

    private CircuitOpenException refuse(Snapshot s) {
        rejected.increment();
        return new CircuitOpenException(s.state == BreakerState.CLOSED ? BreakerState.OPEN : s.state, retryAfterSeconds(s));
    }

    /**
     * Seconds until the next probe, for {@code Retry-After}. A half-open breaker is probing now: 1. A
     * forced-open breaker has no next probe; its recovery timeout is the hint. The CLOSED case is the
     * instant between SmallRye opening and our snapshot following.
     */
    private static long retryAfterSeconds(Snapshot s) {
        long nanos = switch (s.state) {
            case OPEN -> s.nextProbeNanos - System.nanoTime();
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

    /**
     * Delivers the queued statuses in the order of their changes. Two threads that changed the state one
     * after the other (SmallRye's timer moving to HALF_OPEN, a probe closing) could otherwise call the
     * listeners in the other order; the second waits here until the first has delivered, and whichever
     * holds the lock delivers everything queued, so a change's status has reached the listeners when the
     * method that made it returns.
     */
    private void deliver() {
        delivering.lock();
        try {
            for (BreakerStatus s = undelivered.poll(); s != null; s = undelivered.poll()) {
                notifyListeners(s);
            }
        } finally {
            delivering.unlock();
        }
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

    /**
     * The bounds are the settings' declared ones ({@link Setting}): upper bounds keep a mistyped setting from
     * allocating a huge window or disabling the breaker.
     */
    private static void validate(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
        Setting.BREAKER_FAILURE_THRESHOLD.check(failureThreshold);
        Setting.BREAKER_RECOVERY_TIMEOUT.check(recoveryTimeout);
        Setting.BREAKER_SUCCESS_THRESHOLD.check(successThreshold);
    }

    private static String shorten(String reason) {
        if (reason == null || reason.isBlank()) {
            return "no reason given";
        }
        String r = reason.strip();
        return r.length() <= 200 ? r : r.substring(0, 200) + "…";
    }

    /**
     * One immutable set of settings and the SmallRye guard built from them. Replaced as a whole by
     * {@link #reconfigure} and {@link #reset}; callbacks carry their generation so the breaker can tell a
     * current guard's state change from a replaced one's.
     */
    private final class Generation {
        final int failureThreshold;
        final Duration recoveryTimeout;
        final long recoveryNanos;
        final int successThreshold;
        final Guard guard;
        /** For the status only; SmallRye's window decides when to open. */
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        /** {@link SqlErrors#describe} of the last counted failure, for the transition cause. */
        volatile String lastFailure = "none";

        Generation(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
            this.failureThreshold = failureThreshold;
            this.recoveryTimeout = recoveryTimeout;
            this.recoveryNanos = recoveryTimeout.toNanos();
            this.successThreshold = successThreshold;
            this.guard = Guard.create()
                    .withDescription("sluice-backend")
                    .withCircuitBreaker()
                    .requestVolumeThreshold(failureThreshold)
                    .failureRatio(1.0)
                    .delay(recoveryTimeout.toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(successThreshold)
                    .when(t -> t == TripFailure.INSTANCE || SqlErrors.classify(t).countsAgainstBreaker())
                    .onStateChange(to -> onGuardStateChange(this, to))
                    .done()
                    .build();
        }

        void record(Exception e) {
            if (SqlErrors.classify(e).countsAgainstBreaker()) {
                countFailure(e);
            } else {
                recordSuccess();
            }
        }

        void countFailure(Exception e) {
            // describe before counting, so a transition this failure causes names it
            lastFailure = SqlErrors.describe(e);
            consecutiveFailures.incrementAndGet();
        }

        /**
         * Gives the guard one outcome of a call that ran on the CLOSED path: {@code failure}, or a success when
         * null. Pure CPU work; what the guard throws back (the failure, or its refusal) is not the caller's.
         */
        void replay(Exception failure) {
            try {
                guard.call(() -> {
                    if (failure != null) {
                        throw failure;
                    }
                    return null;
                }, Object.class);
            } catch (Exception expected) {
                // the replayed failure, or CircuitBreakerOpenException when the guard opened meanwhile
            }
        }

        void recordSuccess() {
            // read first: an unconditional write would bounce the cache line between request threads
            if (consecutiveFailures.get() != 0) {
                consecutiveFailures.set(0);
            }
        }

        /**
         * Opens this (new, unpublished) guard by feeding it {@code failureThreshold} synthetic failures, so
         * that SmallRye's own state and timer say OPEN with a full delay. Pure CPU work; the database is
         * not involved.
         */
        void trip() {
            for (int i = 0; i < failureThreshold; i++) {
                try {
                    guard.call(() -> {
                        throw TripFailure.INSTANCE;
                    }, Object.class);
                } catch (Exception expected) {
                    // TripFailure, or CircuitBreakerOpenException once it is open
                }
            }
        }
    }

    /** The breaker's state as the hot path and the status see it. Immutable. */
    private static final class Snapshot {
        final BreakerState state;
        final Generation generation;
        final Instant openedAt;
        /** System.nanoTime() at which an OPEN breaker lets probes through; meaningful only when OPEN. */
        final long nextProbeNanos;
        final Instant nextProbeAt;
        final long transitions;
        final String cause;
        final Instant lastTransitionAt;

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

        Snapshot moveTo(BreakerState to, Generation g, Instant openedAt, long nextProbeNanos, Instant nextProbeAt, String cause) {
            state.requireMoveTo(to, "circuit breaker");
            return new Snapshot(to, g, openedAt, nextProbeNanos, nextProbeAt, transitions + 1, cause, Instant.now());
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
