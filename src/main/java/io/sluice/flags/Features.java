package io.sluice.flags;

/**
 * What applies to one stream's requests.
 *
 * @param pool statements use a pooled lease; false = a direct connection per stream (the legacy path)
 * @param stateMachine leases are validated and tracked through the lease state machine
 * @param breaker acquisition and execution go through the circuit breaker
 * @param detailedMonitoring per-statement metrics and latency histograms
 * @param detailedLogging per-statement debug log lines (SQL text redacted of literals)
 */
public record Features(boolean pool, boolean stateMachine, boolean breaker, boolean detailedMonitoring, boolean detailedLogging) {

    /** Everything on, as the enterprise layer is meant to run. */
    public static final Features ALL = new Features(true, true, true, true, false);
}
