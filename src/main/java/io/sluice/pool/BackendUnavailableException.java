package io.sluice.pool;

/** No backend connection could be had in time (pool exhausted, database down). Answered with 503 and Retry-After. */
public class BackendUnavailableException extends Exception {
    public BackendUnavailableException(String message) {
        super(message, null, false, false);
    }

    /** @param cause kept for failure classification (the breaker), never shown to clients */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
