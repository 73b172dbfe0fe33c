package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The runner's counting, without a server: a fake target that fails in known ways. */
class RunnerTest {

    /** Every third operation fails with HTTP 503, every seventh (not third) with a Hrana code. */
    static final class Flaky implements Target {
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
        return new Runner.Plan(Workload.SELECT1, 3, null, operations, Duration.ZERO, 10, 1L);
    }

    @Test
    void shouldCountSuccessesAndErrorsByKindForExactlyTheRequestedOperations() throws Exception {
        Flaky target = new Flaky(false);

        Result r = Runner.run(target, plan(2_100));

        assertThat(target.calls.get()).isEqualTo(2_100);
        assertThat(r.errors()).containsEntry("HTTP 503 CIRCUIT_OPEN", 700L).containsEntry("Hrana SQLITE_BUSY", 200L);
        assertThat(r.operations()).isEqualTo(1_200);
        assertThat(r.latencyMicros().getTotalCount()).isEqualTo(1_200);
        assertThat(r.toJson().at("/errors/byKind/HTTP 503 CIRCUIT_OPEN").asLong()).isEqualTo(700);
    }

    @Test
    void shouldCallARunWhereEveryOperationFailedAFailure() throws Exception {
        Result r = Runner.run(new Flaky(true), plan(50));

        assertThat(r.operations()).isZero();
        assertThat(BenchCommand.exitCode(r, null)).isEqualTo(1);
        assertThat(BenchCommand.exitCode(Runner.run(new Flaky(false), plan(50)), null)).isZero();
    }

    @Test
    void shouldRunForTheDurationWhenNoCountIsGiven() throws Exception {
        long start = System.nanoTime();

        Result r = Runner.run(new Flaky(false), new Runner.Plan(Workload.SELECT1, 2, Duration.ofMillis(300), 0, Duration.ofMillis(100), 10, 1L));

        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(390L, 3_000L);
        assertThat(r.elapsedNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(r.operations()).isPositive();
    }
}
