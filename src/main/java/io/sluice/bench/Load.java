package io.sluice.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One run in progress: its time window, the operations left to measure, the tallies the targets record into,
 * and a latch that opens when every lane has stopped.
 */
final class Load {
    private final Runner.Plan plan;
    private final long start;
    private final long measureFrom;
    private final long measureUntil;
    private final AtomicLong remaining;
    private final CountDownLatch stopped;
    private final List<Tally> tallies = new CopyOnWriteArrayList<>();

    Load(Runner.Plan plan, long startNanos) {
        this.plan = plan;
        this.start = startNanos;
        this.measureFrom = startNanos + plan.warmup().toNanos();
        this.measureUntil = plan.duration() == null ? Long.MAX_VALUE : measureFrom + plan.duration().toNanos();
        this.remaining = plan.duration() == null ? new AtomicLong(plan.operations()) : null;
        this.stopped = new CountDownLatch(plan.concurrency());
    }

    Runner.Plan plan() {
        return plan;
    }

    long start() {
        return start;
    }

    long measureFrom() {
        return measureFrom;
    }

    long measureUntil() {
        return measureUntil;
    }

    /** A new tally for one writer thread; create it before that thread starts. */
    Tally newTally() {
        Tally t = new Tally();
        tallies.add(t);
        return t;
    }

    List<Tally> tallies() {
        return tallies;
    }

    /** Connection {@code index}'s schedule, recording into {@code sink} (its thread's {@link Tally}). */
    Lane lane(int index, Lane.Sink sink) {
        Pacer pacer = plan.rate() > 0 ? new Pacer(start, plan.rate(), plan.concurrency(), index) : null;
        return new Lane(this, sink, pacer);
    }

    /** Takes one of the operations to measure; false when none is left (a duration run never runs out). */
    boolean claim() {
        return remaining == null || remaining.getAndDecrement() > 0;
    }

    /** Operations measured or under way so far in {@code --requests} mode; 0 in a duration run. */
    long claimed() {
        return remaining == null ? 0 : plan.operations() - Math.max(0, remaining.get());
    }

    /** A lane stopped; call once per lane. */
    void laneStopped() {
        stopped.countDown();
    }

    /** Waits up to {@code nanos} for every lane to stop. */
    boolean awaitStopped(long nanos) throws InterruptedException {
        return stopped.await(nanos, TimeUnit.NANOSECONDS);
    }
}
