package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A wrong value is reported under the setting the operator wrote, not the Quarkus property derived from it. */
class StartupFailureTest {

    @Test
    void shouldNameTheSluiceSettingADatasourcePropertyIsDerivedFrom() {
        assertThat(StartupFailure.source("quarkus.datasource.postgresql.jdbc.max-size")).isEqualTo("sluice.pool.max-connections");
        assertThat(StartupFailure.line("quarkus.datasource.sqlite.jdbc.max-size", "many", "a whole number"))
                .isEqualTo("configuration error: sluice.pool.max-connections (SLUICE_POOL_MAX_CONNECTIONS) is 'many'; expected a whole number");
    }

    @Test
    void shouldKeepAKeyThatIsNotDerived() {
        assertThat(StartupFailure.source("sluice.shutdown.grace")).isEqualTo("sluice.shutdown.grace");
    }
}
