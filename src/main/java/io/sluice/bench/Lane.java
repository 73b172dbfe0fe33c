package io.sluice.bench;

/**
 * One connection's schedule: when to send the next operation, whether it is measured, and what latency to
 * record for it. Pure logic on a clock passed in, so the same code drives a thread (JDBC), an event loop
 * (HTTP) and a test with a fake clock.
 *
 * <p>Closed loop (no rate): the next operation goes as soon as the previous one is answered and its latency
 * is counted from the moment it was sent. Constant rate: operations are due on a fixed {@link Pacer}
 * schedule and latency is counted from when each was due, not from when it could be sent, so time spent
 * queued behind a slow answer is part of the figure (coordinated-omission correction, as in wrk2).
 *
 * <p>An operation is measured when it was due (closed loop: sent) inside the measured window, after the
 * warm-up; in {@code --requests} mode the lanes share the count. One thread uses a lane.
 */
final class Lane {
    /** {@link #next} answer: send the next operation now. */
    static final long SEND = 0;
    /** {@link #next} answer: this lane is done. */
    static final long STOP = -1;

    /** Where a lane's finished operations go ({@link Tally}, or a test's list). */
    interface Sink {
        /** One finished operation: latency, error kind or null, whether it is measured, when it ended. */
        void record(long latencyNanos, String error, boolean measured, long endNanos);
    }

    private final Load load;
    private final Sink sink;
    private final Pacer pacer;
    private long due;
    private boolean measured;

    Lane(Load load, Sink sink, Pacer pacer) {
        this.load = load;
        this.sink = sink;
        this.pacer = pacer;
    }

    /**
     * Before each operation: {@link #SEND}, {@link #STOP}, or how many nanoseconds to wait before asking
     * again.
     */
    long next(long now) {
        if (now >= load.measureUntil()) {
            return STOP;
        }
        long at = pacer == null ? now : pacer.due();
        if (at >= load.measureUntil()) {
            return STOP;
        }
        if (at > now) {
            return at - now;
        }
        measured = at >= load.measureFrom();
        if (measured && !load.claim()) {
            return STOP;
        }
        due = at;
        if (pacer != null) {
            pacer.advance();
        }
        return SEND;
    }

    /** The operation {@link #next} said to send ended at {@code now}; {@code error} is its kind, or null. */
    void done(long now, String error) {
        sink.record(now - due, error, measured, now);
    }
}
