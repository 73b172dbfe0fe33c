package io.sluice.sql;

import java.sql.SQLException;
import org.jboss.logging.Logger;

/** Translation of failures that are not the statement's fault (a lost connection, a driver fault). */
public final class SqlErrors {
    private static final Logger LOG = Logger.getLogger(SqlErrors.class);

    private SqlErrors() {
    }

    /** The code of a connection-level failure, as {@link #connectionFailure} produces it. */
    public static final String CONNECTION_FAILURE_CODE = "SQLITE_IOERR";

    /** True when a statement failed because the connection did, not because of the statement. */
    public static boolean isConnectionFailure(StatementException e) {
        return CONNECTION_FAILURE_CODE.equals(e.code());
    }

    /**
     * Turns a driver failure into a Hrana error without the driver's raw text, which can hold host names
     * or credentials; the SQLState is kept so operators can still tell failures apart.
     */
    public static StatementException connectionFailure(SQLException e) {
        String state = e.getSQLState() == null ? "unknown" : e.getSQLState();
        LOG.debugf(e, "backend failure, SQLState %s", state);
        return new StatementException(CONNECTION_FAILURE_CODE, "Database connection failure (SQLState " + state + ")");
    }
}
