package io.sluice.breaker;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Duration;
import java.time.Instant;

/**
 * A consistent snapshot of the {@link CircuitBreaker}, for the admin API, readiness and metrics.
 *
 * @param state the current state
 * @param failureThreshold connection-level failures in a row that open the breaker
 * @param recoveryTimeout how long the breaker stays open before it probes
 * @param successThreshold probe calls a half-open breaker lets through; all must succeed to close it
 * @param recentFailures connection-level failures in a row seen by calls that reached the database (a
 *        success resets it to 0; while CLOSED this is the progress towards {@code failureThreshold})
 * @param openedAt when the breaker last left CLOSED (kept across half-open probes), or null when CLOSED
 * @param nextProbeAt when an OPEN breaker lets the next probe through, or null when it is not OPEN (a
 *        FORCED_OPEN breaker never probes by itself)
 * @param totalTransitions state changes since start
 * @param lastTransitionCause why the last state change happened, or null before the first; never holds
 *        SQL text or a driver's message
 * @param lastTransitionAt when the last state change happened, or null before the first
 * @param rejectedCalls calls refused with {@link CircuitOpenException} since start
 */
@RegisterForReflection
public record BreakerStatus(
        BreakerState state,
        int failureThreshold,
        Duration recoveryTimeout,
        int successThreshold,
        int recentFailures,
        Instant openedAt,
        Instant nextProbeAt,
        long totalTransitions,
        String lastTransitionCause,
        Instant lastTransitionAt,
        long rejectedCalls) {
}
