package io.sluice.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteLimits;
import org.sqlite.core.CoreResultSet;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * The embedded SQLite backend (sqlite-jdbc). Statements run as written, except libSQL's {@code BEGIN TRANSACTION READONLY}.
 *
 * <p><b>What the engine enforces.</b> Every connection is initialised by {@link #initConnection} before
 * first use: {@code SQLITE_LIMIT_ATTACHED} is 0, so SQLite itself refuses {@code ATTACH} and
 * {@code VACUUM [INTO]} (VACUUM attaches its target internally) whatever the statement text looks like, and
 * extension loading is off. A read-only token's session runs on a connection opened with
 * {@code SQLITE_OPEN_READONLY}, which cannot change the database file whatever it runs; {@link #open} refuses
 * any other connection for such a session. PRAGMAs are checked by {@link SqlitePragmas} before they are
 * prepared.
 *
 * <p><b>Back to the pool.</b> When a connection is initialised, one query records its TEMP schema and
 * per-connection settings ({@link SqlitePragmas#baselineQuery()}); when a stream ends, the same query must
 * give the same answer, or the connection is discarded. So a TEMP table, view or trigger (which would shadow
 * a main table for the next stream) or a changed setting never reaches another stream.
 */
public final class SqliteDialect implements Dialect {
    private static final int SQLITE_INTEGER = 1;
    private static final int SQLITE_FLOAT = 2;
    private static final int SQLITE_TEXT = 3;
    private static final int SQLITE_BLOB = 4;
    /** Virtual-machine steps between two progress-handler calls: microseconds of work, a few calls per ms. */
    static final int PROGRESS_STEPS = 1000;
    /** Reads nothing, but running it makes SQLite check its cached schema against the database's schema cookie. */
    static final String REFRESH_SCHEMA = "SELECT 1 FROM main.sqlite_schema LIMIT 0";

    /** Admits this database's writers one at a time in arrival order; null = writers poll SQLite's lock. */
    private final WriteLane lane;

    /** A dialect whose writers poll SQLite's lock (busy timeout) rather than wait in a write lane. */
    public SqliteDialect() {
        this(null);
    }

    /** @param lane the database's write lane, or null to let writers poll SQLite's lock (busy timeout) */
    public SqliteDialect(WriteLane lane) {
        this.lane = lane;
    }

    /** The write lane read-write sessions enter before they write, or null. */
    public WriteLane writeLane() {
        return lane;
    }

    /** Each initialised connection's baseline state, by its driver connection, until {@link #forgetConnection}. */
    private final Map<SQLiteConnection, Baseline> baselines = new ConcurrentHashMap<>();

    /**
     * A connection's state as it was opened, and the prepared query that reads it again (prepared once per
     * connection on the driver's own connection, so no pool closes it between streams: preparing it anew
     * would cost five times as much as running it).
     */
    record Baseline(String expected, PreparedStatement check) {
        boolean holds() throws SQLException {
            return expected.equals(read(check));
        }

        static String read(PreparedStatement check) throws SQLException {
            try (ResultSet rs = check.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public void initConnection(Connection connection) throws SQLException {
        SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
        DB db = sqlite.getDatabase();
        db.limit(SQLiteLimits.SQLITE_LIMIT_ATTACHED.getId(), 0);
        db.enable_load_extension(false);
        if (db.limit(SQLiteLimits.SQLITE_LIMIT_ATTACHED.getId(), -1) != 0) {
            throw new SQLException("SQLite refused to disable attached databases on this connection", "HY000");
        }
        PreparedStatement check = sqlite.prepareStatement(SqlitePragmas.baselineQuery());
        Baseline previous = baselines.put(sqlite, new Baseline(Baseline.read(check), check));
        if (previous != null) {
            previous.check().close();
        }
    }

    @Override
    public void forgetConnection(Connection connection) {
        try {
            Baseline b = baselines.remove(connection.unwrap(SQLiteConnection.class));
            if (b != null) {
                b.check().close();
            }
        } catch (SQLException e) {
            // a connection that cannot be unwrapped or a statement that cannot close has nothing left to release
        }
    }

    @Override
    public SqlSession open(Connection connection, boolean readOnly) throws StatementException {
        Baseline baseline;
        try {
            if (readOnly && !connection.isReadOnly()) {
                // fail closed: query_only can be switched off by the client, the open flag cannot
                throw new StatementException(ErrorCode.INTERNAL, "A read-only session needs a connection opened read-only");
            }
            SQLiteConnection sqlite = connection.unwrap(SQLiteConnection.class);
            baseline = baselines.get(sqlite);
            if (baseline == null) {
                initConnection(connection);
                baseline = baselines.get(sqlite);
            }
        } catch (SQLException e) {
            throw SqlErrors.connectionFailure(e);
        }
        // a read-only connection cannot write: its sessions never wait in the lane
        return new SqliteSession(connection, readOnly, baseline, readOnly ? null : lane);
    }

    static final class SqliteSession extends SqlSession {
        /** Whether a transaction is open: TRUE, FALSE, or null when a failure made it unknown. */
        private Boolean inTransaction = Boolean.FALSE;
        /** Set while a {@code BEGIN TRANSACTION READONLY} transaction runs with {@code query_only} on. */
        private boolean readOnlyTransaction;
        private boolean queryOnly;
        private final Baseline baseline;
        /** The database's write lane, or null when this session's writers poll SQLite's lock. */
        private final WriteLane lane;
        /** Whether this session holds the lane: from its first write until its transaction ends. */
        private boolean inLane;
        /** The thread waiting in the lane for this session, so that a stop can interrupt the wait; guarded by itself. */
        private final Thread[] laneWaiter = new Thread[1];

        SqliteSession(Connection connection, boolean readOnly, Baseline baseline, WriteLane lane) {
            super(connection, readOnly);
            this.baseline = baseline;
            this.lane = lane;
        }

        /**
         * Takes this session's turn in the write lane before a statement that may write, unless it already
         * holds it. A deferred transaction enters at its first write (where SQLite would take its write lock),
         * so a session holding a read snapshot never holds the lane while it waits for anything but SQLite.
         */
        @Override
        protected void beforeStatement(ScannedStatement st, Object[] slots, FailureAfterwards afterwards) throws StatementException {
            if (lane != null && !inLane && !readOnlyTransaction && needsWriteLock(st)) {
                enterLane();
            }
        }

        private boolean needsWriteLock(ScannedStatement st) {
            StatementKind kind = st.kind();
            if (kind == StatementKind.BEGIN_WRITE) {
                return inTransaction != Boolean.TRUE; // a BEGIN inside a transaction only fails
            }
            if (kind == StatementKind.PRAGMA) {
                return SqlitePragmas.mayWrite(st.sql());
            }
            return !kind.isReadOnly();
        }

        private void enterLane() throws StatementException {
            synchronized (laneWaiter) {
                laneWaiter[0] = Thread.currentThread();
            }
            boolean admitted = false;
            boolean interrupted = false;
            try {
                admitted = lane.enter(this);
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                synchronized (laneWaiter) {
                    laneWaiter[0] = null;
                }
                // no interrupt can come after the waiter is cleared; one that came after admission is spent here
                interrupted |= Thread.interrupted();
            }
            if (admitted) {
                inLane = true;
                return;
            }
            RunningStatement r = running;
            if (interrupted && r != null && r.reason() != null) {
                throw r.error();
            }
            if (interrupted) {
                throw new StatementException(ErrorCode.STATEMENT_CANCELED, "The statement was stopped while it waited for the write lock");
            }
            throw new StatementException("SQLITE_BUSY", "database is locked: waited " + lane.waitLimit().toMillis()
                    + " ms for the write lock behind other writers (sluice.sqlite.write-wait); retry the transaction");
        }

        /** Lets the next writer in once this session's transaction has ended. */
        private void leaveLaneIfTransactionEnded() {
            if (!inLane) {
                return;
            }
            try {
                if (isAutocommit()) {
                    leaveLane();
                }
            } catch (StatementException e) {
                // the state is unknown: the lane is kept until the session ends (rollbackIfOpen)
            }
        }

        private void leaveLane() {
            if (inLane) {
                inLane = false;
                lane.leave(this);
            }
        }

        @Override
        protected void authorize(ScannedStatement st) throws StatementException {
            // the scanner classified these by a first word that is neither PRAGMA nor EXPLAIN (SELECT, VALUES, WITH,
            // INSERT, UPDATE…): no PRAGMA to read, and a read repeated thousands of times a second is not lexed again
            if (st.kind() != StatementKind.READ && st.kind() != StatementKind.INSERT && st.kind() != StatementKind.WRITE) {
                SqlitePragmas.check(st.sql(), readOnly);
            }
        }

        @Override
        protected boolean resetSessionState(boolean used) throws SQLException {
            return !used || baseline.holds();
        }

        /**
         * One progress handler per connection serves the statement timeout and every cancel: every
         * {@value #PROGRESS_STEPS} virtual-machine steps it asks the running statement whether it must
         * stop, and SQLite then fails it with {@code SQLITE_INTERRUPT}. Unlike {@code sqlite3_interrupt},
         * it can only ever stop the statement it was asked about, never the next one on the connection.
         */
        @Override
        protected void onGoverned() throws SQLException {
            ProgressHandler.setHandler(connection.unwrap(SQLiteConnection.class), PROGRESS_STEPS, new ProgressHandler() {
                @Override
                protected int progress() {
                    RunningStatement r = running;
                    return r != null && r.mustStop(System.nanoTime()) ? 1 : 0;
                }
            });
        }

        /**
         * Only a compile error can come from a stale schema: SQLite reads its cached copy without checking the
         * schema cookie while it prepares, and retries on its own only for some errors ("no such table"),
         * not for others ("table t has 2 columns but 1 values were supplied"). A syntax error never depends on
         * the schema.
         */
        @Override
        protected boolean mayBeStaleSchema(SQLException failure) {
            if (!(failure instanceof SQLiteException se)) {
                return false;
            }
            int primary = se.getResultCode().code & 0xff;
            return primary == SQLiteErrorCode.SQLITE_SCHEMA.code
                    || (primary == SQLiteErrorCode.SQLITE_ERROR.code && !isSyntaxError(sqliteDetail(se.getMessage())));
        }

        /**
         * Runs a statement that reads the schema table: when it runs, SQLite compares the schema cookie it
         * compiled with against the database's and, if another connection changed the schema, drops its
         * cached copy and reads the schema again. ({@code PRAGMA schema_version} would not: it reads the cookie
         * without checking it.)
         */
        @Override
        protected boolean refreshSchema() throws SQLException {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(REFRESH_SCHEMA)) {
                rs.next();
            }
            return true;
        }

        /**
         * The progress handler sees the stop at its next call; a statement still waiting in the write lane is
         * woken up (only while it waits there: the waiter is cleared under the same lock before it runs).
         */
        @Override
        protected void interrupt(RunningStatement r) {
            synchronized (laneWaiter) {
                if (laneWaiter[0] != null && running == r) {
                    laneWaiter[0].interrupt();
                }
            }
        }

        @Override
        protected String rewrite(ScannedStatement st) {
            return st.kind() == StatementKind.BEGIN_READONLY ? "BEGIN DEFERRED" : st.sql();
        }

        @Override
        protected RowReader rowReader(PreparedStatement ps, ResultSet rs, int columns) throws SQLException {
            // read storage classes natively: the JDBC getters guess types from declarations and lose
            // the difference between a zero-length blob and NULL. sqlite-jdbc cannot ask a value's size
            // before copying it (no sqlite3_column_bytes), so each value is checked right after it is read:
            // SQLite's length limit (set from the response limit on every connection) bounds that one value
            CoreStatement core = ps.unwrap(CoreStatement.class);
            return allowed -> allowed < 0 ? new Object[columns] : core.pointer.safeRun((db, ptr) -> {
                Object[] row = new Object[columns];
                long size = 0;
                for (int c = 0; c < columns && size <= allowed; c++) {
                    row[c] = switch (db.column_type(ptr, c)) {
                        case SQLITE_INTEGER -> db.column_long(ptr, c);
                        case SQLITE_FLOAT -> db.column_double(ptr, c);
                        case SQLITE_TEXT -> db.column_text(ptr, c);
                        case SQLITE_BLOB -> {
                            byte[] b = db.column_blob(ptr, c);
                            yield b == null ? new byte[0] : b;
                        }
                        default -> null;
                    };
                    size += ResponseBudget.encodedSize(row[c]);
                }
                return size <= allowed ? row : null;
            });
        }

        @Override
        protected List<Column> columns(PreparedStatement ps, ResultSetMetaData md, int n) throws SQLException {
            // sqlite-jdbc's result set is its own metadata and read every column name when the statement ran:
            // those names, and the declared types in one call into SQLite, instead of two native calls a column
            if (!(md instanceof CoreResultSet rs) || rs.colsMeta == null || rs.colsMeta.length != n) {
                return super.columns(ps, md, n);
            }
            return columnsFromSqlite(ps, rs.colsMeta);
        }

        @Override
        protected String declType(PreparedStatement ps, ResultSetMetaData md, int column) throws SQLException {
            CoreStatement core = ps.unwrap(CoreStatement.class);
            return core.pointer.safeRun((db, ptr) -> db.column_decltype(ptr, column - 1));
        }

        @Override
        protected List<Column> describeColumns(PreparedStatement ps) throws SQLException {
            // sqlite-jdbc's metadata fails for statements without columns; ask SQLite directly
            return columnsFromSqlite(ps, null);
        }

        /**
         * The statement's columns in one call into SQLite: every declared type, and the names, unless {@code names}
         * (as sqlite-jdbc read them when the statement ran) gives them already.
         */
        private static List<Column> columnsFromSqlite(PreparedStatement ps, String[] names) throws SQLException {
            CoreStatement core = ps.unwrap(CoreStatement.class);
            return core.pointer.safeRun((db, ptr) -> {
                int n = names != null ? names.length : db.column_count(ptr);
                List<Column> cols = new ArrayList<>(n);
                for (int c = 0; c < n; c++) {
                    cols.add(new Column(names != null ? names[c] : db.column_name(ptr, c), db.column_decltype(ptr, c)));
                }
                return cols;
            });
        }

        @Override
        protected long changes(PreparedStatement ps) throws SQLException {
            return connection.unwrap(SQLiteConnection.class).getDatabase().changes();
        }

        @Override
        protected Long lastInsertRowid() throws SQLException {
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        protected void afterStatement(ScannedStatement st, boolean succeeded) throws StatementException {
            try {
                trackTransaction(st, succeeded);
            } finally {
                leaveLaneIfTransactionEnded();
            }
        }

        private void trackTransaction(ScannedStatement st, boolean succeeded) throws StatementException {
            StatementKind kind = st.kind();
            if (succeeded) {
                if (kind.isBegin()) {
                    inTransaction = Boolean.TRUE;
                    readOnlyTransaction = kind == StatementKind.BEGIN_READONLY;
                } else if (kind == StatementKind.COMMIT || kind == StatementKind.ROLLBACK) {
                    inTransaction = Boolean.FALSE;
                } else if (kind == StatementKind.SAVEPOINT_CONTROL) {
                    inTransaction = null;
                }
            } else if (inTransaction != Boolean.FALSE || kind.isBegin() || kind == StatementKind.SAVEPOINT_CONTROL) {
                // some errors (SQLITE_FULL, SQLITE_IOERR, RAISE(ROLLBACK)...) end the transaction on their own
                inTransaction = null;
            }
            syncQueryOnly();
        }

        private void syncQueryOnly() throws StatementException {
            if (!readOnlyTransaction) {
                return;
            }
            try {
                boolean open = !isAutocommit();
                if (!open) {
                    readOnlyTransaction = false;
                }
                setQueryOnly(open);
            } catch (SQLException e) {
                throw translate(e);
            }
        }

        void setQueryOnly(boolean on) throws SQLException {
            if (queryOnly != on) {
                try (Statement s = connection.createStatement()) {
                    s.execute(on ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0");
                }
                queryOnly = on;
            }
        }

        @Override
        public boolean isAutocommit() throws StatementException {
            if (inTransaction == null) {
                inTransaction = probeTransaction();
            }
            return !inTransaction;
        }

        /** sqlite-jdbc does not expose sqlite3_get_autocommit; a BEGIN fails exactly when one is open. */
        private Boolean probeTransaction() throws StatementException {
            try (Statement s = connection.createStatement()) {
                try {
                    s.execute("BEGIN");
                } catch (SQLException e) {
                    return Boolean.TRUE;
                }
                s.execute("ROLLBACK");
                return Boolean.FALSE;
            } catch (SQLException e) {
                throw translate(e);
            }
        }

        /** Also lets the next writer in, whatever happens: the session ends here (stream closed or expired). */
        @Override
        public void rollbackIfOpen() throws SQLException {
            try {
                if (inTransaction != Boolean.FALSE) {
                    try (Statement s = connection.createStatement()) {
                        s.execute("ROLLBACK");
                    } catch (SQLException e) {
                        if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                            throw e;
                        }
                    }
                    inTransaction = Boolean.FALSE;
                }
                readOnlyTransaction = false;
                setQueryOnly(false);
            } finally {
                leaveLane();
            }
        }

        @Override
        protected StatementException translate(SQLException e) {
            if (e instanceof SQLiteException se) {
                SQLiteErrorCode extended = se.getResultCode();
                int primary = extended.code & 0xff;
                SQLiteErrorCode primaryCode = SQLiteErrorCode.getErrorCode(primary);
                String detail = sqliteDetail(se.getMessage());
                String code = primaryCode == SQLiteErrorCode.UNKNOWN_ERROR ? "SQLITE_ERROR" : primaryCode.name();
                if (primaryCode == SQLiteErrorCode.SQLITE_ERROR && isSyntaxError(detail)) {
                    return new StatementException(ErrorCode.SQL_PARSE_ERROR, detail);
                }
                // the primary code, as sqld sends it: clients compare e.code with "SQLITE_CONSTRAINT"
                return new StatementException(code, detail);
            }
            return SqlErrors.connectionFailure(e);
        }

        private static boolean isSyntaxError(String detail) {
            String d = detail.toLowerCase(Locale.ROOT);
            return d.contains("syntax error") || d.contains("incomplete input") || d.contains("unrecognized token");
        }

        /** sqlite-jdbc formats messages as "[CODE] generic text (sqlite's own message)"; keep sqlite's own. */
        private static String sqliteDetail(String message) {
            if (message == null) {
                return "unknown error";
            }
            int open = message.indexOf(" (");
            if (message.startsWith("[") && open > 0 && message.endsWith(")")) {
                return message.substring(open + 2, message.length() - 1);
            }
            return message;
        }
    }
}
