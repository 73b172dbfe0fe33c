package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.cli.Progress;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The runner's counting, without a server: a fake target that fails in known ways. */
class RunnerTest {

    /** Every third operation fails with HTTP 503, every seventh (not third) with a Hrana code. */
    static final class Flaky implements BlockingTarget {
        final AtomicLong calls = new AtomicLong();
        final boolean allFail;

        Flaky(boolean allFail) {
            this.allFail = allFail;
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public void prepare(Workload workload, int rows) {
        }

        @Override
        public Worker worker(int index, Workload workload, int rows, long runId) {
            return new Worker() {
                @Override
                public String run() {
                    long n = calls.incrementAndGet();
                    if (allFail) {
                        return "connection: Connection reset";
                    }
                    return n % 3 == 0 ? "HTTP 503 CIRCUIT_OPEN" : n % 7 == 0 ? "Hrana SQLITE_BUSY" : null;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static Runner.Plan plan(long operations) {
        return new Runner.Plan(Workload.SELECT1, 3, null, operations, Duration.ZERO, 10, 1L, 0);
    }

    private static Result run(Target target, Runner.Plan plan) throws Exception {
        return Runner.run(target, plan,
                new Progress(new PrintWriter(Writer.nullWriter()), Progress.Mode.OFF, Duration.ofSeconds(10), System::nanoTime, 80));
    }

    @Test
    void shouldCountSuccessesAndErrorsByKindForExactlyTheRequestedOperations() throws Exception {
        Flaky target = new Flaky(false);

        Result r = run(target, plan(2_100));

        assertThat(target.calls.get()).isEqualTo(2_100);
        assertThat(r.errors()).containsEntry("HTTP 503 CIRCUIT_OPEN", 700L).containsEntry("Hrana SQLITE_BUSY", 200L);
        assertThat(r.operations()).isEqualTo(1_200);
        assertThat(r.latencyMicros().getTotalCount()).isEqualTo(1_200);
        assertThat(r.toJson().at("/errors/byKind/HTTP 503 CIRCUIT_OPEN").asLong()).isEqualTo(700);
    }

    @Test
    void shouldCallARunWhereEveryOperationFailedAFailure() throws Exception {
        Result r = run(new Flaky(true), plan(50));

        assertThat(r.operations()).isZero();
        assertThat(BenchCommand.exitCode(r, null)).isEqualTo(1);
        assertThat(BenchCommand.exitCode(run(new Flaky(false), plan(50)), null)).isZero();
    }

    @Test
    void shouldRunForTheDurationWhenNoCountIsGiven() throws Exception {
        Result r = run(new Flaky(false), new Runner.Plan(Workload.SELECT1, 2, Duration.ofMillis(300), 0, Duration.ofMillis(100), 10, 1L, 0));

        assertThat(r.elapsedNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(r.operations()).isPositive();
    }

    @Test
    void shouldNeverSendMoreThanTheConstantRateAllows() throws Exception {
        Flaky target = new Flaky(false);

        // 200/s for 250 ms over 2 connections: at most 50 operations can fall due (the schedule never runs early)
        Result r = run(target, new Runner.Plan(Workload.SELECT1, 2, Duration.ofMillis(250), 0, Duration.ZERO, 10, 1L, 200));

        assertThat(target.calls.get()).isBetween(1L, 50L);
        assertThat(r.toJson().get("mode").asText()).isEqualTo("constant-rate");
        assertThat(r.toJson().get("latencyFrom").asText()).isEqualTo("due");
    }
}
