package io.sluice.breaker;

/**
 * The states of the {@link CircuitBreaker}. Allowed transitions, written once here and in
 * {@link #canMoveTo}:
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
public enum BreakerState {
    /** Calls go through; connection-level failures are counted. */
    CLOSED,
    /** Calls are refused with {@link CircuitOpenException} until the recovery timeout has passed. */
    OPEN,
    /** Up to {@code successThreshold} probe calls go through; the rest are refused. */
    HALF_OPEN,
    /** Opened by an operator; refuses every call and never probes by itself, only {@code reset()} closes it. */
    FORCED_OPEN;

    /** Whether the breaker may move from this state straight to {@code next}. */
    public boolean canMoveTo(BreakerState next) {
        return switch (this) {
            case CLOSED -> next == OPEN || next == FORCED_OPEN;
            case OPEN -> next == HALF_OPEN || next == CLOSED || next == FORCED_OPEN;
            case HALF_OPEN -> next == CLOSED || next == OPEN || next == FORCED_OPEN;
            case FORCED_OPEN -> next == CLOSED;
        };
    }

    /** Whether calls are refused outright in this state (HALF_OPEN refuses only calls beyond the probes). */
    public boolean refusesCalls() {
        return this == OPEN || this == FORCED_OPEN;
    }
}
