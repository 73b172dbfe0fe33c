package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsExportTest {
    private final SluiceConfig config = RuntimeSettingsTest.config(
            "sluice.database.url", "jdbc:postgresql://app:hunter2@db:5432/app?password=hunter3",
            "sluice.database.user", "app",
            "sluice.database.password", "s3cret-pw",
            "sluice.gateway.baton-key", "baton-hmac-key",
            "sluice.auth.jwt-public-keys", "MCowBQYDK2VwAyEA-public-key");

    @Test
    void shouldNeverExportASecretInAnyFormat() {
        for (SettingsExport.Format f : SettingsExport.Format.values()) {
            String out = SettingsExport.export(RuntimeSettings.from(config), config, Map.of("admin.token", "adm1n-tok3n"), f);
            assertThat(out).as(f.name())
                    .doesNotContain("s3cret-pw", "baton-hmac-key", "public-key", "adm1n-tok3n", "hunter2", "hunter3")
                    .contains(SettingsExport.REDACTED)
                    .contains("maxConnections")
                    .contains("app");
        }
    }

    @Test
    void shouldExportEveryComponentInEachFormat() {
        RuntimeSettings s = RuntimeSettings.from(config).with("connectionPool", "maxConnections", "7");
        assertThat(SettingsExport.export(s, config, Map.of(), SettingsExport.Format.JSON)).contains("\"maxConnections\" : 7")
                .contains("\"healthScoreThreshold\" : 85");
        assertThat(SettingsExport.export(s, config, Map.of(), SettingsExport.Format.YAML)).contains("connectionPool:\n  maxConnections: 7\n");
        assertThat(SettingsExport.export(s, config, Map.of(), SettingsExport.Format.PROPERTIES))
                .contains("sluice.runtime.connectionPool.maxConnections=7\n").contains("sluice.runtime.gateway.streamIdleTimeout=10000\n");
        assertThatThrownBy(() -> SettingsExport.Format.of("xml"))
                .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.field()).isEqualTo("format"));
    }
}
