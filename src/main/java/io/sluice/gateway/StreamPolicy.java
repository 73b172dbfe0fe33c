package io.sluice.gateway;

import io.sluice.flags.Features;
import io.sluice.pool.LeasePolicy;

/**
 * What applies to one stream, decided once from the flags when it opens (or, for a stream-less read on the
 * fast path, once for the request) and carried by the stream: nothing on the request path asks the flags
 * again.
 *
 * @param lease how its connection is leased (pooled or direct, tracked by the state machine, wait timed)
 * @param breaker acquisition and execution go through the circuit breaker
 * @param detailedMonitoring per-statement latency histograms
 * @param detailedLogging per-statement debug log lines
 */
record StreamPolicy(LeasePolicy lease, boolean breaker, boolean detailedMonitoring, boolean detailedLogging) {
    /** One policy per combination of the five flags, so deciding allocates nothing. */
    private static final StreamPolicy[] TABLE = new StreamPolicy[32];

    static {
        for (int bits = 0; bits < TABLE.length; bits++) {
            boolean pool = (bits & 1) != 0;
            boolean stateMachine = (bits & 2) != 0;
            boolean breaker = (bits & 4) != 0;
            boolean detailedMonitoring = (bits & 8) != 0;
            boolean detailedLogging = (bits & 16) != 0;
            TABLE[bits] = new StreamPolicy(new LeasePolicy(pool, stateMachine, pool && detailedMonitoring), breaker,
                    detailedMonitoring, detailedLogging);
        }
    }

    /** The policy the decided flags give. */
    static StreamPolicy of(Features f) {
        int bits = (f.pool() ? 1 : 0) | (f.stateMachine() ? 2 : 0) | (f.breaker() ? 4 : 0) | (f.detailedMonitoring() ? 8 : 0)
                | (f.detailedLogging() ? 16 : 0);
        return TABLE[bits];
    }

    /** Leases are validated and tracked through the lease state machine. */
    boolean stateMachine() {
        return lease.tracked();
    }
}
