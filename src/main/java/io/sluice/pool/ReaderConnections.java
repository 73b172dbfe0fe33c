package io.sluice.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Read-only SQLite connections of the caller's own, outside the pool, opened and initialised like every
 * connection clients' SQL runs on — the read fast path's factory ({@link Backend#readers()}). The caller
 * never sees the database's URL or driver settings; it may only tighten them.
 */
public interface ReaderConnections {
    /**
     * Opens a connection with {@code SQLITE_OPEN_READONLY}.
     *
     * @param overrides driver properties on top of the pool's (a busy timeout, a length limit)
     */
    Connection open(Map<String, String> overrides) throws SQLException;

    /** Closes a connection {@link #open} gave. */
    void close(Connection c) throws SQLException;
}
