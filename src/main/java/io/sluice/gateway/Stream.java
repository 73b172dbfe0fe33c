package io.sluice.gateway;

import io.sluice.pool.Backend;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.pool.Lease;
import io.sluice.flags.Features;
import io.sluice.sql.SqlSession;
import io.sluice.sql.StatementException;
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
    final Features features;
    private final AtomicInteger state = new AtomicInteger(BUSY);
    /** The sequence number the next request's baton must carry. */
    volatile long sequence;
    volatile long lastUsedNanos;
    private final Map<Integer, String> storedSql = new HashMap<>();
    private Lease lease;
    private SqlSession session;

    Stream(long id, boolean readOnly, Features features) {
        this.id = id;
        this.readOnly = readOnly;
        this.features = features;
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
            Lease l = backend.lease(id, features, readOnly);
            try {
                session = backend.dialect().open(l.connection(), readOnly);
                lease = l;
            } catch (StatementException | RuntimeException e) {
                backend.release(l, false);
                throw e;
            }
        }
        return session;
    }

    /** The stream's lease, or null before its first statement. */
    Lease lease() {
        return lease;
    }

    /** Rolls back what is open and gives the lease back. Called exactly once, by whoever closed the stream. */
    void releaseConnection(Backend backend) {
        if (lease == null) {
            return;
        }
        boolean reusable = false;
        try {
            reusable = session.resetForPool();
        } catch (SQLException e) {
            LOG.warnf("stream %s: rollback at close failed (SQLState %s); discarding its connection", Long.toHexString(id), e.getSQLState());
            reusable = false;
        } finally {
            backend.release(lease, reusable);
            lease = null;
            session = null;
        }
    }
}
