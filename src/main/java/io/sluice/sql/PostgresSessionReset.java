package io.sluice.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * How a PostgreSQL connection that ran a client's SQL is given the session a new connection has before the
 * next client's first statement reaches it, and which connections owe that reset.
 *
 * <p>The <b>light reset</b> keeps pgjdbc's server-prepared statements and their plans, which
 * {@code DISCARD ALL} drops (so that every read was parsed and planned again): {@code RESET ALL} (every
 * setting, {@code search_path} included), {@code DISCARD SEQUENCES} ({@code currval}, {@code lastval}),
 * {@code CLOSE ALL} ({@code WITH HOLD} cursors), then one query that releases every session advisory lock,
 * puts the role back ({@code SET ROLE}, which {@code RESET ALL} leaves) when it was changed, and
 * <em>fails</em> when the session holds anything that only {@code DISCARD ALL} undoes: a session user other
 * than the role the connection logged in as ({@code SET SESSION AUTHORIZATION}, which {@code RESET ALL}
 * leaves and only a superuser can run), a temporary schema, a {@code PREPARE}d statement or a {@code LISTEN}
 * ({@code UNLISTEN} would take effect only when the transaction it shares with the next statement commits).
 * The engine reports each of these, whatever statement or function created it. When it fails,
 * the statements sent after it in the same exchange did not run, and the connection gets the <b>whole
 * reset</b> ({@code DISCARD ALL}) from then on (a backend keeps its temporary schema for life). The session
 * user and the role are checked rather than set on every lease: setting either ({@code SET SESSION
 * AUTHORIZATION DEFAULT}, which also resets the role) costs the server about a quarter of a point read.
 *
 * <p>The light reset runs in one transaction with what follows it, so it goes in front of plain statements
 * only ({@link #inFrontOf}): before a transaction statement or a command that must run outside a
 * transaction block, {@code DISCARD ALL} goes instead, which the server commits on its own at once. If the
 * client statement after it fails, the light reset is rolled back with it and is still owed. That transaction
 * begins before the reset runs, with the previous client's transaction defaults (read only, isolation,
 * deferrable): when they differ from the ones the reset brought back, the reset refuses to run in front, and
 * runs in a transaction of its own before the statement instead.
 *
 * <p><b>Per principal</b> ({@code sluice.database.session-reset=principal}): a connection's reset is owed as
 * above, but a lease of the same owner (principal and access) as the one whose state the session holds is let
 * off it, as clients of one PgBouncer pool in transaction mode share sessions. Sluice's own session state
 * (its writer lock, savepoints, the transaction) never outlives a lease either way; the pool's housekeeping
 * still resets an idle connection within a tick, and a session that may hold two owners' state (a reset owed
 * from one lease and not paid by the next) is reset for every owner.
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
     * In the light reset's refusal in front of a statement: the transaction they share began with the previous
     * client's transaction defaults (read only, isolation, deferrable), which the reset puts back only for the
     * next transaction, so the reset runs in a transaction of its own first.
     */
    private static final String ALONE = "sluice: the session reset needs a transaction of its own";
    /** Quotes the login role in the light reset, numbered when the role's name holds it ({@link #dollarQuoted}). */
    private static final String QUOTE = "sluice_role";

    /**
     * The light reset for connections logged in as {@code role}, to run in a transaction of its own or, with
     * {@code inFront}, in front of a statement. Every name is schema-qualified and every operator spelled out,
     * although {@code RESET ALL} has just put {@code search_path} back: nothing a client created can stand in
     * for them. A refusal is a cast of a text computed at run time, so the planner cannot fold it into an
     * error that would stop every execution. The role is dollar-quoted, which no setting changes the meaning of.
     */
    private static Statements light(String role, boolean inFront) {
        if (role == null) {
            return WHOLE;
        }
        String alone = !inFront ? ""
                : " WHEN pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.<>)"
                        + " pg_catalog.current_setting('default_transaction_isolation')"
                        + " OR pg_catalog.current_setting('transaction_deferrable') OPERATOR(pg_catalog.<>)"
                        + " pg_catalog.current_setting('default_transaction_deferrable')"
                        + " OR pg_catalog.current_setting('transaction_read_only') OPERATOR(pg_catalog.<>)"
                        + " pg_catalog.current_setting('default_transaction_read_only') AND NOT pg_catalog.pg_is_in_recovery()"
                        + " THEN " + refusal(ALONE);
        return new Statements("RESET ALL", "DISCARD SEQUENCES", "CLOSE ALL",
                "SELECT pg_catalog.pg_advisory_unlock_all(), CASE WHEN pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'none'"
                        + " THEN pg_catalog.set_config('role', 'none', false) END, CASE WHEN SESSION_USER OPERATOR(pg_catalog.<>) CAST("
                        + dollarQuoted(role) + " AS pg_catalog.name) OR pg_catalog.pg_my_temp_schema() OPERATOR(pg_catalog.<>) 0"
                        + " OR EXISTS (SELECT FROM pg_catalog.pg_prepared_statements WHERE from_sql)"
                        + " OR EXISTS (SELECT FROM pg_catalog.pg_listening_channels())"
                        + " THEN " + refusal(REFUSAL) + alone + " END");
    }

    /**
     * {@code text} as a dollar-quoted literal, whatever it holds: the tag is one whose first occurrence in the
     * text followed by the closing tag is that closing tag, so the literal ends exactly there.
     */
    static String dollarQuoted(String text) {
        String tag = "$" + QUOTE + "$";
        for (int i = 1; (text + tag).indexOf(tag) != text.length(); i++) {
            tag = "$" + QUOTE + i + "$";
        }
        return tag + text + tag;
    }

    private static String refusal(String message) {
        return "CAST(pg_catalog.pg_backend_pid() OPERATOR(pg_catalog.||) ': " + message + "' AS pg_catalog.int4)";
    }

    /** The light resets of the role connections log in as (all of a backend's do): built once, not per reset. */
    private record Light(String role, Statements alone, Statements inFront) {
    }

    private volatile Light lastLight = new Light(null, WHOLE, WHOLE);

    private Light light(BaseConnection pg) {
        String role = pg.getQueryExecutor().getUser();
        Light known = lastLight;
        if (!Objects.equals(known.role(), role)) {
            known = new Light(role, light(role, false), light(role, true));
            lastLight = known;
        }
        return known;
    }

    /** In {@link #owed} for a session whose state is of an unknown owner, or of more than one. */
    private static final String ANYONE = "";

    /** Whether a lease of the owner whose state the session holds is let off the reset. */
    private final boolean perPrincipal;
    /**
     * Connections given back without their reset, and the owner whose state their session holds: the reset runs
     * before the next lease's first statement. Weak, so a connection the pool destroys is forgotten with it.
     */
    private final Map<BaseConnection, String> owed = Collections.synchronizedMap(new WeakHashMap<>());
    /** Connections the light reset refused: they get {@link #WHOLE} from now on. */
    private final Set<BaseConnection> wholeOnly = Collections.newSetFromMap(Collections.synchronizedMap(new WeakHashMap<>()));

    PostgresSessionReset(boolean perPrincipal) {
        this.perPrincipal = perPrincipal;
    }

    /** @param owner whose state the session holds: the lease's owner; null when unknown or more than one */
    void owe(BaseConnection pg, String owner) {
        owed.put(pg, owner == null ? ANYONE : owner);
    }

    /**
     * The connection's owed reset, which is now the caller's to pay or to {@linkplain #letsOff let off}: whose
     * state the session holds ({@link #ANYONE} when unknown), or null when it owes none.
     */
    String takeOwed(BaseConnection pg) {
        return owed.remove(pg);
    }

    /** Whether a lease of {@code owner} is let off a reset owed for {@code holder}'s state: per principal, when the state is its own. */
    boolean letsOff(String holder, String owner) {
        return perPrincipal && owner != null && !owner.isEmpty() && owner.equals(holder);
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
        return plain && !wholeOnly.contains(pg) ? light(pg).inFront() : WHOLE;
    }

    /** Resets the session on its own exchange: the light reset, or the whole one where that is refused. */
    void payAlone(Connection connection, BaseConnection pg) throws SQLException {
        // outside a transaction only: a rollback would undo it
        Statements light = light(pg).alone();
        if (light != WHOLE && !wholeOnly.contains(pg) && pg.getTransactionState() == TransactionState.IDLE) {
            // prepared, so that pgjdbc keeps it on the server once it is used often
            try (PreparedStatement ps = connection.prepareStatement(light.text())) {
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
        if (says(failure, REFUSAL)) {
            wholeOnly.add(pg);
            return true;
        }
        return false;
    }

    /** Whether a failure is the light reset's refusal to run in front of a statement (see {@link #ALONE}). */
    static boolean refusedInFront(SQLException failure) {
        return says(failure, ALONE);
    }

    private static boolean says(SQLException failure, String refusal) {
        String message = failure.getMessage();
        return "22P02".equals(failure.getSQLState()) && message != null && message.contains(refusal);
    }
}
