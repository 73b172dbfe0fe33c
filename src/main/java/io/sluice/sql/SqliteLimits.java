package io.sluice.sql;

/**
 * SQLite's run-time limits as Sluice sets them. The length limit ({@code SQLITE_LIMIT_LENGTH}: the
 * largest string, blob or row SQLite will build) is a driver property of every connection, taken from the
 * response limit ({@code sluice.gateway.max-response-bytes}) in {@code application.properties}, so a
 * pooled, direct or fast-path connection can never produce a value larger than a response may carry; a
 * statement that would fails inside SQLite with {@code SQLITE_TOOBIG} before anything reaches the Java heap.
 * No SQL statement can raise a limit.
 */
public final class SqliteLimits {
    /** The sqlite-jdbc connection property that sets {@code SQLITE_LIMIT_LENGTH} when a connection opens. */
    public static final String LENGTH_PROPERTY = "limit_length";

    private SqliteLimits() {
    }
}
