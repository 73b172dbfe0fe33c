package io.sluice.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * How a PostgreSQL connection that ran a client's SQL is given the session a new connection has before the
 * next client's first statement reaches it, and which connections owe that reset.
 *
 * <p>The <b>light reset</b> keeps pgjdbc's server-prepared statements and their plans, which
 * {@code DISCARD ALL} drops (so that every read was parsed and planned again): what {@code DISCARD ALL} runs
 * for settings, {@code SET SESSION AUTHORIZATION DEFAULT} (the role: {@code RESET ALL} leaves it) and
 * {@code RESET ALL} (every other setting, {@code search_path} included), {@code DISCARD SEQUENCES} ({@code currval},
 * {@code lastval}), then one query that releases every session advisory lock and <em>fails</em> when the
 * session holds anything that only {@code DISCARD ALL} undoes: a temporary schema, a {@code PREPARE}d
 * statement, a {@code WITH HOLD} cursor or a {@code LISTEN}. The engine reports each of these, whatever
 * statement or function created it. When it fails, the statements sent after it in the same exchange did
 * not run, and the connection gets the <b>whole reset</b> ({@code DISCARD ALL}) from then on (a backend keeps
 * its temporary schema for life).
 *
 * <p>The light reset runs in one transaction with what follows it, so it goes in front of plain statements
 * only ({@link #inFrontOf}): before a transaction statement or a command that must run outside a
 * transaction block, {@code DISCARD ALL} goes instead, which the server commits on its own at once. If the
 * client statement after it fails, the light reset is rolled back with it and is still owed.
 */
final class PostgresSessionReset {
    /** A reset's statements, and the one text that sends them (joined once, not per statement it rides with). */
    record Statements(List<String> each, String text) {
        Statements(String... each) {
            this(List.of(each), String.join(";\n", each));
        }
    }

    /** The whole reset: what a new connection has (pgjdbc notices it and prepares its statements again). */
    static final Statements WHOLE = new Statements("DISCARD ALL");
    /** In the light reset's refusal: the connection holds state that only {@link #WHOLE} undoes. */
    private static final String REFUSAL = "sluice: session state that only DISCARD ALL undoes";
    /**
     * The light reset. Every name is schema-qualified and every operator spelled out, although
     * {@code RESET ALL} has just put {@code search_path} back: nothing a client created can stand in for them.
     * The refusal is a cast of a text computed at run time, so the planner cannot fold it into an error
     * that would stop every execution.
     */
    static final Statements LIGHT = new Statements("SET SESSION AUTHORIZATION DEFAULT", "RESET ALL", "DISCARD SEQUENCES",
            "SELECT pg_catalog.pg_advisory_unlock_all(), CASE WHEN pg_catalog.pg_my_temp_schema() OPERATOR(pg_catalog.<>) 0"
                    + " OR EXISTS (SELECT FROM pg_catalog.pg_prepared_statements WHERE from_sql)"
                    + " OR EXISTS (SELECT FROM pg_catalog.pg_cursors WHERE is_holdable)"
                    + " OR EXISTS (SELECT FROM pg_catalog.pg_listening_channels())"
                    + " THEN CAST(pg_catalog.pg_backend_pid() OPERATOR(pg_catalog.||) ': " + REFUSAL + "' AS pg_catalog.int4) END");

    /** Connections given back without their reset: it runs before the next lease's first statement. */
    private final Set<BaseConnection> owed = weakSet();
    /** Connections the light reset refused: they get {@link #WHOLE} from now on. */
    private final Set<BaseConnection> wholeOnly = weakSet();

    private static Set<BaseConnection> weakSet() {
        // weak, so a connection the pool destroys is forgotten with it
        return Collections.newSetFromMap(Collections.synchronizedMap(new WeakHashMap<>()));
    }

    void owe(BaseConnection pg) {
        owed.add(pg);
    }

    /** Whether the connection's reset was owed, which is now the caller's to pay. */
    boolean takeOwed(BaseConnection pg) {
        return owed.remove(pg);
    }

    boolean anyOwed() {
        return !owed.isEmpty();
    }

    /**
     * The reset's statements to send in front of a statement of this kind, in the same exchange: the light
     * reset in front of a read or a write, {@link #WHOLE} in front of anything else or on a connection the
     * light reset refused.
     */
    Statements inFrontOf(BaseConnection pg, StatementKind kind) {
        boolean plain = switch (kind) {
            case READ, EXPLAIN, INSERT, WRITE -> true;
            default -> false;
        };
        return plain && !wholeOnly.contains(pg) ? LIGHT : WHOLE;
    }

    /** Resets the session on its own exchange: the light reset, or the whole one where that is refused. */
    void payAlone(Connection connection, BaseConnection pg) throws SQLException {
        // outside a transaction only: a rollback would undo it
        if (!wholeOnly.contains(pg) && pg.getTransactionState() == TransactionState.IDLE) {
            // prepared, so that pgjdbc keeps it on the server once it is used often
            try (PreparedStatement ps = connection.prepareStatement(LIGHT.text())) {
                ps.execute();
                return;
            } catch (SQLException e) {
                if (!refused(pg, e)) {
                    throw e;
                }
            }
        }
        try (Statement s = connection.createStatement()) {
            s.execute(WHOLE.text());
        }
    }

    /**
     * Whether a failure is the light reset's refusal, after which the connection gets {@link #WHOLE} from now
     * on. A client statement that fails with the same message only makes its connection reset wholly.
     */
    boolean refused(BaseConnection pg, SQLException failure) {
        String message = failure.getMessage();
        if ("22P02".equals(failure.getSQLState()) && message != null && message.contains(REFUSAL)) {
            wholeOnly.add(pg);
            return true;
        }
        return false;
    }
}
