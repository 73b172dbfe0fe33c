package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {

    static SluiceConfig config(String... kv) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            props.put(kv[i], kv[i + 1]);
        }
        return new SmallRyeConfigBuilder().withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(SluiceConfig.class).withDefaultValues(props).build().getConfigMapping(SluiceConfig.class);
    }

    private final RuntimeSettings seed = RuntimeSettings.from(config());

    @Test
    void shouldSeedFromConfigurationWithDesignDefaults() {
        assertThat(seed.connectionPool().maxConnections()).isEqualTo(5);
        assertThat(seed.connectionPool().acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(seed.circuitBreaker().failureThreshold()).isEqualTo(5);
        assertThat(seed.circuitBreaker().recoveryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(seed.gateway().streamIdleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(seed.monitoring().healthScoreThreshold()).isEqualTo(85);
        assertThat(RuntimeSettings.from(config("sluice.pool.max-connections", "9")).connectionPool().maxConnections()).isEqualTo(9);
    }

    @Test
    void shouldChangeOneKeyAndAcceptMillisecondsOrUnits() {
        assertThat(seed.with("connectionPool", "maxConnections", "12").connectionPool().maxConnections()).isEqualTo(12);
        assertThat(seed.with("circuitBreaker", "recoveryTimeout", "45000").circuitBreaker().recoveryTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(seed.with("circuitBreaker", "recoveryTimeout", "2s").circuitBreaker().recoveryTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(seed.with("monitoring", "errorRateThreshold", "0.1").monitoring().errorRateThreshold()).isEqualTo(0.1);
    }

    @Test
    void shouldNameTheFieldOfEveryInvalidValue() {
        assertThatThrownBy(() -> seed.with("connectionPool", "maxConnections", "many"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("connectionPool.maxConnections"))
                .hasMessageContaining("whole number").hasMessageContaining("many");
        assertThatThrownBy(() -> seed.with("connectionPool", "maxConnections", "0"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("connectionPool.maxConnections"));
        assertThatThrownBy(() -> seed.with("monitoring", "healthScoreThreshold", "101"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("monitoring.healthScoreThreshold"));
        assertThatThrownBy(() -> seed.with("monitoring", "errorRateThreshold", "1.5"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("monitoring.errorRateThreshold"));
        assertThatThrownBy(() -> seed.with("circuitBreaker", "recoveryTimeout", "soon"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("circuitBreaker.recoveryTimeout"));
        assertThatThrownBy(() -> seed.with("connectionPool", "colour", "blue"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("connectionPool.colour"))
                .hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> seed.with("turbo", "x", "1"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("component"));
    }

    @Test
    void shouldRefuseMoreMinimumThanMaximumConnections() {
        assertThatThrownBy(() -> seed.with("connectionPool", "minConnections", "6"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("connectionPool.minConnections"))
                .hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> seed.with("connectionPool", "minConnections", "3").with("connectionPool", "maxConnections", "2"))
                .isInstanceOf(SettingsException.class);
    }

    @Test
    void shouldRoundTripThroughProperties() {
        RuntimeSettings changed = seed.with("gateway", "maxStreams", "77").with("circuitBreaker", "successThreshold", "3");
        assertThat(RuntimeSettings.fromProperties(changed.toProperties())).isEqualTo(changed);
    }

    @Test
    void shouldFailStartUpWithOneLinePerSettingOutsideTheRuntimeBounds() {
        SluiceConfig c = config("sluice.breaker.recovery-timeout", "2h", "sluice.pool.max-connections", "20000");

        assertThatThrownBy(() -> RuntimeSettings.from(c)).isInstanceOfSatisfying(ConfigurationProblem.class,
                e -> assertThat(StartupFailure.describe(e)).containsExactly(
                        "configuration error: sluice.pool.max-connections (SLUICE_POOL_MAX_CONNECTIONS) is '20000'; expected a whole number "
                                + "between 1 and 10000 (DB_MAX_CONNECTIONS: 1 to 10000)",
                        "configuration error: sluice.breaker.recovery-timeout (SLUICE_BREAKER_RECOVERY_TIMEOUT) is '2h'; expected a duration "
                                + "like 500ms, 5s, 2m, 1h or PT5S between 1ms and 1h (CB_RECOVERY_TIMEOUT: whole milliseconds, 1 to 3600000)"));
        assertThatThrownBy(() -> RuntimeSettings.from(config("sluice.pool.min-connections", "6")))
                .isInstanceOf(ConfigurationProblem.class).hasMessageContaining("sluice.pool.min-connections").hasMessageContaining("at most");
    }

    @Test
    void shouldUpdateAnyKeyOfASnapshotSeededAtTheBounds() {
        RuntimeSettings atBounds = RuntimeSettings.from(config("sluice.breaker.recovery-timeout", "1h", "sluice.pool.max-connections", "10000"));

        assertThat(atBounds.with("gateway", "maxStreams", "10").gateway().maxStreams()).isEqualTo(10);
    }

    @Test
    void shouldRefuseToBuildARecordOutsideTheDeclaredBounds() {
        assertThatThrownBy(() -> new RuntimeSettings.CircuitBreaker(0, Duration.ofSeconds(1), 1))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("circuitBreaker.failureThreshold"));
        assertThatThrownBy(() -> new RuntimeSettings.ConnectionPool(2, 3, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("connectionPool.minConnections"));
        assertThatThrownBy(() -> new RuntimeSettings.Gateway(Duration.ofMillis(10), 1, 1024, 0, 0, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("gateway.streamIdleTimeout"));
    }

    @Test
    void shouldReadRuntimeDurationsInTheOneSyntaxAndStoredMillisecondsAlike() {
        assertThat(seed.with("circuitBreaker", "recoveryTimeout", "PT2S").circuitBreaker().recoveryTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(seed.with("circuitBreaker", "recoveryTimeout", "1m").circuitBreaker().recoveryTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(seed.with("monitoring", "latencyThresholdMs", "1s").monitoring().latencyThresholdMs()).isEqualTo(1000);
        assertThat(seed.with("monitoring", "latencyThresholdMs", "250").monitoring().latencyThresholdMs()).isEqualTo(250);
        assertThatThrownBy(() -> seed.with("gateway", "statementTimeout", "5 s"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("gateway.statementTimeout"))
                .hasMessageContaining("500ms, 5s, 2m, 1h or PT5S");
        assertThatThrownBy(() -> seed.with("circuitBreaker", "recoveryTimeout", "2h")).hasMessageContaining("between 1ms and 1h but was 2h");
    }

    @Test
    void shouldRefuseABareNumberForAStartUpDuration() {
        assertThatThrownBy(() -> config("sluice.shutdown.grace", "20").shutdown().grace())
                .satisfies(e -> assertThat(StartupFailure.describe(e)).containsExactly(
                        "configuration error: sluice.shutdown.grace (SLUICE_SHUTDOWN_GRACE) is '20'; expected a duration like 500ms, 5s, 2m, 1h or PT5S"));
        assertThat(config("sluice.shutdown.grace", "PT20S").shutdown().grace()).isEqualTo(Duration.ofSeconds(20));
    }
}
