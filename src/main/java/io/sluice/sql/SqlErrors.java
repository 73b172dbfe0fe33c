package io.sluice.sql;

import java.sql.SQLException;
import org.jboss.logging.Logger;

/** Translation of failures that are not the statement's fault (a lost connection, a driver fault). */
public final class SqlErrors {
    private static final Logger LOG = Logger.getLogger(SqlErrors.class);

    private SqlErrors() {
    }

    /**
     * Turns a driver failure into a Hrana error without the driver's raw text, which can hold host names
     * or credentials; the SQLState is kept so operators can still tell failures apart.
     */
    public static StatementException connectionFailure(SQLException e) {
        String state = e.getSQLState() == null ? "unknown" : e.getSQLState();
        LOG.debugf(e, "backend failure, SQLState %s", state);
        return new StatementException("SQLITE_IOERR", "Database connection failure (SQLState " + state + ")");
    }
}
