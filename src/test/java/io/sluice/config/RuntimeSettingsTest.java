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
}
