package io.sluice.breaker;

import io.sluice.sql.Classified;
import io.sluice.sql.FailureClass;

/**
 * A call refused by an open {@link CircuitBreaker}; the guarded work was not started. The gateway
 * answers it with HTTP 503, {@code Retry-After: }{@link #retryAfterSeconds()} and the Hrana error code
 * {@code CIRCUIT_OPEN} (the gateway's {@code HranaError.CIRCUIT_OPEN}).
 *
 * <p>Unchecked so it crosses lambdas and driver callbacks without wrapping; it is only ever thrown by
 * the breaker itself, so there is one place to catch it. It carries no stack trace: an open breaker
 * refuses thousands of calls a second and must stay cheap.
 */
public final class CircuitOpenException extends RuntimeException implements Classified {
    private final BreakerState state;
    private final long retryAfterSeconds;

    CircuitOpenException(BreakerState state, long retryAfterSeconds) {
        // the message is built on demand: most refusals are answered from the code and retryAfterSeconds
        super(null, null, false, false);
        this.state = state;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A message safe to show a client: it names no host, user or SQL. */
    @Override
    public String getMessage() {
        return "The database is unavailable: the circuit breaker is " + describe(state)
                + "; retry in " + retryAfterSeconds + " s";
    }

    /** A refusal is Sluice shedding load, not a new failure of the database: it never counts again. */
    @Override
    public FailureClass failureClass() {
        return FailureClass.SATURATION;
    }

    /** The breaker's state when it refused the call. */
    public BreakerState state() {
        return state;
    }

    /** Seconds until the breaker lets the next probe through; at least 1, for {@code Retry-After}. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    private static String describe(BreakerState state) {
        return switch (state) {
            case FORCED_OPEN -> "forced open by an operator";
            case HALF_OPEN -> "half-open and already probing";
            default -> "open";
        };
    }
}
