package io.sluice.sql;

import java.sql.Statement;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One statement while it runs on a governed {@link SqlSession}: what {@link RunningStatements} lists,
 * times out and cancels. A statement is stopped at most once, for the first reason given; the session
 * turns that reason into the statement's Hrana error ({@link #error()}).
 */
public final class RunningStatement {
    private static final AtomicReferenceFieldUpdater<RunningStatement, StopReason> REASON =
            AtomicReferenceFieldUpdater.newUpdater(RunningStatement.class, StopReason.class, "reason");

    final long id;
    final SqlSession session;
    final String sql;
    final long startedNanos;
    final long deadlineNanos;
    final long timeoutMillis;
    private volatile StopReason reason;
    private volatile long stoppedAtNanos;
    private volatile Statement jdbc;
    volatile boolean finished;
    volatile boolean aborted;

    RunningStatement(long id, SqlSession session, String sql, long startedNanos, long timeoutNanos) {
        this.id = id;
        this.session = session;
        this.sql = sql;
        this.startedNanos = startedNanos;
        this.deadlineNanos = startedNanos + timeoutNanos;
        this.timeoutMillis = timeoutNanos / 1_000_000;
    }

    public long id() {
        return id;
    }

    /** Why the statement is being stopped, or null while it may run on. */
    public StopReason reason() {
        return reason;
    }

    /** Marks the statement stopped for {@code why}; false when it already was (the first reason wins). */
    boolean stop(StopReason why) {
        if (REASON.compareAndSet(this, null, why)) {
            stoppedAtNanos = System.nanoTime();
            return true;
        }
        return false;
    }

    long stoppedAtNanos() {
        return stoppedAtNanos;
    }

    /**
     * Whether the statement must stop now: stopped already, or past its deadline. Cheap enough for
     * SQLite's progress handler (a volatile read and a clock read).
     */
    boolean mustStop(long nowNanos) {
        return reason != null || nowNanos - deadlineNanos > 0;
    }

    /** The JDBC statement doing the work, once prepared; a PostgreSQL cancel is sent through it. */
    Statement jdbc() {
        return jdbc;
    }

    void attach(Statement statement) {
        this.jdbc = statement;
    }

    /** The Hrana error a stopped statement answers. */
    StatementException error() {
        StopReason why = reason;
        return switch (why == null ? StopReason.TIMEOUT : why) {
            case TIMEOUT -> new StatementException(ErrorCode.STATEMENT_TIMEOUT,
                    "The statement ran longer than the statement timeout (" + timeoutMillis + " ms) and was cancelled");
            case OPERATOR -> new StatementException(ErrorCode.STATEMENT_CANCELED, "The statement was cancelled by an operator");
            case SHUTDOWN -> new StatementException(ErrorCode.STATEMENT_CANCELED,
                    "The statement was cancelled because the server is shutting down");
            case CLIENT_GONE -> new StatementException(ErrorCode.STATEMENT_CANCELED,
                    "The statement was cancelled because its client went away");
        };
    }
}
