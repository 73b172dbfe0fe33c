package io.sluice.flags;

/** The store could not be read or written; nothing changed. Maps to 503 in the admin API. */
public class FlagStoreException extends RuntimeException {
    public FlagStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
