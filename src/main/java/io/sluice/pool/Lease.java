package io.sluice.pool;

import io.sluice.state.LeaseState;
import io.sluice.state.StateMachine;
import java.sql.Connection;
import java.time.Clock;

/**
 * One backend connection held by one stream, from its first statement until the stream ends. A pooled
 * lease comes from Agroal; a direct lease (the legacy path) is a connection of its own, closed at release.
 * When the state-machine feature applies, the lease's life is tracked as a {@link LeaseState} machine.
 */
public final class Lease {
    /**
     * No per-lease history: nothing reads it (the operator's view shows a lease's current state), and keeping
     * one would cost a clock read, a lock and two allocations per transition on the lease path.
     */
    private static final int HISTORY = 0;
    private final long id;
    private final long streamId;
    private final Connection connection;
    private final boolean pooled;
    private final long leasedAtNanos;
    private final StateMachine<LeaseState> state;
    /** Written only by the request holding the stream (a stream's requests run one at a time). */
    private volatile long statements;
    private volatile boolean leakReported;
    private volatile boolean broken;

    Lease(long id, long streamId, Connection connection, boolean pooled, boolean tracked, Clock clock, long leasedAtNanos) {
        this.id = id;
        this.leasedAtNanos = leasedAtNanos;
        this.streamId = streamId;
        this.connection = connection;
        this.pooled = pooled;
        // no history and constant causes keep the per-lease cost low: leases are made per stream
        this.state = tracked ? new StateMachine<>("lease", LeaseState.IDLE, HISTORY, clock) : null;
        if (state != null) {
            state.moveTo(LeaseState.LEASED, "leased");
        }
    }

    public long id() {
        return id;
    }

    public long streamId() {
        return streamId;
    }

    public Connection connection() {
        return connection;
    }

    public boolean pooled() {
        return pooled;
    }

    /** The lease state, or null when the state-machine feature does not apply to this lease. */
    public LeaseState state() {
        return state == null ? null : state.current();
    }

    public long statements() {
        return statements;
    }

    public long ageNanos() {
        return System.nanoTime() - leasedAtNanos;
    }

    boolean isBroken() {
        return broken;
    }

    /** Records a statement that ran, and whether it left a transaction open. */
    public void onStatement(boolean transactionOpen) {
        statements++;
        if (state != null) {
            LeaseState now = state.current();
            if (transactionOpen && now == LeaseState.LEASED) {
                state.moveFrom(LeaseState.LEASED, LeaseState.IN_TRANSACTION, "transaction began");
            } else if (!transactionOpen && now == LeaseState.IN_TRANSACTION) {
                state.moveFrom(LeaseState.IN_TRANSACTION, LeaseState.LEASED, "transaction ended");
            }
        }
    }

    /**
     * Marks the connection as having seen a connection-level failure: with the state machine on it will
     * be evicted rather than pooled again.
     */
    public void onConnectionFailure(String cause) {
        if (state != null) {
            broken = true;
            LeaseState now = state.current();
            if (now == LeaseState.LEASED || now == LeaseState.IN_TRANSACTION) {
                state.moveFrom(now, LeaseState.BROKEN, cause);
            }
        }
    }

    void onRelease() {
        if (state != null) {
            LeaseState now = state.current();
            if (now == LeaseState.LEASED || now == LeaseState.IN_TRANSACTION) {
                state.moveFrom(now, LeaseState.RELEASED, "stream ended");
            }
        }
    }

    /** Identity equality; the hash is the id's, cheaper than an identity hash for the lease registry. */
    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    boolean markLeakReported() {
        if (leakReported) {
            return false;
        }
        leakReported = true;
        return true;
    }
}
