package io.sluice.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** A backend's SQL behaviour: opens {@link SqlSession}s over that backend's JDBC connections. */
public interface Dialect {

    /** A short name for logs and status views ({@code sqlite}, {@code postgresql}). */
    String name();

    /** The lexical rules of this backend's SQL: scan statement texts with this syntax before {@link SqlSession#execute}. */
    default SqlScanner.Syntax syntax() {
        return SqlScanner.Syntax.SQLITE;
    }

    /**
     * Makes a freshly opened connection safe to hand to clients, before it is used for anything else; every
     * path that opens a connection (the pools, the direct path, the read fast path, probes) calls it. SQLite:
     * no attached databases (so no ATTACH, no VACUUM INTO) and no extension loading; PostgreSQL: refuses a
     * driver configured to send statements in the simple query protocol. Fails with an exception when the
     * connection cannot be made safe; the caller must then close it.
     */
    default void initConnection(Connection connection) throws SQLException {
    }

    /** Forgets what {@link #initConnection} kept about a connection that is about to be closed for good. */
    default void forgetConnection(Connection connection) {
    }

    /** True when a pooled connection went back owing its session reset to its next lease (PostgreSQL under load). */
    default boolean owesResets() {
        return false;
    }

    /** Runs the reset a connection owes, if it owes one: for an idle connection, so it does not keep a client's state long. */
    default void payOwedReset(Connection connection) throws SQLException {
    }

    /**
     * Wraps a leased connection.
     *
     * @param readOnly true when the stream's token only allows reads
     */
    SqlSession open(Connection connection, boolean readOnly) throws StatementException;

    /**
     * Wraps a leased connection for {@code owner}: a backend that resets sessions per principal
     * ({@code sluice.database.session-reset=principal}) keeps what the owner's earlier streams left in the
     * session; any other owner's stream gets the session reset.
     *
     * @param owner the principal and its access, in one string that tells them apart; null: reset as for a stranger
     */
    default SqlSession open(Connection connection, boolean readOnly, String owner) throws StatementException {
        return open(connection, readOnly);
    }
}
