package io.sluice.breaker;

import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.StatementException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Tells failures of the database connection (which count against the {@link CircuitBreaker}) from
 * failures of a statement (which never do). The test is "could any other request have succeeded right
 * now?": a lost or refused connection, a timeout reaching the server, an exhausted pool or a server
 * shutting down fail every request alike, and failing them fast is the point of the breaker; a syntax
 * error, a constraint violation or a bad value fails only the request that made it.
 *
 * <p>Connection-level:
 * <ul>
 *   <li>{@link BackendUnavailableException} (no connection within the acquire timeout);</li>
 *   <li>{@link SQLTransientConnectionException}, {@link SQLNonTransientConnectionException},
 *       {@link SQLRecoverableException};</li>
 *   <li>SQLState class {@code 08} (connection exception), {@code 28} (the server refused our credentials:
 *       no request can be served), {@code 57} except {@code 57014} (admin/crash shutdown
 *       {@code 57P01}/{@code 57P02}, cannot connect now {@code 57P03}, database dropped), {@code 58}
 *       (the server's own I/O failed; the PostgreSQL dialect reports it as {@code SQLITE_IOERR}) and
 *       {@code 53300} too many connections;</li>
 *   <li>Agroal's acquisition timeout: a {@link SQLException} without SQLState whose message starts with
 *       "Acquisition timeout" or "Sorry, acquisition timeout", or whose cause is a {@link TimeoutException}
 *       (agroal-pool 3.0.1 throws {@code new SQLException("Acquisition timeout while waiting for new
 *       connection", timeoutException)});</li>
 *   <li>any {@link IOException} (socket timeouts, refused connects, resets), wherever it is in the cause
 *       chain — so guard only backend work: an {@code IOException} from writing the HTTP response inside
 *       a guarded call would count too;</li>
 *   <li>SQLite ({@link SQLiteException}) primary codes {@code SQLITE_IOERR}, {@code SQLITE_CANTOPEN} and
 *       {@code SQLITE_NOTADB}: the database file cannot be read or opened at all;</li>
 *   <li>{@link StatementException} codes {@code SQLITE_IOERR} (what
 *       {@link io.sluice.sql.SqlErrors#connectionFailure} produces for any driver-level failure),
 *       {@code SQLITE_CANTOPEN}, {@code SQLITE_NOTADB}, their extended forms ({@code SQLITE_IOERR_*}),
 *       and {@code BACKEND_UNAVAILABLE}.</li>
 * </ul>
 *
 * <p>Never connection-level, even with an I/O exception somewhere among their causes: SQLState classes
 * that describe the statement or its data ({@code 0A 21 22 23 24 25 26 27 2B 2D 2F 34 38 39 3B 3D 3F
 * 40 42 44 54 55 P0 XX}, {@code 53} other than {@code 53300}, and {@code 57014} — a statement timeout is
 * a slow query, not an outage); every other {@link StatementException} code; every other SQLite code,
 * in particular {@code SQLITE_BUSY}/{@code SQLITE_LOCKED} (contention: opening the breaker would turn a
 * slow writer into an outage), {@code SQLITE_FULL} (reads still work), {@code SQLITE_CORRUPT} (usually
 * confined to one table or index, and waiting does not heal it: it needs an operator, not a breaker);
 * and the breaker's own {@link CircuitOpenException}. Anything else not named here is looked up through
 * its causes, and is not connection-level when none of them is.
 */
public final class ConnectionFailures {
    /** Cause chains longer than this are cut: a cyclic chain must not hang the request path. */
    private static final int MAX_CAUSE_DEPTH = 16;

    private static final Set<String> CONNECTION_STATE_CLASSES = Set.of("08", "28", "58");
    private static final Set<String> CONNECTION_STATES = Set.of("53300");
    private static final Set<String> STATEMENT_STATE_CLASSES = Set.of(
            "0A", "21", "22", "23", "24", "25", "26", "27", "2B", "2D", "2F", "34", "38", "39", "3B", "3D",
            "3F", "40", "42", "44", "53", "54", "55", "P0", "XX");
    private static final String QUERY_CANCELED = "57014";

    private static final Set<Integer> SQLITE_CONNECTION_CODES = Set.of(
            SQLiteErrorCode.SQLITE_IOERR.code, SQLiteErrorCode.SQLITE_CANTOPEN.code, SQLiteErrorCode.SQLITE_NOTADB.code);
    private static final String[] CONNECTION_HRANA_CODES = {"SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_NOTADB"};
    private static final String BACKEND_UNAVAILABLE = "BACKEND_UNAVAILABLE";

    /** What one throwable in a cause chain says; UNDECIDED hands the question to its cause. */
    enum Verdict {
        CONNECTION, STATEMENT, UNDECIDED
    }

    private ConnectionFailures() {
    }

    /** Whether {@code failure} means the database connection failed, rather than the statement; false for null. */
    public static boolean isConnectionLevel(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
            Verdict verdict = classify(t);
            if (verdict != Verdict.UNDECIDED) {
                return verdict == Verdict.CONNECTION;
            }
            t = t.getCause();
        }
        return false;
    }

    /**
     * A short description of a failure safe for logs and the breaker's status: the class name and, for
     * SQL failures, the SQLState or code. Never the message, which can hold host names or credentials.
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

    static Verdict classify(Throwable t) {
        if (t instanceof CircuitOpenException) {
            return Verdict.STATEMENT;
        }
        if (t instanceof BackendUnavailableException) {
            return Verdict.CONNECTION;
        }
        if (t instanceof StatementException se) {
            return isConnectionCode(se.code()) ? Verdict.CONNECTION : Verdict.STATEMENT;
        }
        if (t instanceof SQLException se) {
            return classifySql(se);
        }
        if (t instanceof IOException) {
            return Verdict.CONNECTION;
        }
        return Verdict.UNDECIDED;
    }

    private static Verdict classifySql(SQLException e) {
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return Verdict.CONNECTION;
        }
        if (e instanceof SQLiteException se) {
            // the extended code's low byte is the primary code (SQLITE_IOERR_SHORT_READ -> SQLITE_IOERR)
            int primary = se.getResultCode().code & 0xff;
            return SQLITE_CONNECTION_CODES.contains(primary) ? Verdict.CONNECTION : Verdict.STATEMENT;
        }
        String state = e.getSQLState();
        if (state != null && state.length() == 5) {
            String stateClass = state.substring(0, 2);
            if (CONNECTION_STATES.contains(state) || CONNECTION_STATE_CLASSES.contains(stateClass)
                    || ("57".equals(stateClass) && !QUERY_CANCELED.equals(state))) {
                return Verdict.CONNECTION;
            }
            if (STATEMENT_STATE_CLASSES.contains(stateClass) || QUERY_CANCELED.equals(state)) {
                return Verdict.STATEMENT;
            }
            // a vendor or driver state we do not know (HY000, 99999): let the cause decide
            return Verdict.UNDECIDED;
        }
        if (state == null && isAgroalAcquisitionTimeout(e)) {
            return Verdict.CONNECTION;
        }
        return Verdict.UNDECIDED;
    }

    private static boolean isAgroalAcquisitionTimeout(SQLException e) {
        String message = e.getMessage();
        if (message != null && (message.startsWith("Acquisition timeout") || message.startsWith("Sorry, acquisition timeout"))) {
            return true;
        }
        return e.getCause() instanceof TimeoutException;
    }

    private static boolean isConnectionCode(String code) {
        if (code == null) {
            return false;
        }
        if (BACKEND_UNAVAILABLE.equals(code)) {
            return true;
        }
        for (String c : CONNECTION_HRANA_CODES) {
            if (code.equals(c) || (code.startsWith(c) && code.length() > c.length() && code.charAt(c.length()) == '_')) {
                return true;
            }
        }
        return false;
    }
}
