package io.sluice.breaker;

import io.sluice.state.StateMachine;
import io.sluice.state.Transitions;
import java.util.EnumSet;

/**
 * The states of the {@link CircuitBreaker} (SmallRye Fault Tolerance's guard counts the failures; this is
 * the view operators see and force). Allowed transitions, written once in the table below:
 *
 * <pre>
 *   CLOSED    ── failureThreshold connection failures in a row ──► OPEN
 *   OPEN      ── recoveryTimeout elapsed ────────────────────────► HALF_OPEN
 *   HALF_OPEN ── successThreshold probes succeeded ──────────────► CLOSED
 *   HALF_OPEN ── a probe failed, or reconfigure() ───────────────► OPEN
 *   OPEN, HALF_OPEN ── reset() ──────────────────────────────────► CLOSED
 *   CLOSED, OPEN, HALF_OPEN ── forceOpen() ──────────────────────► FORCED_OPEN
 *   FORCED_OPEN ── reset() ──────────────────────────────────────► CLOSED
 * </pre>
 */
public enum BreakerState implements StateMachine.State<BreakerState> {
    /** Calls go through; connection-level failures are counted. */
    CLOSED,
    /** Calls are refused with {@link CircuitOpenException} until the recovery timeout has passed. */
    OPEN,
    /** Up to {@code successThreshold} probe calls go through; the rest are refused. */
    HALF_OPEN,
    /** Opened by an operator; refuses every call and never probes by itself, only {@code reset()} closes it. */
    FORCED_OPEN;

    /** The allowed transitions, all in one place. */
    private static final Transitions<BreakerState> TABLE = Transitions.of(BreakerState.class, s -> switch (s) {
        case CLOSED -> EnumSet.of(OPEN, FORCED_OPEN);
        case OPEN -> EnumSet.of(HALF_OPEN, CLOSED, FORCED_OPEN);
        case HALF_OPEN -> EnumSet.of(CLOSED, OPEN, FORCED_OPEN);
        case FORCED_OPEN -> EnumSet.of(CLOSED);
    });

    /** Whether the breaker may move from this state straight to {@code next}. */
    @Override
    public boolean canMoveTo(BreakerState next) {
        return TABLE.allows(this, next);
    }

    /** Whether calls are refused outright in this state (HALF_OPEN refuses only calls beyond the probes). */
    public boolean refusesCalls() {
        return this == OPEN || this == FORCED_OPEN;
    }
}
