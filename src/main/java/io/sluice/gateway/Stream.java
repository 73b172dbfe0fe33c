package io.sluice.gateway;

import io.sluice.auth.Principal;
import io.sluice.pool.Backend;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.pool.Lease;
import io.sluice.sql.SqlSession;
import io.sluice.sql.StatementException;
import io.sluice.sql.StopReason;
import io.sluice.state.StateMachine;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One Hrana stream: a backend connection leased on first use and kept until the stream closes or
 * expires, plus the SQL texts stored on it.
 *
 * Its life is a {@link StreamState} machine: every change is a compare-and-set, so of the request, the reaper
 * and the drain racing for an idle stream exactly one wins. INSPECTING is the drain looking, for a moment,
 * whether an idle stream holds a transaction; a request arriving meanwhile waits for that look to end rather
 * than being refused as "busy".
 *
 * <p>A stream belongs to the principal that opened it: its batons verify only for that principal, and
 * it counts, with its connection once leased, against that principal's {@link FairShare}.
 */
final class Stream {
    private static final Logger LOG = Logger.getLogger(Stream.class);

    final long id;
    final boolean readOnly;
    /** What applies to this stream, decided once when it opened. */
    final StreamPolicy policy;
    private final Principal principal;
    private final String principalName;
    /** {@link Batons#binding} of the principal; signed into every baton of this stream. */
    final byte[] binding;
    private final FairShare fairShare;
    /** The principal's share this stream counts against; null when the caller has no per-principal limit. */
    final FairShare.Share share;
    /** Shared by every stream's machine, which keeps no history: a transition allocates nothing. */
    private static final Clock CLOCK = Clock.systemUTC();
    /** Opened BUSY: the request that opened it holds it. */
    private final StateMachine<StreamState> state = new StateMachine<>("stream", StreamState.BUSY, 0, CLOCK);
    /** The sequence number the next request's baton must carry. */
    volatile long sequence;
    volatile long lastUsedNanos;
    private final Map<Integer, String> storedSql = new HashMap<>();
    private Lease lease;
    /** When the request now holding the stream began waiting for a connection (in the lease queue); 0: at the lease. */
    private long waitingSince;
    /** What the lease of the request now holding the stream fails with, without asking the pool ({@link #refuseLease}); null: none. */
    private BackendUnavailableException leaseRefusal;
    /** Volatile: {@link #abandon} reads it on the I/O thread while the request's worker sets it. */
    private volatile SqlSession session;
    private volatile boolean abandoned;
    /** Why the stream closed, set by whoever closed it (null while open, and for a moment after). */
    private volatile Closing closing;

    /** Why a stream closed, in the words a later request on it is told. */
    enum Closing {
        IDLE("The stream has expired due to inactivity"),
        SHUTDOWN("The stream was closed because the server is shutting down"),
        BY_CLIENT("The stream was closed by the client"),
        FAILED("The stream was closed when a request on it failed (that request was told why); open a new stream");

        /** The message when the reason is not known: a baton whose stream is gone, or a close a moment old. */
        static final String UNKNOWN = "The stream has expired due to inactivity or was closed";

        final String message;

        Closing(String message) {
            this.message = message;
        }
    }

    /**
     * @param principalName who opened it, for operators ({@link Principal#displayName()}, or the client's
     *     name when authentication is off)
     * @param share the principal's share, already counting this stream (null: none)
     */
    Stream(long id, boolean readOnly, StreamPolicy policy, Principal principal, String principalName, FairShare fairShare,
            FairShare.Share share) {
        this.id = id;
        this.readOnly = readOnly;
        this.policy = policy;
        this.principal = principal;
        this.principalName = principalName;
        this.binding = Batons.binding(principal.identity());
        this.fairShare = fairShare;
        this.share = share;
        this.lastUsedNanos = System.nanoTime();
    }

    /** The principal that opened the stream. */
    Principal principal() {
        return principal;
    }

    /**
     * Whose session state this stream's statements leave, for a backend that resets sessions per principal:
     * the principal's identity (all streams of {@code sluice.auth.mode=none} are one principal's) and its access.
     */
    private String sessionOwner() {
        String identity = principal.identity();
        return (readOnly ? "read-only " : "read-write ") + (identity == null ? "anonymous" : identity);
    }

    /** Who opened the stream, for operators (connection listings, logs); never a token. */
    String principalName() {
        return principalName;
    }

    /** A request with the stream's baton: IDLE to BUSY; false when another request holds it or it is closed. */
    boolean tryAcquire() {
        while (true) {
            if (state.moveFrom(StreamState.IDLE, StreamState.BUSY, "request")) {
                return true;
            }
            if (state.current() != StreamState.INSPECTING) {
                return false;
            }
            Thread.onSpinWait(); // the drain's look takes microseconds (one autocommit probe)
        }
    }

    /** Moves an idle stream to INSPECTING (the drain); false when a request holds it or it is closed. */
    boolean tryInspect() {
        return state.moveFrom(StreamState.IDLE, StreamState.INSPECTING, "drain looks");
    }

    /** Ends the drain's look: the stream is idle again, untouched (its idle time still counts from its last use). */
    void endInspection() {
        state.moveFrom(StreamState.INSPECTING, StreamState.IDLE, "drain look ended");
    }

    /** The request holding the stream answered: BUSY to IDLE (nothing happens when it closed the stream). */
    void release() {
        lastUsedNanos = System.nanoTime();
        state.moveFrom(StreamState.BUSY, StreamState.IDLE, "response");
    }

    /** Moves an idle stream to CLOSED (the reaper, the drain); false when a request holds it or it is closed. */
    boolean tryCloseIdle(Closing why) {
        if (state.moveFrom(StreamState.IDLE, StreamState.CLOSED, why.name())) {
            closing = why;
            return true;
        }
        return false;
    }

    /** Closes a stream held by the caller (BUSY, or INSPECTING by the drain); closing a closed stream changes nothing. */
    void markClosed(Closing why) {
        while (true) {
            StreamState now = state.current();
            if (now == StreamState.CLOSED) {
                return;
            }
            if (state.moveFrom(now, StreamState.CLOSED, why.name())) {
                closing = why;
                return;
            }
        }
    }

    boolean isClosed() {
        return state.current() == StreamState.CLOSED;
    }

    /** What a request on this stream is told once it is closed ({@code STREAM_EXPIRED}): why it closed. */
    String closedMessage() {
        Closing why = closing;
        return why == null ? Closing.UNKNOWN : why.message;
    }

    Map<Integer, String> storedSql() {
        return storedSql;
    }

    boolean hasSession() {
        return session != null;
    }

    /** The request holding the stream began waiting for a connection at {@code nanos}, before it asked the pool (0: it did not). */
    void waitingSince(long nanos) {
        waitingSince = nanos;
    }

    /**
     * The request holding the stream waited out the acquire timeout before it reached the pool: its lease
     * fails with {@code refusal} instead of asking the pool (null: it asks as usual).
     */
    void refuseLease(BackendUnavailableException refusal) {
        leaseRefusal = refusal;
    }

    /** True when the principal's share holds its limit of leases now: this stream's lease would wait for one of its own. */
    boolean atLeaseLimit() {
        return fairShare.atLeaseLimit(share);
    }

    SqlSession session(Backend backend) throws BackendUnavailableException, StatementException {
        if (session == null) {
            if (leaseRefusal != null) {
                throw leaseRefusal;
            }
            // the principal's share first: a principal at its limit waits on its own leases, not on the pool
            fairShare.acquireLease(share);
            Lease l;
            try {
                l = backend.lease(id, policy.lease(), readOnly, waitingSince);
            } catch (BackendUnavailableException | RuntimeException e) {
                fairShare.releaseLease(share);
                throw e;
            }
            SqlSession opened;
            try {
                opened = backend.openSession(l, readOnly, principalName, sessionOwner());
                lease = l;
            } catch (StatementException | RuntimeException e) {
                backend.release(l, false);
                fairShare.releaseLease(share);
                throw e;
            }
            session = opened;
            // published first, then checked: an abandon racing with us sees the session or we see the flag
            if (abandoned) {
                opened.stopAll(StopReason.CLIENT_GONE);
            }
        }
        return session;
    }

    /**
     * The client of the request holding this stream went away (its HTTP connection closed): stops the
     * running statement and every later one. Safe on the I/O thread; never blocks.
     */
    void abandon() {
        abandoned = true;
        SqlSession s = session;
        if (s != null) {
            s.stopAll(StopReason.CLIENT_GONE);
        }
    }

    /** True once {@link #abandon} was called: the request's answer can never arrive, so the stream must close. */
    boolean isAbandoned() {
        return abandoned;
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
            // the next lease of a pooled connection takes this one's reset along with its first statement
            reusable = session.resetForPool(backend.backToThePool(lease));
        } catch (SQLException e) {
            LOG.warnf("stream %s: rollback at close failed (SQLState %s); discarding its connection", Long.toHexString(id), e.getSQLState());
        } finally {
            try {
                backend.release(lease, reusable);
            } finally {
                fairShare.releaseLease(share);
                lease = null;
                session = null;
            }
        }
    }
}
