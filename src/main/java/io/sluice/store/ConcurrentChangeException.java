package io.sluice.store;

/** Another writer kept winning the optimistic-concurrency race; nothing changed. Maps to 409 in the admin API. */
public class ConcurrentChangeException extends RuntimeException {
    public ConcurrentChangeException(String message) {
        super(message);
    }
}
