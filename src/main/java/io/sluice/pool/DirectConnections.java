package io.sluice.pool;

import io.sluice.sql.FailureClass;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The direct (legacy) path: a connection of its own per stream, when the pool does not apply. Capped by the
 * pool's maximum too (a count of its own: the pool's connections may be idle), waiting for a slot at most
 * the acquire timeout as a pooled lease waits for the pool.
 */
final class DirectConnections {
    private static final Logger LOG = Logger.getLogger(DirectConnections.class);

    private final DirectCap cap;
    private final AtomicLong open = new AtomicLong();

    DirectConnections(int maxConnections) {
        this.cap = new DirectCap(maxConnections);
    }

    /**
     * Opens a direct connection once a slot is free, waiting at most {@code wait}; a wait that ends without one
     * fails as an exhausted pool does.
     */
    Connection open(OwnConnections own, long streamId, boolean readOnly, Duration wait, PoolMeters meters)
            throws SQLException, BackendUnavailableException {
        boolean acquired;
        try {
            acquired = cap.acquire(wait.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            meters.timeouts.incrementAndGet();
            LOG.debugf("direct connection for stream %s timed out at the connection cap", Long.toHexString(streamId));
            throw new BackendUnavailableException("No database connection available within " + wait.toMillis()
                    + " ms: every direct connection is busy", null, FailureClass.SATURATION);
        }
        Connection c;
        try {
            c = own.direct(readOnly);
        } catch (SQLException | RuntimeException e) {
            cap.release();
            throw e;
        }
        open.incrementAndGet();
        return c;
    }

    /** A connection {@link #open} gave was closed: its slot is free. */
    void closed() {
        open.decrementAndGet();
        cap.release();
    }

    /** Direct connections open now. */
    long openCount() {
        return open.get();
    }

    /** Changes the cap live. */
    void max(int maxConnections) {
        cap.max(maxConnections);
    }
}
