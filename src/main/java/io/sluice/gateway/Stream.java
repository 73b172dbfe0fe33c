package io.sluice.gateway;

import io.sluice.pool.Backend;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.SqlSession;
import io.sluice.sql.StatementException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One Hrana stream: a backend connection leased on first use and kept until the stream closes or
 * expires, plus the SQL texts stored on it.
 *
 * <pre>
 *   IDLE ──(request with the current baton)──► BUSY ──(response)──► IDLE
 *     │                                          │
 *     └──(idle timeout: reaper)──► CLOSED ◄──(close request / failure)
 * </pre>
 *
 * Only the thread that moved the stream to BUSY touches its session; the reaper closes only IDLE streams.
 */
final class Stream {
    private static final Logger LOG = Logger.getLogger(Stream.class);

    static final int IDLE = 0;
    static final int BUSY = 1;
    static final int CLOSED = 2;

    final long id;
    final boolean readOnly;
    private final AtomicInteger state = new AtomicInteger(BUSY);
    /** The sequence number the next request's baton must carry. */
    volatile long sequence;
    volatile long lastUsedNanos;
    private final Map<Integer, String> storedSql = new HashMap<>();
    private Connection connection;
    private SqlSession session;

    Stream(long id, boolean readOnly) {
        this.id = id;
        this.readOnly = readOnly;
        this.lastUsedNanos = System.nanoTime();
    }

    boolean tryAcquire() {
        return state.compareAndSet(IDLE, BUSY);
    }

    void release() {
        lastUsedNanos = System.nanoTime();
        state.compareAndSet(BUSY, IDLE);
    }

    /** Moves an idle stream to CLOSED (for the reaper); false when a request holds it or it is closed. */
    boolean tryCloseIdle() {
        return state.compareAndSet(IDLE, CLOSED);
    }

    /** Marks a busy stream closed (by its own request). */
    void markClosed() {
        state.set(CLOSED);
    }

    boolean isClosed() {
        return state.get() == CLOSED;
    }

    Map<Integer, String> storedSql() {
        return storedSql;
    }

    boolean hasSession() {
        return session != null;
    }

    SqlSession session(Backend backend) throws BackendUnavailableException, StatementException {
        if (session == null) {
            Connection c = backend.lease();
            try {
                session = backend.dialect().open(c, readOnly);
                connection = c;
            } catch (StatementException | RuntimeException e) {
                backend.release(c, false);
                throw e;
            }
        }
        return session;
    }

    /** Rolls back what is open and returns the connection to the pool. Called exactly once, by whoever closed the stream. */
    void releaseConnection(Backend backend) {
        if (connection == null) {
            return;
        }
        boolean reusable = session.isReusable();
        try {
            session.rollbackIfOpen();
        } catch (SQLException e) {
            LOG.warnf("stream %s: rollback at close failed (SQLState %s); discarding its connection", Long.toHexString(id), e.getSQLState());
            reusable = false;
        } finally {
            backend.release(connection, reusable);
            connection = null;
            session = null;
        }
    }
}
