package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The schedule of a connection on a fake clock: when operations are sent, which are measured, and the
 * latency recorded for each, closed loop and at a constant rate. Nothing sleeps; time is a number.
 */
class LaneTest {
    private static final long MS = 1_000_000;
    /** An arbitrary origin: the lanes must not assume a clock that starts at zero. */
    private static final long T0 = 5_000 * MS;

    /** What a lane recorded: latency in ms, whether measured, error kind. */
    record Op(double latencyMs, boolean measured, String error) {
    }

    private static Runner.Plan plan(int connections, Duration duration, long operations, Duration warmup, double rate) {
        return new Runner.Plan(Workload.SELECT1, connections, duration, operations, warmup, 10, 1L, rate);
    }

    /**
     * Runs one lane as a connection does, on a fake clock: asks the lane, waits what it says, and spends
     * {@code service.applyAsLong(k)} nanoseconds on the k-th operation. Returns what it recorded.
     */
    private static List<Op> drive(Load load, int index, LongUnaryOperator service) {
        List<Op> ops = new ArrayList<>();
        Lane lane = load.lane(index, (latency, error, measured, end) -> ops.add(new Op(latency / (double) MS, measured, error)));
        long now = load.start();
        long k = 0;
        for (long next = lane.next(now); next != Lane.STOP; next = lane.next(now)) {
            if (next > 0) {
                now += next;
            } else {
                now += service.applyAsLong(k++);
                lane.done(now, null);
            }
        }
        return ops;
    }

    private static List<Double> measuredLatencies(List<Op> ops) {
        return ops.stream().filter(Op::measured).map(Op::latencyMs).toList();
    }

    @Test
    void shouldSpreadAConstantRateEvenlyOverTheConnections() {
        List<Long> due = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            Pacer p = new Pacer(T0, 1_000, 4, c);
            for (int k = 0; k < 3; k++) {
                due.add((p.due() - T0) / MS);
                p.advance();
            }
        }

        assertThat(due).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }

    @Test
    void shouldWaitUntilAnOperationIsDueAndNeverSendEarly() {
        Load load = new Load(plan(1, Duration.ofSeconds(1), 0, Duration.ZERO, 100), T0);
        Lane lane = load.lane(0, (latency, error, measured, end) -> {});

        assertThat(lane.next(T0)).isEqualTo(Lane.SEND);
        lane.done(T0 + 2 * MS, null);
        assertThat(lane.next(T0 + 2 * MS)).as("the next one is due at 10 ms").isEqualTo(8 * MS);
        assertThat(lane.next(T0 + 9 * MS)).isEqualTo(MS);
        assertThat(lane.next(T0 + 10 * MS)).isEqualTo(Lane.SEND);
    }

    @Test
    void shouldCountLatencyFromWhenEachOperationWasDueSoAStallShowsInEveryOperationItDelayed() {
        // 100 operations/s on one connection (one due every 10 ms) for 200 ms; each answer takes 1 ms, but the
        // one due at 20 ms takes 95 ms: the nine due meanwhile go out back to back when it returns, each late
        Load load = new Load(plan(1, Duration.ofMillis(200), 0, Duration.ZERO, 100), T0);

        List<Op> ops = drive(load, 0, k -> k == 2 ? 95 * MS : MS);

        assertThat(measuredLatencies(ops)).containsExactly(1.0, 1.0, 95.0, 86.0, 77.0, 68.0, 59.0, 50.0, 41.0, 32.0, 23.0, 14.0, 5.0,
                1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
    }

    @Test
    void shouldCountLatencyFromSendingInAClosedLoopWhichHidesTheQueueBehindAStall() {
        // the same stall in a closed loop: one slow operation, and the operations that would have waited are
        // simply never sent -- the coordinated omission the constant-rate mode corrects
        Load load = new Load(plan(1, Duration.ofMillis(200), 0, Duration.ZERO, 0), T0);

        List<Op> ops = drive(load, 0, k -> k == 2 ? 95 * MS : MS);

        assertThat(measuredLatencies(ops)).hasSize(2 + 1 + 103).containsOnly(1.0, 95.0).filteredOn(l -> l == 95.0).hasSize(1);
    }

    @Test
    void shouldRecordWarmUpOperationsAsUnmeasuredAndStopWhenTheNextWouldBeDueAfterTheWindow() {
        // 100/s: due at 0, 10, ... ms; warm-up 50 ms, then 100 ms measured: due 50..140 ms are measured, 150 is not sent
        Load load = new Load(plan(1, Duration.ofMillis(100), 0, Duration.ofMillis(50), 100), T0);

        List<Op> ops = drive(load, 0, k -> 3 * MS);

        assertThat(ops).hasSize(15);
        assertThat(ops.subList(0, 5)).noneMatch(Op::measured);
        assertThat(ops.subList(5, 15)).allMatch(Op::measured);
        assertThat(measuredLatencies(ops)).containsOnly(3.0);
    }

    @Test
    void shouldShareACountOfOperationsBetweenConnectionsAndMeasureExactlyThatMany() {
        Load load = new Load(plan(2, null, 7, Duration.ZERO, 0), T0);

        List<Op> first = drive(load, 0, k -> MS);
        List<Op> second = drive(load, 1, k -> MS);

        assertThat(first.size() + second.size()).isEqualTo(7);
        assertThat(load.claimed()).isEqualTo(7);
    }

    @Test
    void shouldStopAConstantRateRunAtTheEndOfTheWindowEvenWhenBehindSchedule() {
        // 1,000/s but each answer takes 5 ms: the lane can never catch up; it stops at the window's end
        // instead of working off the backlog, and what it measured shows how late it got
        Load load = new Load(plan(1, Duration.ofMillis(100), 0, Duration.ZERO, 1_000), T0);

        List<Op> ops = drive(load, 0, k -> 5 * MS);

        assertThat(ops).hasSize(20);
        assertThat(measuredLatencies(ops)).startsWith(5.0, 9.0, 13.0).endsWith(81.0);
    }
}
