package io.sluice.pool;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Caps the connections of the direct (legacy) path, which Agroal does not bound: at most {@link #max}
 * open at once; one more waits for one to close, as a pooled lease waits for the pool. The maximum can
 * change live; a raised one lets waiters in at once, a lowered one lets connections already open stay.
 */
final class DirectCap {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private int open;
    private int max;

    DirectCap(int max) {
        this.max = max;
    }

    /** Takes a slot, waiting at most {@code timeoutNanos}; false when none came free in time. */
    boolean acquire(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (open >= max) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                freed.awaitNanos(left);
            }
            open++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a slot taken by {@link #acquire}; exactly once per slot. */
    void release() {
        lock.lock();
        try {
            open--;
            freed.signal();
        } finally {
            lock.unlock();
        }
    }

    void max(int max) {
        lock.lock();
        try {
            this.max = max;
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
