package io.sluice.pool;

import io.sluice.state.LeaseState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One backend connection held by one stream, from its first statement until the stream ends. A pooled
 * lease comes from Agroal; a direct lease (the legacy path) is a connection of its own, closed at release.
 * When the state-machine feature applies, the lease's life is tracked as a {@link LeaseState} machine: the
 * lease holds the state itself and moves it by compare-and-set, each transition checked against
 * {@link LeaseState}'s table, as a {@code StateMachine} would, without a second object per lease. No
 * per-lease history or listeners: nothing reads them (the operator's view shows a lease's current state).
 */
public final class Lease {
    /** Names the machine in an {@link io.sluice.state.IllegalTransitionException}. */
    private static final String MACHINE = "lease";
    private static final VarHandle STATE;
    private static final VarHandle ID;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Lease.class, "state", LeaseState.class);
            ID = MethodHandles.lookup().findVarHandle(Lease.class, "id", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The lease's number, 0 until it is first listed or reported ({@link #number}). */
    private volatile long id;
    private final long streamId;
    private final Connection connection;
    private final boolean pooled;
    private final long leasedAtNanos;
    /** The lease state, null when the state-machine feature does not apply; read and moved through {@link #STATE}. */
    @SuppressWarnings("unused")
    private LeaseState state;
    /** Where {@link OpenLeases} keeps this lease while it is open: the chunk and the slot in it. */
    AtomicReferenceArray<Lease> registeredIn;
    int registeredAt;
    /** Written only by the request holding the stream (a stream's requests run one at a time). */
    private volatile long statements;
    private volatile boolean leakReported;
    private volatile boolean broken;

    Lease(long streamId, Connection connection, boolean pooled, boolean tracked, long leasedAtNanos) {
        this.leasedAtNanos = leasedAtNanos;
        this.streamId = streamId;
        this.connection = connection;
        this.pooled = pooled;
        if (tracked) {
            // IDLE -> LEASED, checked; a plain write: the lease is published by its registration (a CAS)
            STATE.set(this, LeaseState.IDLE.requireMoveTo(LeaseState.LEASED, MACHINE));
        }
    }

    /** The lease's number, 0 until it is first listed or reported. */
    public long id() {
        return id;
    }

    /**
     * Numbers the lease from {@code ids} unless it has its number already. Leases are numbered when first
     * listed or reported, not when made: most are given back before anyone looks, and numbering each one
     * would add an atomic instruction on a shared counter to every lease.
     */
    long number(AtomicLong ids) {
        long n = id;
        if (n == 0) {
            long next = ids.incrementAndGet();
            n = ID.compareAndSet(this, 0L, next) ? next : id;
        }
        return n;
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
        return (LeaseState) STATE.getAcquire(this);
    }

    /**
     * Moves from exactly {@code from} to {@code to}; false when another thread moved the lease first.
     *
     * @throws io.sluice.state.IllegalTransitionException when {@code from -> to} is not an allowed transition
     */
    private boolean move(LeaseState from, LeaseState to) {
        return STATE.compareAndSet(this, from, from.requireMoveTo(to, MACHINE));
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
        LeaseState now = state();
        if (transactionOpen && now == LeaseState.LEASED) {
            move(LeaseState.LEASED, LeaseState.IN_TRANSACTION);
        } else if (!transactionOpen && now == LeaseState.IN_TRANSACTION) {
            move(LeaseState.IN_TRANSACTION, LeaseState.LEASED);
        }
    }

    /**
     * Marks the connection as having seen a connection-level failure: with the state machine on it will
     * be evicted rather than pooled again.
     */
    public void onConnectionFailure() {
        LeaseState now = state();
        if (now != null) {
            broken = true;
            if (now == LeaseState.LEASED || now == LeaseState.IN_TRANSACTION) {
                move(now, LeaseState.BROKEN);
            }
        }
    }

    void onRelease() {
        LeaseState now = state();
        if (now == LeaseState.LEASED || now == LeaseState.IN_TRANSACTION) {
            move(now, LeaseState.RELEASED);
        }
    }

    boolean markLeakReported() {
        if (leakReported) {
            return false;
        }
        leakReported = true;
        return true;
    }
}
