package io.sluice.sql;

import java.sql.Connection;

/** A backend's SQL behaviour: opens {@link SqlSession}s over that backend's JDBC connections. */
public interface Dialect {

    /** A short name for logs and status views ({@code sqlite}, {@code postgresql}). */
    String name();

    /** The lexical rules of this backend's SQL: scan statement texts with this syntax before {@link SqlSession#execute}. */
    default SqlScanner.Syntax syntax() {
        return SqlScanner.Syntax.SQLITE;
    }

    /**
     * Wraps a leased connection.
     *
     * @param readOnly true when the stream's token only allows reads
     */
    SqlSession open(Connection connection, boolean readOnly) throws StatementException;
}
