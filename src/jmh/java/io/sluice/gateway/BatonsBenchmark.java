package io.sluice.gateway;

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
 * Signing and verifying a stream baton ({@link Batons}: HMAC-SHA256 over stream id, sequence and owner
 * URL and the principal's binding, base64url): every interactive request verifies one and issues the next.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BatonsBenchmark {
    private static final String IDENTITY = "sub:benchmark";
    private static final byte[] BINDING = Batons.binding(IDENTITY);
    private Batons batons;
    private String baton;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() {
        batons = new Batons("a-shared-secret-of-reasonable-length", "http://sluice-0.sluice:8080");
        baton = batons.issue(0x1234_5678_9abc_def0L, 7, BINDING);
    }

    /** Issues (signs) a baton. */
    @Benchmark
    public String sign() {
        return batons.issue(0x1234_5678_9abc_def0L, ++sequence, BINDING);
    }

    /** Verifies and decodes a baton. */
    @Benchmark
    public Batons.Decoded verify() {
        return batons.verify(baton, BINDING);
    }

    /** What a resumed request does: the presenting principal's binding (a SHA-256), then the verification. */
    @Benchmark
    public Batons.Decoded verifyForPrincipal() {
        return batons.verify(baton, Batons.binding(IDENTITY));
    }
}
