package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.flags.FeatureDecisions;
import io.sluice.flags.FlagService;
import io.sluice.flags.Features;
import io.sluice.pool.Backend;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runtime settings and flags reach the real pool, breaker and request-path decisions. */
@QuarkusTest
class LiveSettingsTest {
    @Inject
    RuntimeSettingsService settings;
    @Inject
    Backend backend;
    @Inject
    CircuitBreaker breaker;
    @Inject
    FlagService flags;
    @Inject
    FeatureDecisions decisions;

    @Test
    void shouldResizeThePoolAndRetuneTheBreakerLive() {
        RuntimeSettings before = settings.current();
        try {
            settings.update("connectionPool", "maxConnections", "3", "test", "shrink");
            settings.update("connectionPool", "acquireTimeout", "1500", "test", "impatient");
            settings.update("circuitBreaker", "failureThreshold", "2", "test", "twitchy");
            settings.update("circuitBreaker", "recoveryTimeout", "4s", "test", "quick");

            assertThat(backend.status().maxConnections()).isEqualTo(3);
            assertThat(backend.status().acquireTimeout()).isEqualTo(Duration.ofMillis(1500));
            assertThat(breaker.status().failureThreshold()).isEqualTo(2);
            assertThat(breaker.status().recoveryTimeout()).isEqualTo(Duration.ofSeconds(4));
            assertThat(flags.audit()).extracting(e -> e.target()).contains("connectionPool.maxConnections", "circuitBreaker.recoveryTimeout");
        } finally {
            settings.restore(before.toProperties(), "test", "put back");
        }
        assertThat(backend.status().maxConnections()).isEqualTo(before.connectionPool().maxConnections());
        assertThat(breaker.status().failureThreshold()).isEqualTo(before.circuitBreaker().failureThreshold());
    }

    @Test
    void shouldTurnTheRequestPathsFeaturesOffWithTheKillswitchAndBackOnWithRestore() {
        assertThat(decisions.decide("client-a")).isEqualTo(Features.ALL);
        try {
            flags.killswitch("test incident", "test");
            assertThat(decisions.decide("client-a")).isEqualTo(new Features(false, false, false, true, false));
        } finally {
            flags.restore("test", "over");
        }
        assertThat(decisions.decide("client-a")).isEqualTo(Features.ALL);
    }
}
