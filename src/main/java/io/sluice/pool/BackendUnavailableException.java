package io.sluice.pool;

import io.sluice.sql.Classified;
import io.sluice.sql.FailureClass;

/**
 * No backend connection could be had in time. Answered with 503 and Retry-After. Its
 * {@link #failureClass()} tells a database that failed (CONNECTION) from a pool whose every lease was
 * busy while the database answered (SATURATION), which never counts against the breaker.
 */
public class BackendUnavailableException extends Exception implements Classified {
    private final FailureClass failureClass;

    /** A connection-level unavailability. */
    public BackendUnavailableException(String message) {
        this(message, null, FailureClass.CONNECTION);
    }

    /** @param cause kept for logs, never shown to clients */
    public BackendUnavailableException(String message, Throwable cause, FailureClass failureClass) {
        super(message, cause, false, false);
        this.failureClass = failureClass;
    }

    @Override
    public FailureClass failureClass() {
        return failureClass;
    }

    /** True when the pool was saturated by busy leases rather than the database failing. */
    public boolean saturated() {
        return failureClass == FailureClass.SATURATION;
    }
}
