package io.sluice.breaker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link BreakerClock} that moves only when a test says so: {@link #advance} moves both readings and runs,
 * on the calling thread and in due order, every scheduled task that has come due. Thread-safe, so worker
 * threads may read it while a test advances it.
 */
final class ManualClock implements BreakerClock {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private record Task(long dueNanos, long order, Runnable task) {
    }

    private final List<Task> scheduled = new ArrayList<>();
    private volatile long nanos = 1_000_000_000L;
    private long order;

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return START.plusNanos(nanos);
    }

    @Override
    public synchronized void schedule(long delayNanos, Runnable task) {
        scheduled.add(new Task(nanos + Math.max(0, delayNanos), order++, task));
    }

    /** Moves time forward by {@code d} and runs the tasks due by then, each at its own due time. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = nanos + d.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = scheduled.stream()
                        .filter(t -> t.dueNanos() <= target)
                        .min(Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::order))
                        .orElse(null);
                if (next == null) {
                    nanos = target;
                    return;
                }
                scheduled.remove(next);
                nanos = Math.max(nanos, next.dueNanos());
            }
            next.task().run();
        }
    }
}
