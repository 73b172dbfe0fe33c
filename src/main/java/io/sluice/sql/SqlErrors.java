package io.sluice.sql;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The failure taxonomy ({@link FailureClass}) in one place, used by the circuit breaker, the lease and
 * the backend's connectivity alike, and the translation of connection-level driver failures into Hrana
 * errors without the driver's raw text.
 *
 * <p>{@link #classify} walks the cause chain and the first throwable that says something decides:
 * <ul>
 *   <li>a {@link Classified} exception names its own class (the pool's unavailability, the breaker's
 *       refusal);</li>
 *   <li>a {@link StatementException} by its Hrana code: {@code SQLITE_IOERR}, {@code SQLITE_CANTOPEN},
 *       {@code SQLITE_NOTADB} (and their extended forms) and {@code BACKEND_UNAVAILABLE} are CONNECTION;
 *       {@link ErrorCode#STATEMENT_TIMEOUT}, {@link ErrorCode#STATEMENT_CANCELED} and
 *       {@code SQLITE_INTERRUPT} are TIMEOUT; every other code is CLIENT;</li>
 *   <li>{@link SQLTransientConnectionException}, {@link SQLNonTransientConnectionException},
 *       {@link SQLRecoverableException}: CONNECTION;</li>
 *   <li>a {@link SQLiteException} by its primary code: {@code IOERR}, {@code CANTOPEN}, {@code NOTADB}
 *       CONNECTION, {@code INTERRUPT} TIMEOUT, everything else (BUSY, LOCKED, FULL, CORRUPT, ...) CLIENT:
 *       contention or a damaged table is not an outage the breaker could help with;</li>
 *   <li>SQLState classes {@code 08}, {@code 28}, {@code 58}, class {@code 57} except {@code 57014}, and
 *       {@code 53300}: CONNECTION; {@code 57014}: TIMEOUT; the classes that describe the statement or its
 *       data ({@code 0A 21 22 23 24 25 26 27 2B 2D 2F 34 38 39 3B 3D 3F 40 42 44 53 54 55 P0 XX}):
 *       CLIENT; an unknown state lets the cause decide;</li>
 *   <li>Agroal's acquisition timeout without a cause ("all connections busy"): SATURATION; with a
 *       {@link TimeoutException} cause (creating a connection took too long): CONNECTION;</li>
 *   <li>any {@link IOException}: CONNECTION.</li>
 * </ul>
 * A chain that decides nothing is CLIENT: only evidence blames the database.
 */
public final class SqlErrors {
    private static final Logger LOG = Logger.getLogger(SqlErrors.class);
    /** Cause chains longer than this are cut: a cyclic chain must not hang the request path. */
    private static final int MAX_CAUSE_DEPTH = 16;

    private static final Set<String> CONNECTION_STATE_CLASSES = Set.of("08", "28", "58");
    private static final Set<String> CONNECTION_STATES = Set.of("53300");
    private static final Set<String> CLIENT_STATE_CLASSES = Set.of(
            "0A", "21", "22", "23", "24", "25", "26", "27", "2B", "2D", "2F", "34", "38", "39", "3B", "3D",
            "3F", "40", "42", "44", "53", "54", "55", "P0", "XX");
    private static final String QUERY_CANCELED = "57014";
    private static final Set<Integer> SQLITE_CONNECTION_CODES = Set.of(
            SQLiteErrorCode.SQLITE_IOERR.code, SQLiteErrorCode.SQLITE_CANTOPEN.code, SQLiteErrorCode.SQLITE_NOTADB.code);
    private static final String[] CONNECTION_CODES = {"SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_NOTADB"};
    private static final Set<String> TIMEOUT_CODES = Set.of(ErrorCode.STATEMENT_TIMEOUT, ErrorCode.STATEMENT_CANCELED, "SQLITE_INTERRUPT");
    /** The gateway's HranaError.BACKEND_UNAVAILABLE, reported in-band by a cursor; HranaErrorTest keeps the two equal. */
    private static final String BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE";

    private SqlErrors() {
    }

    /** The code of a connection-level failure, as {@link #connectionFailure} produces it. */
    public static final String CONNECTION_FAILURE_CODE = "SQLITE_IOERR";

    /** The class of {@code failure}; CLIENT for null or when nothing in its cause chain decides. */
    public static FailureClass classify(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
            FailureClass c = classifyOne(t);
            if (c != null) {
                return c;
            }
            t = t.getCause();
        }
        return FailureClass.CLIENT;
    }

    /** The class of a Hrana error code (what a {@link StatementException} carries). */
    public static FailureClass classifyCode(String code) {
        if (code == null) {
            return FailureClass.CLIENT;
        }
        if (BACKEND_UNAVAILABLE.equals(code)) {
            return FailureClass.CONNECTION;
        }
        for (String c : CONNECTION_CODES) {
            if (code.equals(c) || (code.startsWith(c) && code.length() > c.length() && code.charAt(c.length()) == '_')) {
                return FailureClass.CONNECTION;
            }
        }
        return TIMEOUT_CODES.contains(code) ? FailureClass.TIMEOUT : FailureClass.CLIENT;
    }

    /**
     * A short description of a failure safe for logs and status views: the class name and, for SQL
     * failures, the SQLState or code. Never the message, which can hold host names or credentials.
     */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "none";
        }
        String name = failure.getClass().getSimpleName();
        if (failure instanceof StatementException se) {
            return name + " " + se.code();
        }
        if (failure instanceof SQLiteException se) {
            return name + " " + se.getResultCode().name();
        }
        if (failure instanceof SQLException se && se.getSQLState() != null) {
            return name + " SQLState " + se.getSQLState();
        }
        Throwable cause = failure.getCause();
        return cause == null || cause == failure ? name : name + " (" + cause.getClass().getSimpleName() + ")";
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

    /** One throwable's verdict, or null to let its cause decide. */
    private static FailureClass classifyOne(Throwable t) {
        if (t instanceof Classified c) {
            return c.failureClass();
        }
        if (t instanceof StatementException se) {
            return classifyCode(se.code());
        }
        if (t instanceof SQLException se) {
            return classifySql(se);
        }
        if (t instanceof IOException) {
            return FailureClass.CONNECTION;
        }
        return null;
    }

    private static FailureClass classifySql(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return FailureClass.CONNECTION;
        }
        if (e instanceof SQLiteException se) {
            // the extended code's low byte is the primary code (SQLITE_IOERR_SHORT_READ -> SQLITE_IOERR)
            int primary = se.getResultCode().code & 0xff;
            if (SQLITE_CONNECTION_CODES.contains(primary)) {
                return FailureClass.CONNECTION;
            }
            return primary == SQLiteErrorCode.SQLITE_INTERRUPT.code ? FailureClass.TIMEOUT : FailureClass.CLIENT;
        }
        String state = e.getSQLState();
        if (state != null && state.length() == 5) {
            String stateClass = state.substring(0, 2);
            if (QUERY_CANCELED.equals(state)) {
                return FailureClass.TIMEOUT;
            }
            if (CONNECTION_STATES.contains(state) || CONNECTION_STATE_CLASSES.contains(stateClass) || "57".equals(stateClass)) {
                return FailureClass.CONNECTION;
            }
            // a vendor or driver state we do not know (HY000, 99999): let the cause decide
            return CLIENT_STATE_CLASSES.contains(stateClass) ? FailureClass.CLIENT : null;
        }
        if (state == null && isAgroalAcquisitionTimeout(e)) {
            // without a cause every connection was busy; with one, creating a connection timed out
            return e.getCause() == null ? FailureClass.SATURATION : FailureClass.CONNECTION;
        }
        return null;
    }

    private static boolean isAgroalAcquisitionTimeout(SQLException e) {
        String message = e.getMessage();
        if (message != null && (message.startsWith("Acquisition timeout") || message.startsWith("Sorry, acquisition timeout"))) {
            return true;
        }
        return e.getCause() instanceof TimeoutException;
    }
}
