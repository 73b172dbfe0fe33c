package io.sluice.breaker;

import io.sluice.sql.SqlErrors;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the circuit breaker costs per call. {@link #closedCall} minus {@link #baseline} is the guard's
 * overhead while CLOSED (our snapshot read plus SmallRye's circuit-breaker bookkeeping);
 * {@link #openRefusal} is the fail-fast path while OPEN; the {@code classify*} benchmarks are the failure
 * classification every failed call pays.
 *
 * <p>Outside Quarkus, SmallRye's programmatic {@code Guard} comes from {@code
 * smallrye-fault-tolerance-standalone} (added by the {@code bench} profile) rather than from the CDI
 * implementation; both build the same {@code smallrye-fault-tolerance-core} strategy chain, but the
 * standalone one has its own timer and executor, so the figure is the guard's synchronous path, not a
 * measurement inside the server.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BreakerBenchmark {
    private static final Callable<Long> WORK = () -> 42L;
    private static final SQLException SYNTAX_ERROR = new SQLException("syntax error", "42601");
    private static final SQLException CONNECTION_LOST = new SQLException("connection lost", "08006");

    private CircuitBreaker closed;
    private CircuitBreaker open;

    @Setup(Level.Trial)
    public void setUp() {
        closed = new CircuitBreaker(5, Duration.ofSeconds(30), 1);
        open = new CircuitBreaker(5, Duration.ofSeconds(30), 1);
        open.forceOpen("benchmark");
    }

    /** The guarded work called directly, no breaker. */
    @Benchmark
    public Long baseline() throws Exception {
        return WORK.call();
    }

    /** The same work through the CLOSED breaker ({@code CircuitBreaker.call}). */
    @Benchmark
    public Long closedCall() throws Exception {
        return closed.call(WORK);
    }

    /** The I/O-thread pre-check while CLOSED ({@code checkAdmits}). */
    @Benchmark
    public CircuitBreaker closedCheckAdmits() {
        closed.checkAdmits();
        return closed;
    }

    /** A call refused while OPEN: the refusal exception is built, the work does not run. */
    @Benchmark
    public Object openRefusal() throws Exception {
        try {
            return open.call(WORK);
        } catch (CircuitOpenException e) {
            return e;
        }
    }

    /** Classifying a statement-level failure (SQLState 42601): must not count. */
    @Benchmark
    public boolean classifyStatementFailure() {
        return SqlErrors.classify(SYNTAX_ERROR).countsAgainstBreaker();
    }

    /** Classifying a connection-level failure (SQLState 08006): counts. */
    @Benchmark
    public boolean classifyConnectionFailure() {
        return SqlErrors.classify(CONNECTION_LOST).countsAgainstBreaker();
    }
}
