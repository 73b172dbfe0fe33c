package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The profile defaults in application.properties, read the way Quarkus reads them. */
class ProfilesTest {

    private static SluiceConfig profile(String profile, Map<String, String> env) throws IOException {
        URL props = ProfilesTest.class.getClassLoader().getResource("application.properties");
        SmallRyeConfig c = new SmallRyeConfigBuilder().withProfile(profile)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(props, 250))
                .withSources(new io.smallrye.config.EnvConfigSource(env, 300))
                .withMapping(SluiceConfig.class).build();
        return c.getConfigMapping(SluiceConfig.class);
    }

    @Test
    void shouldRunDevWithTwoConnectionsAndATwitchierBreaker() throws IOException {
        SluiceConfig dev = profile("dev", Map.of());
        assertThat(dev.pool().maxConnections()).isEqualTo(2);
        assertThat(dev.breaker().failureThreshold()).isEqualTo(3);
    }

    @Test
    void shouldRunProdWithFiveConnectionsThresholdFiveAndThirtySecondRecovery() throws IOException {
        SluiceConfig prod = profile("prod", Map.of());
        assertThat(prod.pool().maxConnections()).isEqualTo(5);
        assertThat(prod.breaker().failureThreshold()).isEqualTo(5);
        assertThat(prod.breaker().recoveryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(prod.productionMigrationApproved()).isFalse();
    }

    @Test
    void shouldLetTheSeedEnvironmentNamesOverrideAProfile() throws IOException {
        SluiceConfig prod = profile("prod", Map.of("DB_MAX_CONNECTIONS", "11", "CB_RECOVERY_TIMEOUT", "7000",
                "ROLLOUT_ENABLE_CONNECTION_POOL", "25", "PRODUCTION_MIGRATION_APPROVED", "true"));
        assertThat(prod.pool().maxConnections()).isEqualTo(11);
        assertThat(prod.breaker().recoveryTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(prod.flags().rollout().connectionPool()).isEqualTo(25);
        assertThat(prod.productionMigrationApproved()).isTrue();
    }

    @Test
    void shouldKeepTheTestProfileOnEveryFeatureWithFlagsInMemory() throws IOException {
        SluiceConfig test = profile("test", Map.of());
        assertThat(test.pool().maxConnections()).isEqualTo(5);
        assertThat(test.flags().store()).contains(SluiceConfig.Flags.StoreKind.NONE);
        assertThat(test.features().connectionPool()).isTrue();
    }
}
