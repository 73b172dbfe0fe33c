package io.sluice.flags;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One per-request feature decision ({@link FlagSet#decide}): every flag at 0 % or 100 % (the usual state),
 * one flag partially rolled out, and three at once. 1,024 keys, each the same String on every call, as a
 * cached principal's subject is: after the first round these are the decisions a snapshot has already
 * made. {@code threePartialRolloutsFirstSight} is the work for a key the snapshot has not seen (the cache
 * bypassed): encoding the key and hashing it under the three flags; {@code threePartialRolloutsStreamId} the same
 * for a stream decided by its own random id, which is never cached.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FlagBenchmark {
    private final String[] keys = new String[1024];
    private int next;
    private FlagSet full;
    private FlagSet onePartial;
    private FlagSet threePartial;

    @Setup
    public void setUp() {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "tenant-" + i + "-edge-function";
        }
        full = set(100, 100, 100);
        onePartial = set(25, 100, 100);
        threePartial = set(25, 50, 75);
    }

    private static FlagSet set(int pool, int stateMachine, int breaker) {
        Map<String, Flag> flags = new LinkedHashMap<>();
        flags.put("ENABLE_CONNECTION_POOL", new Flag("ENABLE_CONNECTION_POOL", true, pool));
        flags.put("ENABLE_STATE_MACHINE", new Flag("ENABLE_STATE_MACHINE", true, stateMachine));
        flags.put("ENABLE_CIRCUIT_BREAKER", new Flag("ENABLE_CIRCUIT_BREAKER", true, breaker));
        flags.put("ENABLE_ENTERPRISE_MONITORING", new Flag("ENABLE_ENTERPRISE_MONITORING", true, 100));
        flags.put("ENABLE_DETAILED_LOGGING", new Flag("ENABLE_DETAILED_LOGGING", false, 100));
        return new FlagSet(flags, Killswitch.OFF);
    }

    private String key() {
        next = (next + 1) & (keys.length - 1);
        return keys[next];
    }

    @Benchmark
    public Features noPartialRollout() {
        return full.decide(key());
    }

    @Benchmark
    public Features onePartialRollout() {
        return onePartial.decide(key());
    }

    @Benchmark
    public Features threePartialRollouts() {
        return threePartial.decide(key());
    }

    @Benchmark
    public Features threePartialRolloutsFirstSight() {
        return threePartial.compute(key());
    }

    /** A stream without a rollout key of its own, decided by its random id (as {@code StreamManager.plan} does). */
    @Benchmark
    public Features threePartialRolloutsStreamId() {
        return threePartial.decide(ThreadLocalRandom.current().nextLong());
    }
}
