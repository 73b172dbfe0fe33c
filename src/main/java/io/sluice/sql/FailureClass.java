package io.sluice.sql;

/**
 * The one failure taxonomy (docs/architecture.md, request path step 5): what a failure says about the database, and
 * so what the breaker, the lease and the backend's connectivity do about it. {@link SqlErrors#classify}
 * decides the class of any throwable.
 *
 * <pre>
 *  class        breaker failure   lease marked broken   connectivity DISCONNECTED
 *  CONNECTION   yes               yes                   yes
 *  SATURATION   no                no                    no (shown as saturation)
 *  TIMEOUT      no                no                    no
 *  CLIENT       no                no                    no
 * </pre>
 */
public enum FailureClass {
    /**
     * The database or the way to it failed: refused, reset or timed-out connections, I/O errors, SQLState
     * classes 08 and 28, {@code 57P01}/{@code 57P02}/{@code 57P03} (server shutting down or starting),
     * {@code 53300} (too many connections), class 58, and on SQLite {@code SQLITE_IOERR},
     * {@code SQLITE_CANTOPEN} and {@code SQLITE_NOTADB} (the database file cannot be read or opened).
     */
    CONNECTION,
    /**
     * Sluice had no capacity for the work right now while the database was answering: a pool acquire
     * that timed out because every lease was busy, a call the breaker refused.
     */
    SATURATION,
    /**
     * The statement was stopped: Sluice's statement timeout, an operator's or shutdown's cancel, or a
     * server-side cancel ({@code 57014}, {@code SQLITE_INTERRUPT}). The client's own resource use.
     */
    TIMEOUT,
    /** The statement or its input was wrong: syntax, constraint, read-only, types, locks, quotas. */
    CLIENT;

    /** Whether the circuit breaker counts this failure against the database. */
    public boolean countsAgainstBreaker() {
        return this == CONNECTION;
    }

    /** Whether the connection that saw it must not be pooled again, and the backend is then disconnected. */
    public boolean breaksConnection() {
        return this == CONNECTION;
    }
}
