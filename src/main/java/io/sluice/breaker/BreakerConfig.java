package io.sluice.breaker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Start-up settings of the {@link CircuitBreaker} ({@code sluice.breaker.*}). All three can be changed
 * later without a restart through {@link CircuitBreaker#reconfigure}.
 */
@ConfigMapping(prefix = "sluice.breaker")
public interface BreakerConfig {

    /**
     * How many connection-level failures in a row open the breaker ({@code CB_FAILURE_THRESHOLD});
     * default 5, at least 1.
     */
    @WithDefault("5")
    int failureThreshold();

    /**
     * How long the breaker stays open before it lets probe calls through ({@code CB_RECOVERY_TIMEOUT}, ms);
     * default 30 s, at least 1 ms.
     */
    @WithDefault("30s")
    Duration recoveryTimeout();

    /**
     * How many probe calls a half-open breaker lets through, all of which must succeed to close it;
     * default 1: the first request after the recovery timeout is the probe, and its success ends the
     * outage for everyone.
     */
    @WithDefault("1")
    int successThreshold();
}
