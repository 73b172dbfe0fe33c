package io.sluice.sql;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.CachedQuery;
import org.postgresql.core.Oid;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.AutoSave;
import org.postgresql.jdbc.PgResultSet;
import org.postgresql.jdbc.PreferQueryMode;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The PostgreSQL backend (pgjdbc), with the Hrana/SQLite semantics clients expect where PostgreSQL
 * allows them.
 *
 * <p><b>Statements.</b> Texts are scanned with {@link SqlScanner.Syntax#POSTGRESQL}; every SQLite-style
 * parameter occurrence ({@code ?}, {@code ?NNN}, {@code :a}, {@code @a}, {@code $a}, and PostgreSQL's own
 * {@code $1}) becomes a JDBC {@code ?} in text order, bound to its slot's value, so a parameter used
 * twice is bound twice. libSQL's {@code BEGIN IMMEDIATE}/{@code EXCLUSIVE} become
 * {@code BEGIN ISOLATION LEVEL REPEATABLE READ} (after Sluice's writer lock, when it is on), {@code BEGIN DEFERRED} becomes {@code BEGIN}, {@code BEGIN
 * TRANSACTION READONLY} becomes {@code BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY} (see
 * {@link PostgresSession#rewriteBegin}), {@code END} becomes {@code COMMIT}.
 *
 * <p><b>Values.</b> int2/int4/int8/oid are integers; float4/float8 are floats (a float4 is widened through
 * its shortest decimal form, so {@code 1.1} reads as 1.1, as PostgreSQL prints it); bool is integer 0/1;
 * bytea is a blob; numeric is an integer when its value is whole and fits 64 bits (as SQLite's NUMERIC
 * affinity stores {@code 5.0}) and otherwise the exact text PostgreSQL prints ({@code 5.50},
 * {@code 12345678901234567890.1}, {@code NaN}), never a lossy float; everything else (text, uuid, json,
 * dates and times, arrays, ...) is PostgreSQL's text output. Arguments: integer → int8, float → float8,
 * blob → bytea, text and null → an untyped parameter that PostgreSQL types from its context, so text
 * compares with uuid, json or date columns as a literal would.
 *
 * <p><b>Transactions.</b> The connection stays in JDBC auto-commit; the client's own transaction
 * statements run as SQL and pgjdbc's view of the server's transaction status is the truth for
 * {@link SqlSession#isAutocommit()}. Inside a transaction each statement runs under a savepoint, so a
 * failing statement is undone alone and the transaction goes on, as on SQLite. The savepoint costs no
 * round trip of its own: it is pgjdbc's {@code autosave}, switched on for that one execution, which sends
 * {@code SAVEPOINT PGJDBC_AUTOSAVE} in the same network write as the statement and, when the server fails
 * the statement, rolls back to it. Successful statements' savepoints are not released one by one (that
 * would be a round trip each, or with pgjdbc's {@code cleanupSavepoints} a release before Sluice has read
 * the result); they pile up under an anchor of Sluice's, {@code sluice_stmt}, which is released and set again
 * every {@value PostgresSession#RELEASE_EVERY} statements, so a long transaction pays one round trip per that
 * many statements and the server's savepoint stack stays shallow. A statement pgjdbc never guards itself
 * ({@code SET TRANSACTION ...}) gets the same-named savepoint from Sluice, in a round trip of its own. (So
 * pgjdbc's {@code cleanupSavepoints} must stay off, its default: it would release a statement's savepoint
 * before Sluice has read the statement's result.) A statement whose caller knows that only its transaction's
 * rollback could follow its failure (a batch step, see {@link SqlSession.FailureAfterwards}) runs without a
 * savepoint, which saves the server a subtransaction per statement ({@link PostgresSession#mayGoUnguarded}).
 *
 * <p><b>PRAGMA.</b> A {@code PRAGMA} statement is a no-op: it succeeds with no columns, no rows and no
 * affected rows, nothing is sent to PostgreSQL, and an open transaction is left as it was; describing one
 * reports its parameters, no columns and {@code is_readonly}. SQLite's connection settings have no PostgreSQL
 * counterpart, and clients send them unasked: {@code @libsql/client}'s {@code migrate()} wraps its batch in
 * {@code PRAGMA foreign_keys=off}/{@code =on}, which PostgreSQL would refuse as a syntax error. A
 * PRAGMA that queries (e.g. {@code PRAGMA table_info(t)}) therefore returns no rows on this backend.
 *
 * <p><b>One statement is one backend statement.</b> pgjdbc splits a text at semicolons with its own lexer,
 * which follows the server's {@code standard_conforming_strings}; a client that switched that setting off
 * could make the driver see two statements where the scanner saw one. So before every statement the
 * setting is put back on if anything changed it (the server reports it, so checking is free), and the text
 * is parsed with pgjdbc's own parser exactly as it is about to be sent: more than one statement is refused.
 * The driver is never left in its {@code simple} query mode, in which it would send a whole text in one
 * message; in the extended protocol the server itself refuses a message with two commands.
 *
 * <p><b>Read-only tokens.</b> The engine decides, not the statement text: a read-only session runs every
 * statement inside a {@code READ ONLY} transaction and never commits. A statement outside the client's own
 * transaction runs in one the driver opens with {@code BEGIN READ ONLY} (sent with the statement, no extra
 * round trip) and Sluice rolls back right after it. When a statement leaves a transaction of the client's
 * open ({@code BEGIN}, {@code ROLLBACK AND CHAIN}), Sluice at once marks it read only and takes its snapshot
 * ({@code set_config('transaction_read_only', 'on', true)}), after which PostgreSQL refuses to make it
 * writable again; every later statement also runs under a savepoint, where that is refused too. The client's
 * {@code COMMIT} becomes {@code ROLLBACK}. So nothing a read-only client does outlives its transaction: not a
 * row, not a sequence value, not a setting.
 *
 * <p><b>Back to the pool.</b> A connection that ran client SQL is reset before any other client's statement
 * reaches it (settings, role, sequences, advisory locks; prepared statements, cursors, temporary tables and
 * LISTEN with {@code DISCARD ALL}: see {@link PostgresSessionReset}). The reset is owed to the connection's
 * next lease and travels in front of its first statement, in the same network write (the reset's statements,
 * then the statement, one text that pgjdbc's own parse must split into exactly those), so it costs no round
 * trip of its own; the server runs it first, and anything else that lease would send first gets the reset alone
 * before it. A connection that stays idle is reset by the pool's housekeeping within a tick (100 ms).
 */
public final class PostgresDialect implements Dialect {
    /** Types the session reads with typed getters; every other type is read as PostgreSQL's text output ({@link #initConnection}). */
    private static final Set<Integer> BINARY_RESULTS = Set.of(Oid.INT2, Oid.INT4, Oid.INT8, Oid.FLOAT4, Oid.FLOAT8, Oid.BOOL, Oid.BYTEA);

    /** Write transactions take the {@link PostgresSession#TAKE_WRITER_LOCK writer lock} before their snapshot. */
    private final boolean writeLock;
    /** The connections that owe their reset, and how each is reset. */
    private final PostgresSessionReset reset;

    /** Write transactions run side by side at REPEATABLE READ; every stream gets a reset session. */
    public PostgresDialect() {
        this(false, false);
    }

    /**
     * @param writeLock whether write transactions run one at a time per database, as on SQLite
     * @param resetPerPrincipal whether a stream keeps what its owner's earlier streams left in the session
     *     ({@code sluice.database.session-reset=principal}); false: every stream gets a reset session
     */
    public PostgresDialect(boolean writeLock, boolean resetPerPrincipal) {
        this.writeLock = writeLock;
        this.reset = new PostgresSessionReset(resetPerPrincipal);
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public SqlScanner.Syntax syntax() {
        return SqlScanner.Syntax.POSTGRESQL;
    }

    /**
     * Once per connection: makes sure pgjdbc never sends a client's text in the simple query protocol, where
     * one message may carry several commands (an operator may have set {@code preferQueryMode=simple} in the
     * URL), and keeps binary results only for the types read with typed getters. Once pgjdbc server-prepares
     * a statement it may fetch columns in binary and then format arrays, timetz or points differently from
     * PostgreSQL; every other type is read as PostgreSQL's text output, so a text result never changes after
     * the fifth execution. pgjdbc sets both per connection, when it opens it.
     */
    @Override
    public void initConnection(Connection connection) throws SQLException {
        QueryExecutor executor = connection.unwrap(BaseConnection.class).getQueryExecutor();
        if (executor.getPreferQueryMode() == PreferQueryMode.SIMPLE) {
            executor.setPreferQueryMode(PreferQueryMode.EXTENDED);
        }
        for (Integer oid : List.copyOf(executor.getBinaryReceiveOids())) {
            if (!BINARY_RESULTS.contains(oid)) {
                executor.removeBinaryReceiveOid(oid);
            }
        }
    }

    @Override
    public boolean owesResets() {
        return reset.anyOwed();
    }

    @Override
    public void payOwedReset(Connection connection) throws SQLException {
        BaseConnection pg = connection.unwrap(BaseConnection.class);
        if (reset.takeOwed(pg) != null) {
            reset.payAlone(connection, pg);
        }
    }

    @Override
    public SqlSession open(Connection connection, boolean readOnly) throws StatementException {
        return open(connection, readOnly, null);
    }

    @Override
    public SqlSession open(Connection connection, boolean readOnly, String owner) throws StatementException {
        BaseConnection pg;
        try {
            pg = connection.unwrap(BaseConnection.class);
        } catch (SQLException e) {
            throw new StatementException(ErrorCode.INTERNAL, "The PostgreSQL backend needs the pgjdbc driver");
        }
        PostgresSession session = new PostgresSession(connection, pg, readOnly, writeLock, reset, owner);
        try {
            session.init();
        } catch (SQLException e) {
            throw session.translate(e);
        }
        return session;
    }

    static final class PostgresSession extends SqlSession {
        private static final Logger LOG = Logger.getLogger(PostgresSession.class);

        /**
         * The savepoint that guards one statement: pgjdbc's own name for the one its autosave sets, which
         * Sluice also sets itself where pgjdbc would not; a name no client is expected to use.
         */
        static final String SAVEPOINT = "PGJDBC_AUTOSAVE";
        /** Sluice's savepoint under which statements' savepoints pile up until released together. */
        static final String ANCHOR = "sluice_stmt";
        /** Statement savepoints set before the pile is released (a round trip) and the anchor set again. */
        static final int RELEASE_EVERY = 32;
        /**
         * Statement texts for which pgjdbc sets no automatic savepoint (its {@code isSpecialQuery}, pgjdbc
         * 42.7): such a statement gets Sluice's own {@link #SAVEPOINT} first.
         */
        private static final List<String> NOT_AUTOSAVED_PREFIXES = List.of("SET TRANSACTION", "SET LOCAL TRANSACTION",
                "SET SESSION TRANSACTION", "SET SESSION CHARACTERISTICS", "SAVEPOINT", "RELEASE", "ROLLBACK TO SAVEPOINT");
        /**
         * SQLite's write lock on PostgreSQL ({@code sluice.database.write-lock}): a session-level advisory lock
         * (one per database, the same for every Sluice replica) that a write transaction
         * ({@code BEGIN IMMEDIATE|EXCLUSIVE}) takes before its {@code BEGIN}, so its REPEATABLE READ snapshot is
         * taken after the previous write transaction committed, and holds until the transaction ends.
         * PostgreSQL queues the waiters in arrival order.
         */
        static final String TAKE_WRITER_LOCK = "SELECT pg_catalog.pg_advisory_lock(1397511497, 1)";
        static final String DROP_WRITER_LOCK = "SELECT pg_catalog.pg_advisory_unlock(1397511497, 1)";
        /** Fails the open transaction on purpose, leaving it aborted (see {@link #abortTransaction}). */
        private static final String ABORT_TRANSACTION =
                "DO $$BEGIN RAISE EXCEPTION 'a statement failed after it ran; its transaction is aborted'; END$$";
        /** At most this many {@link #parsedInTransaction} entries; a transaction with more texts guards the rest. */
        private static final int PARSES_REMEMBERED = 256;
        /** Marks the current transaction read only and takes its snapshot, after which it cannot become writable. */
        private static final String PIN_READ_ONLY = "SELECT pg_catalog.set_config('transaction_read_only', 'on', true)";
        private static final Pattern PARAMETER_NUMBER = Pattern.compile("\\$(\\d+)");

        private final BaseConnection pg;
        /** Write transactions take the {@link #TAKE_WRITER_LOCK writer lock} first. */
        private final boolean writeLock;
        /** The {@link #ANCHOR} savepoint exists in the open transaction. */
        private boolean anchorHeld;
        /** Statement savepoints set since the anchor was last set (or since the transaction or a client savepoint statement). */
        private int piled;
        /** The running statement is guarded by a {@link #SAVEPOINT}. */
        private boolean statementGuarded;
        /**
         * The running statement runs in the open transaction without a savepoint: its caller said only the
         * transaction's rollback would follow its failure (see {@link #mayGoUnguarded}).
         */
        private boolean statementUnguarded;
        /** {@link #parseKey} of the running statement; null when it binds nothing untyped. */
        private String parseKey;
        /**
         * Statement texts, each with the positions of its untyped arguments ({@link #parseKey}), that the server
         * parsed in the open transaction: parsing them again cannot fail with 42P18, which Sluice answers by
         * sending the argument again as text (a retry that needs the statement's savepoint).
         */
        private final Set<String> parsedInTransaction = new HashSet<>();
        /** The running statement's execution returned rows (a result set). */
        private boolean returnedRows;
        /**
         * Statement texts that ran in the open transaction without returning rows (a text returns rows or not
         * whatever its arguments): {@link #executeRepeated} may send several runs of one as a JDBC batch.
         */
        private final Set<String> rowlessInTransaction = new HashSet<>();
        /** ... and pgjdbc sets that savepoint itself, in the statement's own round trip. */
        private boolean autosaved;
        /** The guarded statement's execution returned: its effects are in, its savepoint is the newest. */
        private boolean executed;
        /** pgjdbc's parse of the statement about to run (from {@link #ensureOneStatement}). */
        private String nativeSql = "";
        /** Set once pgjdbc refused a result larger than maxResultBuffer, after which it has closed the connection. */
        private boolean resultRefused;
        /** Read-only sessions: the open transaction is the client's own (kept until its COMMIT/ROLLBACK), not one per statement. */
        private boolean clientTransaction;
        /** Rows the current statement returned: its affected row count when it has RETURNING. */
        private long rowsRead;
        /** This session holds the {@link #TAKE_WRITER_LOCK writer lock}: its write transaction is open. */
        private boolean writerLockHeld;
        /** The dialect's connections whose reset is owed to their next lease, and how to reset them. */
        private final PostgresSessionReset reset;
        /** The previous lease's reset has not reached the server yet: it goes before anything else this session sends. */
        private boolean resetOwed;
        /** Who this lease's client is ({@link Dialect#open(Connection, boolean, String)}); null: unknown. */
        private final String owner;
        /** The previous lease's reset was let off: the session holds what this owner's earlier streams left. */
        private final boolean stateKept;
        /** The statements of the reset in front of the statement being executed (its first results are theirs); 0 when none. */
        private int resetInFront;

        PostgresSession(Connection connection, BaseConnection pg, boolean readOnly, boolean writeLock, PostgresSessionReset reset,
                String owner) {
            super(connection, readOnly);
            this.pg = pg;
            this.writeLock = writeLock;
            this.reset = reset;
            this.owner = owner;
            String holder = reset.takeOwed(pg);
            this.resetOwed = holder != null && !reset.letsOff(holder, owner);
            this.stateKept = holder != null && !resetOwed;
        }

        void init() throws SQLException {
            if (readOnly) {
                // its statements run inside BEGIN READ ONLY, which the reset must not join: the reset goes first, alone
                payResetOwed();
            }
            if (pg.getTransactionState() != TransactionState.IDLE) {
                connection.rollback();
            }
            // on only around a guarded statement's execution, whatever the URL says
            pg.setAutosave(AutoSave.NEVER);
            if (readOnly) {
                // pgjdbc then opens every transaction with BEGIN READ ONLY, in the same round trip as the statement
                connection.setAutoCommit(false);
                connection.setReadOnly(true);
                if (!pg.hintReadOnly()) {
                    throw new SQLException("pgjdbc's readOnlyMode=ignore cannot run read-only sessions; remove it from the URL", "0A000");
                }
            } else {
                connection.setReadOnly(false);
                connection.setAutoCommit(true); // pgjdbc would otherwise open transactions on its own
            }
        }

        @Override
        protected SqlScanner.Syntax syntax() {
            return SqlScanner.Syntax.POSTGRESQL;
        }

        @Override
        public boolean isAutocommit() {
            // pgjdbc keeps the status of the server's last ReadyForQuery: exact, and no round trip
            return pg.getTransactionState() == TransactionState.IDLE;
        }

        @Override
        public void rollbackIfOpen() throws SQLException {
            forgetSavepoints();
            statementGuarded = false;
            clientTransaction = false;
            if (pg.getTransactionState() != TransactionState.IDLE) {
                if (connection.getAutoCommit()) {
                    run("ROLLBACK");
                } else {
                    connection.rollback();
                }
            }
            dropWriterLock();
        }

        /** The session as a new connection has it, whatever the client changed ({@link PostgresSessionReset}). */
        @Override
        protected boolean resetSessionState(boolean used) throws SQLException {
            return resetSessionState(used, false);
        }

        /**
         * The reset owed to the connection's next lease when {@code owedToNextLease} and no transaction is open,
         * otherwise now: the next lease's first statement carries the reset in front of it, in the same network
         * write and round trip ({@link #textToPrepare}), and anything else that lease sends first is preceded by
         * the reset on its own ({@link #payResetOwed}); a connection nobody leases is reset by the pool's
         * housekeeping ({@link PostgresDialect#payOwedReset}). So no client statement ever reaches a session
         * another client changed; what the deferral changes is only when the server lets go of the previous
         * client's state (its advisory locks, LISTEN, temporary tables): when the connection is next used, or
         * within a housekeeping tick once the pool is idle, instead of before this stream ends.
         */
        @Override
        protected boolean resetSessionState(boolean used, boolean owedToNextLease) throws SQLException {
            connection.setReadOnly(false);
            connection.setAutoCommit(true);
            if (!used && !resetOwed && !stateKept) {
                return true;
            }
            // notifications of a LISTEN that pgjdbc read with the lease's answers: nobody asks for them, and a session
            // kept for its principal could otherwise pile them up for as long as the connection lives
            pg.getQueryExecutor().getNotifications();
            writerLockHeld = false; // the writer lock ended with the lease's transaction; either reset releases advisory locks
            if (owedToNextLease && pg.getTransactionState() == TransactionState.IDLE) {
                // a reset still owed from an earlier lease: the session may hold another owner's state too
                reset.owe(pg, resetOwed ? null : owner);
                resetOwed = false;
                return true;
            }
            resetOwed = true;
            payResetOwed();
            return pg.getTransactionState() == TransactionState.IDLE && pg.getStandardConformingStrings();
        }

        /** Sends the reset owed from the previous lease, on its own, when it is still owed. */
        private void payResetOwed() throws SQLException {
            if (resetOwed) {
                reset.payAlone(connection, pg);
                resetOwed = false;
            }
        }

        /**
         * The client's statement with the owed reset in front of it, when the reset can go there: the session is
         * read-write and no transaction is open (the reset must begin its network exchange, outside a transaction
         * block; which reset goes in front of which statement: {@link PostgresSessionReset#inFrontOf}). pgjdbc's
         * parse of the joined text must be exactly the reset's statements, then the client's; otherwise the reset
         * is sent alone first.
         */
        @Override
        protected String textToPrepare(ScannedStatement st, String sql) throws SQLException {
            resetInFront = 0;
            if (!resetOwed) {
                return sql;
            }
            if (!readOnly && !statementGuarded && pg.getTransactionState() == TransactionState.IDLE) {
                PostgresSessionReset.Statements inFront = reset.inFrontOf(pg, st.kind());
                List<String> front = inFront.each();
                String joined = inFront.text() + ";\n" + sql;
                QueryExecutor executor = pg.getQueryExecutor();
                CachedQuery parsed = executor.borrowQuery(joined);
                org.postgresql.core.Query[] parts = parsed.query.getSubqueries();
                boolean resetFirst = parts != null && parts.length == front.size() + 1;
                for (int i = 0; resetFirst && i < front.size(); i++) {
                    resetFirst = front.get(i).equals(parts[i].getNativeSql().strip());
                }
                executor.releaseQuery(parsed);
                if (resetFirst) {
                    resetInFront = front.size();
                    return joined;
                }
            }
            payResetOwed();
            return sql;
        }

        /**
         * The light reset in front of the statement refused to run there (see {@link PostgresSessionReset}): the
         * statement did not run. Either the session holds what only {@code DISCARD ALL} undoes, which preparing
         * the statement again puts in front instead, or the transaction began with the previous client's
         * transaction defaults: the reset then runs alone first, and the statement after it.
         */
        @Override
        protected boolean frontRefused(SQLException failure) throws SQLException {
            if (resetInFront == 0) {
                return false;
            }
            if (PostgresSessionReset.refusedInFront(failure)) {
                payResetOwed();
                return true;
            }
            return reset.refused(pg, failure);
        }

        /** A PRAGMA does nothing on PostgreSQL (see the class comment); everything else runs. */
        @Override
        public void execute(ScannedStatement st, Object[] slots, ResultSink sink, FailureAfterwards afterwards) throws StatementException {
            if (resultRefused) {
                // not a database failure: what this stream had (its transaction too) went with the connection
                throw new StatementException("SQLITE_ABORT", "This stream's connection was closed when a result exceeded "
                        + "the response limit, and its transaction with it; open a new stream");
            }
            if (st.kind() == StatementKind.PRAGMA) {
                sink.columns(List.of());
                sink.end(0, null);
                return;
            }
            super.execute(st, slots, sink, afterwards);
        }

        @Override
        public boolean runsRepeatedTogether() {
            return true;
        }

        /**
         * Whether runs of this statement can go to the server together: in the open transaction of a session
         * that may write, a text that ran in this transaction already without returning rows.
         */
        @Override
        public boolean mayRepeat(ScannedStatement st) {
            if (resultRefused || readOnly || resetOwed || !st.kind().countsRows() || pg.getTransactionState() != TransactionState.OPEN) {
                return false;
            }
            try {
                ensureOneStatement(rewrite(st));
            } catch (StatementException e) {
                return false; // the first run, alone, fails with it
            }
            return rowlessInTransaction.contains(nativeSql);
        }

        /**
         * The runs go to the server as one JDBC batch under one savepoint, which pgjdbc's {@code autosave}
         * sends in the same write: one round trip for all of them. When a run fails, PostgreSQL skips the rest
         * and pgjdbc rolls back to the savepoint, so the transaction is as it was before the first run and the
         * caller runs them one by one for their outcomes ({@link Repeated#UNDONE}).
         */
        @Override
        public Repeated executeRepeated(ScannedStatement st, List<Object[]> slotSets) throws StatementException {
            if (!mayRepeat(st)) {
                return null;
            }
            try {
                guard(false);
            } catch (SQLException e) {
                throw translate(e);
            }
            pg.setAutosave(AutoSave.ALWAYS);
            try {
                long[] affected = runRepeated(st, slotSets);
                return affected == null ? Repeated.UNDONE : new Repeated(affected);
            } finally {
                pg.setAutosave(AutoSave.NEVER);
            }
        }

        /** Statements in pgjdbc's parse that hold code; a trailing comment-only piece is an empty query, not a statement. */
        private static int statements(CachedQuery parsed) {
            org.postgresql.core.Query[] parts = parsed.query.getSubqueries();
            if (parts == null) {
                return 1;
            }
            int n = 0;
            for (org.postgresql.core.Query part : parts) {
                if (!isOnlyLineComments(part.getNativeSql())) {
                    n++;
                }
            }
            return n;
        }

        /**
         * Whitespace and {@code --} comments only, read as PostgreSQL reads them (a line comment ends at CR
         * or LF). Deliberately narrow: anything else, a block comment included, counts as a statement.
         */
        static boolean isOnlyLineComments(String sql) {
            for (String line : sql.split("[\\r\\n]")) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("--")) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Before anything of a client's statement reaches the driver: {@code standard_conforming_strings} back
         * on when something switched it off, then pgjdbc's own parse of the exact text, which must be one
         * statement.
         */
        private void ensureOneStatement(String sql) throws StatementException {
            try {
                if (!pg.getStandardConformingStrings()) {
                    run("SET standard_conforming_strings = on");
                }
                // the very parse the statement is about to be sent with: prepareStatement borrows the same
                // entry of pgjdbc's statement cache (keyed by the text), so the text is parsed once, not twice
                QueryExecutor executor = pg.getQueryExecutor();
                CachedQuery parsed = executor.borrowQuery(sql);
                int count;
                try {
                    nativeSql = parsed.query.getNativeSql();
                    count = statements(parsed);
                } finally {
                    executor.releaseQuery(parsed);
                }
                if (count > 1) {
                    throw new StatementException(ErrorCode.SQL_MANY_STATEMENTS,
                            "SQL string contains more than one statement as PostgreSQL would read it");
                }
            } catch (SQLException e) {
                throw translate(e);
            }
        }

        /**
         * Closes the socket under a statement the server did not stop after its cancel; the statement then
         * fails at the connection level and the connection is discarded.
         */
        @Override
        protected void abort() {
            try {
                pg.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.debugf("aborting a connection failed: %s", SqlErrors.describe(e));
            }
        }

        // ---- statement text -------------------------------------------------------------------

        @Override
        protected String rewrite(ScannedStatement st) {
            if (st.params().isEmpty()) {
                if (st.kind().isBegin()) {
                    return rewriteBegin(st.sql());
                }
                if (st.kind() == StatementKind.COMMIT) {
                    // a read-only session's transaction commits nothing: its settings must not outlive it either
                    return readOnly ? replaceFirstWord(st.sql(), "ROLLBACK") : rewriteEnd(st.sql());
                }
                return st.sql();
            }
            String sql = st.sql();
            StringBuilder out = new StringBuilder(sql.length());
            int last = 0;
            for (ScannedStatement.Param p : st.params()) {
                out.append(sql, last, p.start()).append('?');
                last = p.end();
            }
            return out.append(sql, last, sql.length()).toString();
        }

        /** What SQLite's write transactions ({@code BEGIN IMMEDIATE|EXCLUSIVE}) become: one snapshot for the whole transaction. */
        static final String BEGIN_WRITE = "BEGIN ISOLATION LEVEL REPEATABLE READ";
        /** What libSQL's {@code BEGIN TRANSACTION READONLY} becomes: one snapshot, no writes (never a serialization failure). */
        static final String BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

        /**
         * SQLite's {@code BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION]} and libSQL's {@code READONLY}.
         * On SQLite every statement of a transaction reads the same snapshot (WAL), however many writers commit
         * meanwhile; PostgreSQL's default READ COMMITTED takes a new one per statement. So a write transaction
         * ({@code IMMEDIATE}, {@code EXCLUSIVE}: what {@code @libsql/client}'s write batches and
         * {@code transaction("write")} send) and a read-only one run at REPEATABLE READ. A write that would
         * overwrite a row another transaction changed since the snapshot fails with SQLSTATE 40001, answered as
         * {@code SQLITE_BUSY} (retry the transaction), as SQLite answers a stale snapshot's write. With the
         * {@link #TAKE_WRITER_LOCK writer lock} on, write transactions run one at a time as on SQLite and only a
         * writer outside that lock (an autocommit statement, a {@code BEGIN DEFERRED} transaction, another
         * program) can make one fail so. {@code BEGIN} and {@code BEGIN DEFERRED} keep the server's default level.
         */
        static String rewriteBegin(String sql) {
            SqlScanner.Lexer lx = new SqlScanner.Lexer(sql, SqlScanner.Syntax.POSTGRESQL);
            if (!"BEGIN".equals(word(lx))) {
                return sql; // START TRANSACTION ...
            }
            int end = lx.pos;
            String w = word(lx);
            String begin = "BEGIN";
            if ("DEFERRED".equals(w) || "IMMEDIATE".equals(w) || "EXCLUSIVE".equals(w)) {
                if (!"DEFERRED".equals(w)) {
                    begin = BEGIN_WRITE;
                }
                end = lx.pos;
                w = word(lx);
            }
            if ("TRANSACTION".equals(w)) {
                end = lx.pos;
                w = word(lx);
            }
            if ("READONLY".equals(w)) {
                return BEGIN_READ + sql.substring(lx.pos);
            }
            return begin + sql.substring(end);
        }

        /** {@code END [TRANSACTION]} → {@code COMMIT [TRANSACTION]}. */
        static String rewriteEnd(String sql) {
            SqlScanner.Lexer lx = new SqlScanner.Lexer(sql, SqlScanner.Syntax.POSTGRESQL);
            return "END".equals(word(lx)) ? "COMMIT" + sql.substring(lx.pos) : sql;
        }

        /** {@code COMMIT|END [WORK|TRANSACTION] [AND [NO] CHAIN]} with its first word replaced. */
        static String replaceFirstWord(String sql, String word) {
            SqlScanner.Lexer lx = new SqlScanner.Lexer(sql, SqlScanner.Syntax.POSTGRESQL);
            return word(lx) != null ? word + sql.substring(lx.pos) : sql;
        }

        /** The next token in upper case when it is a word, else null. */
        private static String word(SqlScanner.Lexer lx) {
            return lx.next() == SqlScanner.Lexer.WORD ? lx.text().toUpperCase(Locale.ROOT) : null;
        }

        // ---- binding ----------------------------------------------------------------------------

        @Override
        protected boolean bindAndExecute(PreparedStatement ps, ScannedStatement st, Object[] slots) throws SQLException {
            List<ScannedStatement.Param> params = st.params();
            boolean[] asText = new boolean[params.size()];
            while (true) {
                bindOccurrences(ps, params, slots, asText);
                boolean autosave = statementGuarded && autosaved;
                if (autosave) {
                    pg.setAutosave(AutoSave.ALWAYS);
                }
                try {
                    boolean hasRows = ps.execute();
                    if (resetInFront > 0) {
                        // the first results are the reset's: it ran (the server stops at the first error), then the statement
                        resetOwed = false;
                        for (int i = 0; i < resetInFront; i++) {
                            hasRows = ps.getMoreResults();
                        }
                    }
                    executed = true;
                    returnedRows = hasRows;
                    return hasRows;
                } catch (SQLException e) {
                    if (!retryAsText(e, params, slots, asText)) {
                        throw e;
                    }
                    parseKey = null; // it parses only with an argument retyped: never unguarded
                    // pgjdbc has rolled back to its savepoint already, unless it set none; either way the
                    // savepoint is still there (ROLLBACK TO keeps it), and with autosave the retry sets another
                    restoreIfAborted();
                    if (autosave) {
                        piled++;
                    }
                } finally {
                    if (autosave) {
                        pg.setAutosave(AutoSave.NEVER);
                    }
                }
            }
        }

        /** Each occurrence of a parameter in the text is a parameter of its own on PostgreSQL ({@code $n}). */
        @Override
        protected void bindArguments(PreparedStatement ps, ScannedStatement st, Object[] slots) throws SQLException {
            bindOccurrences(ps, st.params(), slots, new boolean[st.params().size()]);
        }

        private void bindOccurrences(PreparedStatement ps, List<ScannedStatement.Param> params, Object[] slots, boolean[] asText)
                throws SQLException {
            for (int i = 0; i < params.size(); i++) {
                Object value = slots[params.get(i).index() - 1];
                if (asText[i]) {
                    ps.setString(i + 1, (String) value);
                } else {
                    bind(ps, i + 1, value);
                }
            }
        }

        /**
         * An untyped parameter PostgreSQL cannot type from its context ({@code ? IS NULL}) fails with
         * 42P18; that occurrence is then sent as text, which is what SQLite would compare it as. True
         * when there is such an occurrence left to retype.
         */
        private static boolean retryAsText(SQLException e, List<ScannedStatement.Param> params, Object[] slots, boolean[] asText) {
            int n = indeterminateParameter(e);
            if (n < 1 || n > params.size() || asText[n - 1]) {
                return false;
            }
            Object value = slots == null ? null : slots[params.get(n - 1).index() - 1];
            if (value != null && !(value instanceof String)) {
                return false;
            }
            asText[n - 1] = true;
            return true;
        }

        /** The 1-based JDBC parameter of a 42P18 "could not determine data type of parameter $n", or 0. */
        private static int indeterminateParameter(SQLException e) {
            ServerErrorMessage m = e instanceof PSQLException pe ? pe.getServerErrorMessage() : null;
            if (m == null || !"42P18".equals(m.getSQLState()) || m.getMessage() == null) {
                return 0;
            }
            Matcher matcher = PARAMETER_NUMBER.matcher(m.getMessage());
            if (!matcher.find()) {
                return 0;
            }
            try {
                return Integer.parseInt(matcher.group(1));
            } catch (NumberFormatException ex) {
                return 0;
            }
        }

        @Override
        protected void bind(PreparedStatement ps, int index, Object value) throws SQLException {
            if (value instanceof String s) {
                // untyped, like stringtype=unspecified: PostgreSQL reads it as a literal of the type the
                // context needs (uuid, json, date, numeric...) and as text where nothing says otherwise
                ps.setObject(index, s, Types.OTHER);
            } else {
                super.bind(ps, index, value); // null untyped too; Long int8, Double float8, byte[] bytea
            }
        }

        // ---- transactions ---------------------------------------------------------------------

        @Override
        protected void beforeStatement(ScannedStatement st, Object[] slots, FailureAfterwards afterwards) throws StatementException {
            rowsRead = 0;
            statementGuarded = false;
            statementUnguarded = false;
            StatementKind kind = st.kind();
            TransactionState state = pg.getTransactionState();
            if (state == TransactionState.IDLE) {
                clientTransaction = false;
            }
            ensureOneStatement(rewrite(st));
            parseKey = parseKey(st, slots);
            try {
                if (kind.isBegin() && state != TransactionState.IDLE) {
                    // PostgreSQL only warns; SQLite refuses, and silently merging two transactions would hide a client bug
                    throw new StatementException("SQLITE_ERROR", "cannot start a transaction within a transaction");
                }
                if (kind == StatementKind.COMMIT) {
                    if (state == TransactionState.IDLE) {
                        // PostgreSQL only warns; a client committing work that is not there must hear about it
                        throw new StatementException("SQLITE_ERROR", "cannot commit - no transaction is active");
                    }
                    if (state == TransactionState.FAILED) {
                        // PostgreSQL would answer COMMIT with a silent rollback
                        forgetSavepoints();
                        run("ROLLBACK");
                        throw new StatementException("SQLITE_ERROR",
                                "the transaction was aborted by an earlier error and has been rolled back (SQLSTATE 25P02)");
                    }
                }
                if (writeLock && kind == StatementKind.BEGIN_WRITE && state == TransactionState.IDLE) {
                    takeWriterLock();
                }
                if (state != TransactionState.OPEN) {
                    return;
                }
                if (isTransactionControl(kind)) {
                    if (kind == StatementKind.SAVEPOINT_CONTROL) {
                        // a client's savepoint must not be inside our anchor, or releasing the anchor would release
                        // it; and the anchor must not be inside one a client releases or rolls back to
                        if (anchorHeld) {
                            run("RELEASE SAVEPOINT " + ANCHOR);
                        }
                        forgetSavepoints(); // statement savepoints outside the anchor stay, untouched, below the client's
                    }
                    return;
                }
                if (mayGoUnguarded(st) && afterwards.onlyRollbackFollows()) {
                    statementUnguarded = true;
                    return;
                }
                guard(false);
                statementGuarded = true;
            } catch (SQLException e) {
                throw translate(e);
            }
        }

        /**
         * Guards the next statement (the transaction is open): the anchor first when the pile is due, then the
         * statement's own savepoint, by pgjdbc in the statement's round trip or, where pgjdbc would set none
         * (and always for a describe: {@code forDescribe}), by Sluice now.
         */
        private void guard(boolean forDescribe) throws SQLException {
            if (piled >= RELEASE_EVERY) {
                run(anchorHeld ? "RELEASE SAVEPOINT " + ANCHOR + "; SAVEPOINT " + ANCHOR : "SAVEPOINT " + ANCHOR);
                anchorHeld = true;
                piled = 0;
            }
            autosaved = !forDescribe && isAutosaved(nativeSql);
            if (!autosaved) {
                run("SAVEPOINT " + SAVEPOINT);
            }
            piled++;
        }

        /**
         * Whether the statement about to run in the open transaction may run without its savepoint when nothing
         * but a rollback would follow its failure: not in a read-only session (there the savepoint also keeps
         * the transaction from being made writable), and not when its parse may fail with 42P18 (an untyped
         * argument the server cannot type), which Sluice retries under the savepoint: the text with the same
         * untyped arguments must have been parsed in this transaction already. A statement that then fails
         * leaves the transaction aborted, as PostgreSQL does: later statements fail and its COMMIT is refused
         * and rolled back, so no work is committed that the client did not see succeed.
         */
        private boolean mayGoUnguarded(ScannedStatement st) {
            return !readOnly && st.kind() != StatementKind.OTHER && (parseKey == null || parsedInTransaction.contains(parseKey));
        }

        /** The statement text with the positions of its arguments sent untyped (text and null), or null when there are none. */
        private String parseKey(ScannedStatement st, Object[] slots) {
            List<ScannedStatement.Param> params = st.params();
            StringBuilder untyped = null;
            for (int i = 0; i < params.size(); i++) {
                Object value = slots == null ? null : slots[params.get(i).index() - 1];
                if (value == null || value instanceof String) {
                    if (untyped == null) {
                        untyped = new StringBuilder(nativeSql.length() + 8);
                    }
                    untyped.append(i).append(',');
                }
            }
            return untyped == null ? null : untyped.append('\n').append(nativeSql).toString();
        }

        /** Whether pgjdbc's autosave sets a savepoint before this statement text (see {@link #NOT_AUTOSAVED_PREFIXES}). */
        static boolean isAutosaved(String nativeSql) {
            if (nativeSql.equalsIgnoreCase("COMMIT")) {
                return false;
            }
            for (String prefix : NOT_AUTOSAVED_PREFIXES) {
                if (nativeSql.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    return false;
                }
            }
            return true;
        }

        /** Savepoints are gone with their transaction, or left alone from here on. */
        private void forgetSavepoints() {
            anchorHeld = false;
            piled = 0;
        }

        @Override
        protected void afterStatement(ScannedStatement st, boolean succeeded) throws StatementException {
            boolean guarded = statementGuarded;
            boolean unguarded = statementUnguarded;
            boolean ran = executed;
            statementGuarded = false;
            statementUnguarded = false;
            executed = false;
            if (!succeeded && guarded) {
                undoStatement(ran);
            }
            if (!succeeded && unguarded && ran) {
                abortTransaction();
            }
            rememberParse(st.kind(), succeeded || ran);
            if (readOnly) {
                afterReadOnlyStatement(st.kind());
            }
            StatementKind kind = st.kind();
            if (pg.getTransactionState() == TransactionState.IDLE || kind == StatementKind.COMMIT || kind == StatementKind.ROLLBACK) {
                // committed, rolled back, or ended by the statement (PREPARE TRANSACTION); AND CHAIN opens a new
                // transaction without the old one's savepoints
                forgetSavepoints();
            }
            if (pg.getTransactionState() == TransactionState.IDLE) {
                // the write transaction ended (or its BEGIN failed): the next writer may take its snapshot
                try {
                    dropWriterLock();
                } catch (SQLException e) {
                    throw translate(e);
                }
            }
        }

        /**
         * Waits for the writer lock, as SQLite's {@code BEGIN IMMEDIATE} waits for the database's: in the
         * statement's place, so the statement timeout and an operator's cancel stop the wait.
         */
        private void takeWriterLock() throws SQLException, StatementException {
            payResetOwed();
            RunningStatement watched = running;
            try (PreparedStatement ps = connection.prepareStatement(TAKE_WRITER_LOCK)) {
                if (watched != null) {
                    watched.attach(ps);
                }
                ps.execute();
            } catch (SQLException e) {
                if (watched != null && watched.reason() != null) {
                    throw watched.error();
                }
                throw e;
            } finally {
                if (watched != null) {
                    watched.attach(null);
                }
            }
            writerLockHeld = true;
        }

        private void dropWriterLock() throws SQLException {
            if (writerLockHeld) {
                writerLockHeld = false;
                run(DROP_WRITER_LOCK);
            }
        }

        /**
         * A read-only session after a statement: a transaction that is not the client's is rolled back; one the
         * statement opened for the client ({@code BEGIN}, {@code ROLLBACK AND CHAIN}) is pinned read only.
         */
        private void afterReadOnlyStatement(StatementKind kind) throws StatementException {
            try {
                if (pg.getTransactionState() == TransactionState.IDLE) {
                    clientTransaction = false;
                    return;
                }
                boolean opensOne = kind.isBegin() || kind == StatementKind.COMMIT || kind == StatementKind.ROLLBACK;
                if (clientTransaction && !opensOne) {
                    return;
                }
                if (opensOne && pg.getTransactionState() == TransactionState.OPEN) {
                    run(PIN_READ_ONLY);
                    clientTransaction = true;
                    forgetSavepoints();
                } else {
                    forgetSavepoints();
                    clientTransaction = false;
                    connection.rollback();
                }
            } catch (SQLException e) {
                throw translate(e);
            }
        }

        /**
         * Keeps {@link #parsedInTransaction} true: adds the statement's {@link #parseKey} once the server parsed
         * it, and forgets everything when the transaction ended or the statement may have changed what a parse
         * depends on (the schema, the search path).
         */
        private void rememberParse(StatementKind kind, boolean parsed) {
            boolean mayChangeParsing = !(kind == StatementKind.READ || kind == StatementKind.INSERT || kind == StatementKind.WRITE
                    || kind == StatementKind.EXPLAIN);
            if (mayChangeParsing || pg.getTransactionState() == TransactionState.IDLE) {
                parsedInTransaction.clear();
                rowlessInTransaction.clear();
            } else if (parsed) {
                if (parseKey != null && parsedInTransaction.size() < PARSES_REMEMBERED) {
                    parsedInTransaction.add(parseKey);
                }
                if (!returnedRows && rowlessInTransaction.size() < PARSES_REMEMBERED) {
                    rowlessInTransaction.add(nativeSql);
                }
            }
            parseKey = null;
            returnedRows = false;
        }

        /**
         * An unguarded statement failed after the server ran it (its result did not fit the response, or it was
         * stopped while its rows were read): its effects are in the transaction, which has no savepoint to undo
         * them. Aborting the transaction keeps them from being committed; its COMMIT is then refused.
         */
        private void abortTransaction() {
            if (pg.getTransactionState() != TransactionState.OPEN) {
                return;
            }
            try {
                run(ABORT_TRANSACTION);
            } catch (SQLException expected) {
                LOG.debugf("aborted the transaction of a statement that failed after it ran, SQLState %s", expected.getSQLState());
            }
        }

        /**
         * Undoes a guarded statement that failed; never throws, so the statement's own error is what the client
         * sees. A statement whose execution returned ({@code ran}: it failed afterwards, e.g. its result did not
         * fit the response) has its effects in and its savepoint newest: roll back to it. One the server failed
         * has been rolled back to its savepoint by pgjdbc already, unless pgjdbc set none (the transaction is
         * then still aborted); one that failed before reaching the server changed nothing.
         */
        private void undoStatement(boolean ran) {
            TransactionState state = pg.getTransactionState();
            if (state == TransactionState.IDLE || !(ran || state == TransactionState.FAILED)) {
                return;
            }
            try {
                run("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
            } catch (SQLException e) {
                forgetSavepoints();
                LOG.debugf("rolling back to the statement savepoint failed, SQLState %s", e.getSQLState());
            }
        }

        /** After a failed attempt: back to the statement's savepoint when the attempt left the transaction aborted. */
        private void restoreIfAborted() throws SQLException {
            if (statementGuarded && pg.getTransactionState() == TransactionState.FAILED) {
                run("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
            }
        }

        private static boolean isTransactionControl(StatementKind kind) {
            return kind.isBegin() || kind == StatementKind.COMMIT || kind == StatementKind.ROLLBACK
                    || kind == StatementKind.SAVEPOINT_CONTROL;
        }

        private void run(String sql) throws SQLException {
            payResetOwed();
            try (Statement s = connection.createStatement()) {
                s.execute(sql);
            }
        }

        // ---- results ----------------------------------------------------------------------------

        @Override
        protected List<Column> columns(PreparedStatement ps, ResultSetMetaData md, int n) throws SQLException {
            ResultSet rs = ps.getResultSet();
            if (rs == null) {
                return super.columns(ps, md, n);
            }
            PgResultSet pgrs = rs.unwrap(PgResultSet.class);
            List<Column> cols = new ArrayList<>(n);
            for (int c = 1; c <= n; c++) {
                cols.add(new Column(md.getColumnLabel(c), typeName(pgrs.getColumnOID(c))));
            }
            return cols;
        }

        private String typeName(int oid) throws SQLException {
            if (oid == Oid.UNSPECIFIED) {
                return null;
            }
            String name = pg.getTypeInfo().getPGType(oid);
            return name == null || name.equals("unknown") ? null : name;
        }

        /** For describe, where there is no result set to take type ids from. */
        @Override
        protected String declType(PreparedStatement ps, ResultSetMetaData md, int column) throws SQLException {
            String name = md.getColumnTypeName(column);
            if (name == null || name.equals("unknown")) {
                return null;
            }
            // pgjdbc reports a column with a sequence default as serial; the type is the integer
            return switch (name) {
                case "serial" -> "int4";
                case "bigserial" -> "int8";
                case "smallserial" -> "int2";
                default -> name;
            };
        }

        @Override
        protected RowReader rowReader(PreparedStatement ps, ResultSet rs, int columns) throws SQLException {
            PgResultSet pgrs = rs.unwrap(PgResultSet.class);
            int[] oids = new int[columns];
            for (int c = 0; c < columns; c++) {
                oids[c] = pgrs.getColumnOID(c + 1);
            }
            // pgjdbc has the whole row (at most maxResultBuffer bytes) when this runs; what is checked here
            // is the Java value made of it, one value at a time, before the next one is made
            return allowed -> {
                rowsRead++;
                Object[] row = new Object[columns];
                if (allowed < 0) {
                    return row;
                }
                long size = 0;
                for (int c = 0; c < columns; c++) {
                    row[c] = value(rs, c + 1, oids[c]);
                    size += ResponseBudget.encodedSize(row[c]);
                    if (size > allowed) {
                        return null;
                    }
                }
                return row;
            };
        }

        static Object value(ResultSet rs, int c, int oid) throws SQLException {
            switch (oid) {
                case Oid.INT2, Oid.INT4, Oid.INT8: {
                    long v = rs.getLong(c);
                    return rs.wasNull() ? null : v;
                }
                case Oid.OID: {
                    String s = rs.getString(c); // unsigned 32-bit
                    return s == null ? null : Long.parseLong(s);
                }
                case Oid.FLOAT8: {
                    double v = rs.getDouble(c);
                    return rs.wasNull() ? null : v;
                }
                case Oid.FLOAT4: {
                    float v = rs.getFloat(c);
                    return rs.wasNull() ? null : Double.parseDouble(Float.toString(v));
                }
                case Oid.BOOL: {
                    boolean v = rs.getBoolean(c);
                    return rs.wasNull() ? null : v ? 1L : 0L;
                }
                case Oid.NUMERIC:
                    return numeric(rs.getString(c));
                case Oid.BYTEA:
                    return rs.getBytes(c);
                default:
                    return rs.getString(c);
            }
        }

        /** A whole numeric that fits 64 bits as an integer, any other as its exact text (NaN and infinities included). */
        static Object numeric(String text) {
            if (text == null) {
                return null;
            }
            BigDecimal d;
            try {
                d = new BigDecimal(text);
            } catch (NumberFormatException e) {
                return text;
            }
            if (d.signum() == 0) {
                return 0L;
            }
            BigDecimal whole = d.stripTrailingZeros();
            if (whole.scale() > 0 || whole.precision() - whole.scale() > 19) {
                return text;
            }
            try {
                return whole.longValueExact();
            } catch (ArithmeticException e) {
                return text;
            }
        }

        @Override
        protected long changes(PreparedStatement ps) throws SQLException {
            // with RETURNING pgjdbc keeps no update count; every returned row is a row the statement touched
            long count = ps.getLargeUpdateCount();
            return count >= 0 ? count : rowsRead;
        }

        @Override
        protected Long lastInsertRowid() {
            return null; // PostgreSQL rows have no rowid; clients use RETURNING
        }

        // ---- describe -----------------------------------------------------------------------------

        @Override
        public DescribeResult describe(ScannedStatement st) throws StatementException {
            if (st.kind() == StatementKind.PRAGMA) {
                return new DescribeResult(st.paramNames(), List.of(), false, true);
            }
            authorize(st);
            markUsed();
            try {
                payResetOwed();
            } catch (SQLException e) {
                throw translate(e);
            }
            if (pg.getTransactionState() == TransactionState.IDLE) {
                clientTransaction = false;
            }
            ensureOneStatement(rewrite(st));
            boolean guarded = pg.getTransactionState() == TransactionState.OPEN;
            boolean ok = false;
            try {
                if (guarded) {
                    // a statement that does not parse would otherwise abort the open transaction
                    guard(true);
                    statementGuarded = true;
                }
                List<Column> cols;
                try (PreparedStatement ps = connection.prepareStatement(rewrite(st))) {
                    cols = describeColumns(ps, st, guarded);
                }
                ok = true;
                return new DescribeResult(st.paramNames(), cols, st.kind() == StatementKind.EXPLAIN, st.kind().isReadOnly());
            } catch (SQLException e) {
                throw translate(e);
            } finally {
                if (guarded && !ok) {
                    undoStatement(false);
                }
                statementGuarded = false;
                if (readOnly && !clientTransaction && pg.getTransactionState() != TransactionState.IDLE) {
                    try {
                        connection.rollback();
                    } catch (SQLException e) {
                        LOG.debugf("ending a read-only describe's transaction failed, SQLState %s", e.getSQLState());
                    }
                }
            }
        }

        private List<Column> describeColumns(PreparedStatement ps, ScannedStatement st, boolean guarded) throws SQLException {
            List<ScannedStatement.Param> params = st.params();
            boolean[] asText = new boolean[params.size()];
            while (true) {
                try {
                    return describeColumns(ps);
                } catch (SQLException e) {
                    if (!retryAsText(e, params, null, asText)) {
                        throw e;
                    }
                    for (int i = 0; i < asText.length; i++) {
                        if (asText[i]) {
                            ps.setNull(i + 1, Types.VARCHAR);
                        }
                    }
                    restoreIfAborted();
                }
            }
        }

        // ---- errors -------------------------------------------------------------------------------

        /**
         * PostgreSQL's primary message with its SQLState appended, under the closest SQLite code.
         * Failures the driver raises itself (a lost connection, a protocol problem) carry no server
         * message and may name hosts or users in their text: they become {@link SqlErrors#connectionFailure}.
         */
        @Override
        protected StatementException translate(SQLException e) {
            if (isResultBufferExceeded(e)) {
                // the driver stopped reading mid-result and closed the connection: the statement's fault, not
                // the database's, so it must not count against the breaker; the connection is never reused
                discardWhenReleased();
                resultRefused = true;
                return new StatementException(ErrorCode.RESPONSE_TOO_LARGE,
                        "Response is too large: the result exceeds the response limit");
            }
            ServerErrorMessage m = e instanceof PSQLException pe ? pe.getServerErrorMessage() : null;
            String state = m != null && m.getSQLState() != null ? m.getSQLState() : e.getSQLState();
            String code = codeFor(state);
            if (code == null) {
                return SqlErrors.connectionFailure(e);
            }
            if (m == null || m.getMessage() == null) {
                return new StatementException(code, "The PostgreSQL driver refused the statement (SQLSTATE " + state + ")");
            }
            return new StatementException(code, m.getMessage() + " (SQLSTATE " + state + ")");
        }

        /**
         * pgjdbc's refusal of a result larger than {@code maxResultBuffer}: SQLState 08S01 and no server
         * message, told apart from a real communication failure by the property's name in its text.
         */
        static boolean isResultBufferExceeded(SQLException e) {
            return e instanceof PSQLException pe && pe.getServerErrorMessage() == null && "08S01".equals(e.getSQLState())
                    && String.valueOf(e.getMessage()).contains("maxResultBuffer");
        }

        /**
         * The Hrana code for an SQLState, or null for a failure of the connection rather than of the
         * statement. Data exceptions (class 22: bad input syntax for a type, out of range, too long for
         * the column, division by zero) become {@code SQLITE_MISMATCH}: nearly all of them are a value
         * that does not fit its type, which clients can tell from a generic {@code SQLITE_ERROR}.
         */
        static String codeFor(String state) {
            if (state == null || state.length() != 5) {
                return null;
            }
            switch (state) {
                case "42601":
                    return ErrorCode.SQL_PARSE_ERROR;
                case "42501":
                    return "SQLITE_AUTH";
                case "25006":
                    return ErrorCode.READONLY;
                case "40001", "40P01", "55P03":
                    return "SQLITE_BUSY";
                case "40002":
                    return "SQLITE_CONSTRAINT";
                case "57014":
                    return "SQLITE_INTERRUPT";
                case "53100":
                    return "SQLITE_FULL";
                case "53200":
                    return "SQLITE_NOMEM";
                case "XX001", "XX002":
                    return "SQLITE_CORRUPT";
                default:
                    break;
            }
            return switch (state.substring(0, 2)) {
                case "23" -> "SQLITE_CONSTRAINT";
                case "22" -> "SQLITE_MISMATCH";
                case "54" -> "SQLITE_TOOBIG";
                case "58" -> "SQLITE_IOERR";
                case "XX" -> "SQLITE_INTERNAL";
                case "08", "28", "57" -> null; // connection lost or refused, server shutting down
                default -> "SQLITE_ERROR";
            };
        }
    }
}
