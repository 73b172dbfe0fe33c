package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.flags.FeatureDecisions;
import io.sluice.flags.Features;
import io.sluice.flags.FlagService;
import io.sluice.health.HealthScore;
import io.sluice.pool.Backend;
import io.sluice.pool.Lease;
import io.sluice.pool.LeasePolicy;
import jakarta.inject.Inject;
import java.time.Duration;
import org.awaitility.Awaitility;
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
    io.sluice.store.StoreService store;
    @Inject
    FeatureDecisions decisions;
    @Inject
    HealthScore score;

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
            assertThat(store.document().audit()).extracting(e -> e.target()).contains("connectionPool.maxConnections",
                    "circuitBreaker.recoveryTimeout");
        } finally {
            settings.restore(before.toProperties(), "test", "put back");
        }
        assertThat(backend.status().maxConnections()).isEqualTo(before.connectionPool().maxConnections());
        assertThat(breaker.status().failureThreshold()).isEqualTo(before.circuitBreaker().failureThreshold());
    }

    @Test
    void shouldReportALeakAfterTheLeakTimeoutSetLive() throws Exception {
        RuntimeSettings before = settings.current();
        long leaksBefore = backend.status().leaks();
        Lease held = backend.lease(42, LeasePolicy.ALL);
        try {
            settings.update("connectionPool", "leakTimeout", "1000", "test", "strict");
            settings.update("connectionPool", "validationInterval", "1000", "test", "often");

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.status().leaks() > leaksBefore);
        } finally {
            backend.release(held, true);
            settings.restore(before.toProperties(), "test", "put back");
        }
        assertThat(backend.status().leaks()).isEqualTo(leaksBefore + 1);
    }

    @Test
    void shouldJudgeTheHealthScoreByTheLivePassMark() {
        RuntimeSettings before = settings.current();
        try {
            assertThat(score.evaluate().healthy()).isTrue();
            settings.update("monitoring", "healthScoreThreshold", "100", "test", "perfectionist");
            // a perfect score still passes a pass mark of 100; memory or pool points lost would not
            HealthScore.Report strict = score.evaluate();
            assertThat(strict.threshold()).isEqualTo(100);
            assertThat(strict.healthy()).isEqualTo(strict.score() == 100);
        } finally {
            settings.restore(before.toProperties(), "test", "put back");
        }
        assertThat(score.evaluate().threshold()).isEqualTo(85);
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
