package io.sluice.store;

/** The store could not be read or written; nothing changed. Maps to 503 in the admin API. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
