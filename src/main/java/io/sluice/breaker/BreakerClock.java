package io.sluice.breaker;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where the {@link CircuitBreaker} reads time and schedules its move from OPEN to HALF_OPEN. Production uses
 * {@link #system()}; tests pass a clock they advance by hand, so no breaker test waits for real time to pass.
 * Only the non-CLOSED paths read it: a call while CLOSED never touches the clock.
 */
public interface BreakerClock {

    /** A monotonic reading in nanoseconds, as {@link System#nanoTime()}: only differences mean anything. */
    long nanoTime();

    /** The wall-clock time, for the status ({@code openedAt}, {@code nextProbeAt}, {@code lastTransitionAt}). */
    Instant instant();

    /** Runs {@code task} once, {@code delayNanos} from now, on a thread of the clock's choosing; never blocks. */
    void schedule(long delayNanos, Runnable task);

    /** The system clock; scheduled tasks run on the JDK's shared delayed executor (a daemon thread). */
    static BreakerClock system() {
        return SystemClock.INSTANCE;
    }

    /** {@link #system()}. */
    enum SystemClock implements BreakerClock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public void schedule(long delayNanos, Runnable task) {
            CompletableFuture.delayedExecutor(Math.max(0, delayNanos), TimeUnit.NANOSECONDS).execute(task);
        }
    }
}
