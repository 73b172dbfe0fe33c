package io.sluice.auth;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
 * Verifying a bearer token: {@link JwtVerifier} (jose4j) against {@link HandWrittenJwtVerifier}, the
 * code it replaced, in the same run. {@code *Uncached} cycles through more distinct tokens than the
 * one-entry cache holds, so every call parses and checks a signature; {@code *Cached} repeats one
 * token, what a client sending the same token with every request costs.
 *
 * <p>{@link #main} (run by {@code bench/jwt-verify.sh}) measures the uncached pair by this thread's CPU
 * time instead, alternating blocks of old and new, and prints the ratio: on a loaded machine the wall
 * clock JMH reports is mostly other processes' time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtVerificationBenchmark {
    private static final int TOKENS = 64;
    private JwtVerifier jose4j;
    private HandWrittenJwtVerifier handWritten;
    private JwtVerifier jose4jCached;
    private HandWrittenJwtVerifier handWrittenCached;
    private String[] tokens;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        TokenMinter.KeyMaterial keys = TokenMinter.generateKeyPair();
        TokenMinter minter = TokenMinter.fromPrivateKeyPem(keys.privateKeyPem(), Clock.systemUTC());
        tokens = new String[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = minter.mint(i % 2 == 0 ? Access.READ_ONLY : Access.READ_WRITE, "user-" + i, Duration.ofHours(1));
        }
        List<String> publicKeys = List.of(keys.publicKeyBase64Url());
        jose4j = new JwtVerifier(publicKeys, Clock.systemUTC(), 1);
        handWritten = new HandWrittenJwtVerifier(publicKeys, Clock.systemUTC(), 1);
        jose4jCached = new JwtVerifier(publicKeys, Clock.systemUTC());
        handWrittenCached = new HandWrittenJwtVerifier(publicKeys, Clock.systemUTC(), JwtVerifier.DEFAULT_CACHE_CAPACITY);
    }

    private String nextToken() {
        next = (next + 1) % TOKENS;
        return tokens[next];
    }

    /** Full verification with jose4j: parse, header checks, Ed25519, claims. */
    @Benchmark
    public Principal jose4jUncached() {
        return jose4j.verify(nextToken());
    }

    /** Full verification with the hand-written code it replaced. */
    @Benchmark
    public Principal handWrittenUncached() {
        return handWritten.verify(nextToken());
    }

    /** A remembered token: digest, cache lookup, time checks. */
    @Benchmark
    public Principal jose4jCached() {
        return jose4jCached.verify(tokens[0]);
    }

    /** The same with the hand-written verifier, which had the same cache. */
    @Benchmark
    public Principal handWrittenCached() {
        return handWrittenCached.verify(tokens[0]);
    }

    /**
     * Alternates blocks of uncached verifications by the old and the new verifier and prints the CPU time
     * of each per verification and their ratio; the first quarter of the rounds is warm-up.
     *
     * @param args block size and number of rounds, default 200 and 20
     */
    public static void main(String[] args) {
        int block = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        JwtVerificationBenchmark b = new JwtVerificationBenchmark();
        b.setUp();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long oldNanos = 0;
        long newNanos = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < block; i++) {
                b.handWrittenUncached();
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < block; i++) {
                b.jose4jUncached();
            }
            long t2 = cpu.getCurrentThreadCpuTime();
            if (r >= rounds / 4) {
                oldNanos += t1 - t0;
                newNanos += t2 - t1;
            }
        }
        int measured = (rounds - rounds / 4) * block;
        System.out.printf("uncached verify, CPU time per token: hand-written %.1f us, jose4j %.1f us; jose4j/hand-written %.3f (%d each)%n",
                oldNanos / 1e3 / measured, newNanos / 1e3 / measured, (double) newNanos / oldNanos, measured);
    }
}
