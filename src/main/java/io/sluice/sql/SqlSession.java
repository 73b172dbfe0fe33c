package io.sluice.sql;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One backend connection as a Hrana stream uses it: runs statements with SQLite's transaction
 * semantics, reports whether a transaction is open and rolls back what is left open when the stream
 * ends. Not thread-safe: a stream runs its requests one at a time.
 */
public abstract class SqlSession {
    protected final Connection connection;
    protected final boolean readOnly;
    /** False once the driver may have lost track of the connection: it is then never pooled again. */
    private boolean reusable = true;
    /** True once a client statement was prepared on this connection (so there may be state to clear). */
    private boolean used;
    private LinkedHashMap<String, PreparedStatement> statements;
    /** The registry this session's statements run under (timeout, cancel); null = ungoverned. */
    private RunningStatements governor;
    private long streamId;
    private String principal;
    /** The statement running now, for the progress handler and cancels from other threads. */
    protected volatile RunningStatement running;
    /** Set once the whole session is doomed (client gone, shutdown): every statement stops at once. */
    private volatile StopReason doomed;

    protected SqlSession(Connection connection, boolean readOnly) {
        this.connection = connection;
        this.readOnly = readOnly;
    }

    public Connection connection() {
        return connection;
    }

    /**
     * Ends the stream's use of the connection: rolls back what is open and brings the connection back to
     * the state it had when it was opened. The decision is made by looking at the connection, never at the
     * statements that ran: SQLite compares the connection's TEMP schema and settings with those it was opened
     * with; PostgreSQL resets the session ({@code DISCARD ALL}).
     *
     * @return true when the connection may go back to the pool, false when it must be discarded
     */
    public boolean resetForPool() throws SQLException {
        return resetForPool(false);
    }

    /**
     * {@link #resetForPool()} for a connection that goes back to a pool that pays what it owes
     * ({@code owedToNextLease}): a backend may then leave its reset to the connection's next lease, as long as
     * nothing of that lease reaches the database before the reset does (PostgreSQL sends it in the same network
     * write, in front of the first statement), or to the pool while the connection stays idle.
     */
    public boolean resetForPool(boolean owedToNextLease) throws SQLException {
        rollbackIfOpen();
        return resetSessionState(used, owedToNextLease && reusable) && reusable;
    }

    /** {@link #resetSessionState(boolean)}; a backend that can defer its reset to the next lease overrides this. */
    protected boolean resetSessionState(boolean used, boolean owedToNextLease) throws SQLException {
        return resetSessionState(used);
    }

    /**
     * Brings the connection's session state back to its baseline, after {@link #rollbackIfOpen()}; false
     * when that is not possible and the connection must be discarded.
     *
     * @param used whether client SQL was prepared on the connection (if not, only Sluice's own state changed)
     */
    protected abstract boolean resetSessionState(boolean used) throws SQLException;

    /**
     * Refuses a statement this session must never prepare, before anything reaches the backend (some
     * statements act while they are prepared, e.g. SQLite's PRAGMAs). Runs for execute and describe alike.
     */
    protected void authorize(ScannedStatement st) throws StatementException {
    }

    /** Marks the connection as not fit for another stream: it is discarded when the stream ends. */
    protected void discardWhenReleased() {
        reusable = false;
    }

    /**
     * Puts every statement this session runs from now on under {@code registry}: listed while it runs,
     * stopped at the statement timeout or when cancelled.
     *
     * @param principal who runs the statements, for the operator's view
     */
    public void govern(RunningStatements registry, long streamId, String principal) throws StatementException {
        this.governor = registry;
        this.streamId = streamId;
        this.principal = principal;
        try {
            onGoverned();
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    long streamId() {
        return streamId;
    }

    String principal() {
        return principal;
    }

    /**
     * Stops the running statement, if any, and every later one on this session: for a session whose
     * client went away or whose server is shutting down. Safe from any thread; never blocks.
     */
    public void stopAll(StopReason why) {
        doomed = why;
        RunningStatement r = running;
        if (r != null && governor != null) {
            governor.stop(r, why);
        }
    }

    /** Runs one scanned statement with its slot values, feeding the result to the sink. */
    public void execute(ScannedStatement st, Object[] slots, ResultSink sink) throws StatementException {
        execute(st, slots, sink, FailureAfterwards.CONTINUES);
    }

    /**
     * What the caller knows about the statement's transaction should the statement fail. A backend that must
     * do work up front to keep a transaction usable after a failed statement (PostgreSQL's savepoint) may skip
     * it when nothing but the transaction's rollback would follow the failure.
     */
    @FunctionalInterface
    public interface FailureAfterwards {
        /** Nothing known: the transaction may go on after a failure (a single statement, an interactive one). */
        FailureAfterwards CONTINUES = () -> false;

        /** True when, should the statement fail, nothing else would run in its transaction but its rollback. */
        boolean onlyRollbackFollows();
    }

    /**
     * Runs one scanned statement with its slot values, feeding the result to the sink.
     *
     * @param afterwards asked at most once, only when the answer changes what the backend sends
     */
    public void execute(ScannedStatement st, Object[] slots, ResultSink sink, FailureAfterwards afterwards) throws StatementException {
        if (readOnly && !st.kind().isReadOnly() && st.kind() != StatementKind.PRAGMA) {
            throw new StatementException(ErrorCode.READONLY,
                    "This token is read-only: the statement would write to the database");
        }
        authorize(st);
        used = true;
        RunningStatement watched = governor == null ? null : begin(st.sql());
        try {
            beforeStatement(st, slots, afterwards);
        } catch (StatementException | RuntimeException e) {
            end(watched);
            throw e;
        }
        boolean ok = false;
        String rewritten = rewrite(st);
        String sql = rewritten;
        PreparedStatement ps = null;
        try {
            sql = textToPrepare(st, rewritten);
            ps = prepareWatched(sql, watched);
            boolean hasRows;
            try {
                hasRows = bindAndExecute(ps, st, slots);
            } catch (SQLException e) {
                if (!frontRefused(e)) {
                    throw e;
                }
                closeQuietly(ps);
                sql = textToPrepare(st, rewritten);
                ps = prepareWatched(sql, watched);
                hasRows = bindAndExecute(ps, st, slots);
            }
            if (hasRows) {
                try (ResultSet rs = ps.getResultSet()) {
                    ResultSetMetaData md = rs.getMetaData();
                    int n = md.getColumnCount();
                    sink.columns(columns(ps, md, n));
                    RowReader reader = rowReader(ps, rs, n);
                    while (rs.next()) {
                        Object[] row = reader.read(sink.rowBytesAllowed());
                        if (row == null) {
                            throw new StatementException(ErrorCode.RESPONSE_TOO_LARGE,
                                    "Response is too large: a row does not fit in what is left of the response limit");
                        }
                        sink.row(row);
                    }
                }
            } else {
                sink.columns(List.of());
            }
            long affected = st.kind().countsRows() ? changes(ps) : 0;
            Long rowid = st.kind() == StatementKind.INSERT && affected > 0 ? lastInsertRowid() : null;
            ok = true;
            afterStatement(st, true);
            sink.end(affected, rowid);
        } catch (SQLException e) {
            throw isStop(watched, e) ? stopped(watched, e) : translate(e);
        } finally {
            end(watched);
            done(sql, ps, ok);
            if (!ok) {
                afterStatement(st, false);
            }
        }
    }

    /**
     * What {@link #executeRepeated} did: every run succeeded, with these affected rows in order; or
     * ({@code affected} null) one failed and the backend undid them all, so that the caller runs them one by
     * one, each with its own outcome.
     */
    public record Repeated(long[] affected) {
        public static final Repeated UNDONE = new Repeated(null);

        public boolean undone() {
            return affected == null;
        }
    }

    /**
     * Runs one statement that returns no rows once per argument set, in one round trip where the backend
     * can. Null (nothing ran) when it cannot do that here: the caller then runs them one by one.
     */
    public Repeated executeRepeated(ScannedStatement st, List<Object[]> slots) throws StatementException {
        return null;
    }

    /** Whether this backend ever runs repeated statements together ({@link #executeRepeated}). */
    public boolean runsRepeatedTogether() {
        return false;
    }

    /** Whether {@link #executeRepeated} may run this statement together now, judged before its arguments are bound. */
    public boolean mayRepeat(ScannedStatement st) throws StatementException {
        return false;
    }

    /**
     * For {@link #executeRepeated}: binds each argument set and sends them as one JDBC batch.
     *
     * @return the affected rows of each run; null when a run failed (the driver reports no outcome per run then)
     */
    protected final long[] runRepeated(ScannedStatement st, List<Object[]> slotSets) throws StatementException {
        authorize(st);
        used = true;
        RunningStatement watched = governor == null ? null : begin(st.sql());
        boolean ok = false;
        String sql = rewrite(st);
        PreparedStatement ps = null;
        try {
            sql = textToPrepare(st, sql);
            ps = prepareWatched(sql, watched);
            for (Object[] slots : slotSets) {
                bindArguments(ps, st, slots);
                ps.addBatch();
            }
            try {
                int[] counts = ps.executeBatch();
                long[] affected = new long[slotSets.size()];
                for (int i = 0; i < counts.length && i < affected.length; i++) {
                    affected[i] = Math.max(0, counts[i]);
                }
                ok = true;
                return affected;
            } catch (BatchUpdateException e) {
                SQLException cause = e.getNextException() != null ? e.getNextException() : e;
                if (isStop(watched, cause) || SqlErrors.classify(cause) == FailureClass.CONNECTION) {
                    throw cause;
                }
                return null;
            }
        } catch (SQLException e) {
            throw isStop(watched, e) ? stopped(watched, e) : translate(e);
        } finally {
            end(watched);
            if (ps != null && !ok) {
                try {
                    ps.clearBatch();
                } catch (SQLException e) {
                    // closed below
                }
            }
            done(sql, ps, ok);
        }
    }

    /** Prepares the text ({@link #prepareCurrent}) and hands it to the statement's watch, unless that says stop already. */
    private PreparedStatement prepareWatched(String sql, RunningStatement watched) throws SQLException, StatementException {
        PreparedStatement ps = prepareCurrent(sql);
        if (watched != null) {
            watched.attach(ps);
            if (watched.mustStop(System.nanoTime())) {
                closeQuietly(ps);
                throw stopped(watched, null);
            }
        }
        return ps;
    }

    /** Registers the statement about to run; a doomed session's statement is stopped before it starts. */
    private RunningStatement begin(String sql) throws StatementException {
        RunningStatement r = governor.begin(this, sql);
        running = r;
        // registered first, then checked: a stopAll racing with us sees the statement or we see its reason
        StopReason why = doomed;
        if (why != null) {
            governor.stop(r, why);
            end(r);
            throw r.error();
        }
        return r;
    }

    private void end(RunningStatement r) {
        if (r != null) {
            governor.end(r);
            running = null;
        }
    }

    /**
     * Whether a failure is Sluice stopping the statement: it was asked to stop, or the backend interrupted
     * it (SQLite's progress handler) once its deadline had passed. A genuine error racing the deadline
     * stays the client's error.
     */
    private static boolean isStop(RunningStatement r, SQLException failure) {
        return r != null && (r.reason() != null
                || (SqlErrors.classify(failure) == FailureClass.TIMEOUT && r.mustStop(System.nanoTime())));
    }

    /**
     * The error of a statement Sluice stopped. A statement that failed at the connection level after its
     * cancel (its connection was aborted) leaves a connection that must not be pooled again.
     */
    private StatementException stopped(RunningStatement r, SQLException failure) {
        if (r.reason() == null) {
            governor.stop(r, StopReason.TIMEOUT); // the progress handler saw the deadline first
        }
        if (r.aborted || (failure != null && SqlErrors.classify(failure) == FailureClass.CONNECTION)) {
            reusable = false;
        }
        return r.error();
    }

    /** Runs a {@code ;}-separated script, ignoring rows and stopping at the first failure. */
    public void executeScript(String sql) throws StatementException {
        for (String text : SqlScanner.split(sql, syntax())) {
            ScannedStatement st = SqlScanner.scanOne(text, syntax());
            if (st.paramCount() > 0) {
                throw new StatementException(ErrorCode.ARGS_INVALID, "Statements in a sequence cannot take arguments");
            }
            execute(st, new Object[0], ResultSink.DISCARD);
        }
    }

    public DescribeResult describe(ScannedStatement st) throws StatementException {
        authorize(st);
        used = true;
        try {
            // a described statement is never run, so nothing would notice a schema cached from before
            // another connection's change: refresh first
            refreshSchema();
        } catch (SQLException e) {
            throw translate(e);
        }
        try (PreparedStatement ps = connection.prepareStatement(rewrite(st))) {
            return new DescribeResult(st.paramNames(), describeColumns(ps), st.kind() == StatementKind.EXPLAIN,
                    st.kind().isReadOnly());
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /** True when no transaction is open on this connection. */
    public abstract boolean isAutocommit() throws StatementException;

    /** Rolls back an open transaction, so that the connection can go back to the pool clean. */
    public abstract void rollbackIfOpen() throws SQLException;

    /** Marks the session as having run client SQL (for a subclass that runs it outside {@link #execute}). */
    protected void markUsed() {
        used = true;
    }

    /**
     * Keeps up to {@code size} prepared statements by SQL text for reuse, for a long-lived connection
     * that runs the same statements over and over (the read fast path). Off by default.
     */
    public void enableStatementCache(int size) {
        statements = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                if (size() > size) {
                    closeQuietly(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Prepares a statement against the database's schema as it is now. A backend may compile a statement
     * against a schema this connection cached before another connection changed it (SQLite checks its schema
     * cookie only when a statement runs, and then compiles it again): a statement that fails to compile
     * against that copy (e.g. "table t has 2 columns but 1 values were supplied") is compiled once more
     * after {@link #refreshSchema()}. A compilation that succeeded needs nothing: running it checks the
     * schema (and compiles again if it changed).
     */
    private PreparedStatement prepareCurrent(String sql) throws SQLException {
        try {
            return prepare(sql);
        } catch (SQLException e) {
            if (!mayBeStaleSchema(e) || !refreshSchema()) {
                throw e;
            }
            return prepare(sql);
        }
    }

    /**
     * The text actually prepared for a statement whose {@link #rewrite rewritten} text is {@code sql}, after
     * {@link #beforeStatement}: the same text unless the backend sends something of its own in front of it.
     */
    protected String textToPrepare(ScannedStatement st, String sql) throws SQLException {
        return sql;
    }

    /**
     * Whether a statement's execution failed because what the backend sent in front of it ({@link #textToPrepare})
     * refused to let it run: it did not run, and is prepared and run once more.
     */
    protected boolean frontRefused(SQLException failure) throws SQLException {
        return false;
    }

    /** Whether a failure to prepare may come from a schema cached before another connection changed it. */
    protected boolean mayBeStaleSchema(SQLException failure) {
        return false;
    }

    /**
     * Brings the connection's cached copy of the schema up to date with the database; true when the
     * backend keeps such a copy (and so a failed preparation is worth one retry). The default: it keeps none.
     */
    protected boolean refreshSchema() throws SQLException {
        return false;
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        if (statements != null) {
            PreparedStatement cached = statements.remove(sql);
            if (cached != null) {
                return cached;
            }
        }
        try {
            return connection.prepareStatement(sql);
        } catch (RuntimeException e) {
            // a driver that fails this way may have left its own bookkeeping broken: never pool it again
            reusable = false;
            throw new SQLException("the driver failed to prepare the statement", "HY000", e);
        }
    }

    /** Puts a statement back in the cache after a success; closes it otherwise or when there is no cache. */
    private void done(String sql, PreparedStatement ps, boolean ok) {
        if (ps == null) {
            return;
        }
        if (ok && statements != null) {
            try {
                ps.clearParameters();
                PreparedStatement previous = statements.put(sql, ps);
                if (previous != null && previous != ps) {
                    closeQuietly(previous);
                }
                return;
            } catch (SQLException e) {
                // fall through and close it
            }
        }
        closeQuietly(ps);
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException e) {
            // a statement that cannot close has nothing left to release
        }
    }

    /** The columns a prepared, not yet executed statement would return. */
    protected List<Column> describeColumns(PreparedStatement ps) throws SQLException {
        ResultSetMetaData md = ps.getMetaData();
        return md == null ? List.of() : columns(ps, md, md.getColumnCount());
    }

    protected List<Column> columns(PreparedStatement ps, ResultSetMetaData md, int n) throws SQLException {
        List<Column> cols = new ArrayList<>(n);
        for (int c = 1; c <= n; c++) {
            cols.add(new Column(md.getColumnLabel(c), declType(ps, md, c)));
        }
        return cols;
    }

    /** The lexical rules this backend's SQL follows (the scanner's view of literals and parameters). */
    protected SqlScanner.Syntax syntax() {
        return SqlScanner.Syntax.SQLITE;
    }

    /**
     * Binds the slot values and executes; true when the statement produced a result set. SQLite numbers
     * its own placeholders by slot, so slot i is JDBC parameter i; a backend whose placeholders are
     * plain {@code ?}s in text order binds per occurrence instead.
     */
    protected boolean bindAndExecute(PreparedStatement ps, ScannedStatement st, Object[] slots) throws SQLException {
        bindArguments(ps, st, slots);
        return ps.execute();
    }

    /** Binds the statement's slot values to its prepared form: by default slot {@code i} to parameter {@code i}. */
    protected void bindArguments(PreparedStatement ps, ScannedStatement st, Object[] slots) throws SQLException {
        for (int i = 0; i < slots.length; i++) {
            bind(ps, i + 1, slots[i]);
        }
    }

    protected void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, java.sql.Types.NULL);
        } else if (value instanceof Long l) {
            ps.setLong(index, l);
        } else if (value instanceof Double d) {
            ps.setDouble(index, d);
        } else if (value instanceof String s) {
            ps.setString(index, s);
        } else if (value instanceof byte[] b) {
            ps.setBytes(index, b);
        } else {
            throw new IllegalArgumentException("not a Hrana value: " + value.getClass());
        }
    }

    /** The SQL actually sent to the backend for this statement. */
    protected abstract String rewrite(ScannedStatement st);

    /** Reads the current row of {@code rs} as Hrana values; called once per result. */
    protected abstract RowReader rowReader(PreparedStatement ps, ResultSet rs, int columns) throws SQLException;

    /** Reads the current row: {@code null}, {@link Long}, {@link Double}, {@link String} or {@code byte[]} per column. */
    protected interface RowReader {
        /**
         * @param allowed the encoded bytes ({@link ResponseBudget#encodedSize}) the row's values may take;
         *     negative when the values are not wanted (then none is read and every column is null)
         * @return the row, or null as soon as the values read so far take more than {@code allowed}
         */
        Object[] read(long allowed) throws SQLException;
    }

    protected abstract String declType(PreparedStatement ps, ResultSetMetaData md, int column) throws SQLException;

    protected abstract long changes(PreparedStatement ps) throws SQLException;

    protected abstract Long lastInsertRowid() throws SQLException;

    protected abstract StatementException translate(SQLException e);

    /** Hook run once the session is governed (SQLite installs its progress handler here). */
    protected void onGoverned() throws SQLException {
    }

    /**
     * Makes the running statement {@code r} stop soon; called on a thread of {@link RunningStatements},
     * never the one running the statement. The default cancels its JDBC statement.
     */
    protected void interrupt(RunningStatement r) {
        java.sql.Statement jdbc = r.jdbc();
        if (jdbc != null) {
            try {
                jdbc.cancel();
            } catch (SQLException e) {
                // the statement ended meanwhile, or the connection is gone: nothing left to stop
            }
        }
    }

    /** Last resort for a statement that did not stop after its cancel: close the connection under it. */
    protected void abort() {
    }

    /** Hook run before a statement (PostgreSQL takes its per-statement savepoint here). */
    protected void beforeStatement(ScannedStatement st, Object[] slots, FailureAfterwards afterwards) throws StatementException {
    }

    /** Hook run after a statement, successful or not (transaction tracking). */
    protected void afterStatement(ScannedStatement st, boolean succeeded) throws StatementException {
    }
}
