package io.sluice.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What the connections of one thread (a worker thread, or an event loop with its connections) record. One
 * thread writes it, so recording costs no contention: the measured histogram and the errors are read after
 * the run; the live figures (every operation, warm-up included) are read once a second by the progress
 * display through a recorder that hands over interval histograms without stopping the writer.
 */
final class Tally implements Lane.Sink {
    /** Latencies are kept in microseconds up to ten minutes; a longer one counts as ten minutes. */
    static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Histogram measured = new Histogram(MAX_MICROS, 3);
    private final Map<String, Long> errors = new TreeMap<>();
    private final SingleWriterRecorder live = new SingleWriterRecorder(MAX_MICROS, 3);
    /** Written by the one writer thread only; volatile so the progress display sees it. */
    private volatile long liveErrors;
    private long lastEnd = Long.MIN_VALUE;

    @Override
    public void record(long latencyNanos, String error, boolean measuredOp, long endNanos) {
        long micros = Math.max(0, Math.min(latencyNanos / 1_000, MAX_MICROS));
        if (error == null) {
            live.recordValue(micros);
        } else {
            liveErrors++;
        }
        if (measuredOp) {
            if (error == null) {
                measured.recordValue(micros);
            } else {
                errors.merge(error, 1L, Long::sum);
            }
            lastEnd = Math.max(lastEnd, endNanos);
        }
    }

    /** Successful operations since the previous call, added to {@code into}; any thread. */
    void drainLive(Histogram into) {
        into.add(live.getIntervalHistogram());
    }

    /** Failed operations so far, warm-up included; any thread. */
    long liveErrors() {
        return liveErrors;
    }

    /** The measured latencies; read only after the writer has stopped. */
    Histogram measured() {
        return measured;
    }

    /** The measured errors by kind; read only after the writer has stopped. */
    Map<String, Long> errors() {
        return errors;
    }

    /** When the last measured operation ended, or {@link Long#MIN_VALUE}; read only after the writer has stopped. */
    long lastEnd() {
        return lastEnd;
    }
}
