package io.sluice.sql;

import io.vertx.core.Context;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one way in for writers of an embedded SQLite database: admits one write transaction (or autocommit
 * write) at a time, in the order the writers arrived.
 *
 * <p>SQLite has one write lock per database, and its busy handler is not fair: waiting writers poll for the
 * lock with growing sleeps, so a writer can keep losing it to later ones until its busy timeout ends in
 * {@code SQLITE_BUSY}, while the lock changed hands many times. In the lane a writer waits its turn in a
 * FIFO queue instead, and takes SQLite's lock only once every writer before it has ended its transaction:
 * the lock is then free, so no writer of this process meets {@code SQLITE_BUSY} for lock contention unless
 * it waited in the lane longer than {@code sluice.sqlite.write-wait}.
 *
 * <pre>
 *   FREE ──enter(session)──► HELD by session ──leave(session)──► FREE (or HELD by the next in line)
 * </pre>
 *
 * A session holds the lane from its first write (or {@code BEGIN IMMEDIATE|EXCLUSIVE}) until its transaction
 * ends: COMMIT, ROLLBACK, a failure that ends it, or the end of the session (stream closed or expired, lease
 * released), whichever comes first. Only the holder can leave, once; readers never enter (WAL lets them
 * read beside the writer).
 */
public final class WriteLane {
    private final Semaphore turn = new Semaphore(1, true);
    private final AtomicReference<Object> holder = new AtomicReference<>();
    private final long waitNanos;
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();

    /** @param wait how long a writer waits for its turn before failing */
    public WriteLane(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("the write lane's wait must not be negative");
        }
        this.waitNanos = wait.toNanos();
    }

    /**
     * Waits for {@code owner}'s turn, at most the lane's wait. Never on an event-loop thread: a writer may
     * wait for seconds.
     *
     * @return true once {@code owner} holds the lane, false when its wait ran out
     * @throws InterruptedException when the waiting thread was interrupted (the statement was stopped)
     */
    boolean enter(Object owner) throws InterruptedException {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("the SQLite write lane is never waited for on an event-loop thread");
        }
        if (!turn.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
            timedOut.incrementAndGet();
            return false;
        }
        if (!holder.compareAndSet(null, owner)) {
            turn.release();
            throw new IllegalStateException("the SQLite write lane was admitted twice");
        }
        admitted.incrementAndGet();
        return true;
    }

    /** Lets the next writer in; false (and nothing happens) when {@code owner} does not hold the lane. */
    boolean leave(Object owner) {
        if (!holder.compareAndSet(owner, null)) {
            return false;
        }
        turn.release();
        return true;
    }

    /** How long a writer waits for its turn. */
    public Duration waitLimit() {
        return Duration.ofNanos(waitNanos);
    }

    /** True when no writer holds the lane. */
    public boolean isFree() {
        return holder.get() == null;
    }

    /** Writers waiting for their turn now (an estimate, for metrics). */
    public int waiting() {
        return turn.getQueueLength();
    }

    /** Writers admitted so far. */
    public long admittedCount() {
        return admitted.get();
    }

    /** Writers whose wait ran out so far. */
    public long timedOutCount() {
        return timedOut.get();
    }
}
