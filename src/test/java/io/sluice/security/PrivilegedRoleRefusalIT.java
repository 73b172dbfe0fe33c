package io.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.Postgres;
import io.sluice.testing.SluiceProcess;
import io.sluice.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged server in {@code prod} against PostgreSQL as a superuser (the test cluster's
 * {@code postgres}): it refuses to start with one line saying why, unless
 * {@code sluice.database.allow-privileged-role=true}. Needs {@code target/quarkus-app} (package first).
 */
@ExtendWith(Postgres.class)
class PrivilegedRoleRefusalIT {

    private static Map<String, String> prod(boolean allow) {
        Map<String, String> config = new HashMap<>(Postgres.sluiceConfig());
        config.put("quarkus.profile", "prod");
        config.put("sluice.auth.jwt-public-keys", TestKeys.pair(Hostile.KEYS).publicKeyBase64Url());
        config.put("sluice.flags.store", "none");
        config.put("sluice.database.allow-privileged-role", Boolean.toString(allow));
        return config;
    }

    @Test
    void shouldRefuseToStartInProdAsASuperuserAndSayWhyInOneLine() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("target", "quarkus-app", "quarkus-run.jar")), "package Sluice first");

        assertThatThrownBy(() -> SluiceProcess.start("privileged-role-refused", prod(false)).close())
                .hasMessageContaining("exited during start");

        String log = Files.readString(Path.of("target", "privileged-role-refused.log"));
        assertThat(log).contains("the PostgreSQL role \"" + Postgres.USER + "\" is a superuser")
                .contains("sluice.database.allow-privileged-role=true");
    }

    @Test
    void shouldStartInProdAsASuperuserWhenTheOperatorAcceptsTheRisk() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("target", "quarkus-app", "quarkus-run.jar")), "package Sluice first");

        try (SluiceProcess sluice = SluiceProcess.start("privileged-role-allowed", prod(true))) {
            assertThat(sluice.post("/v3/pipeline", "{\"requests\":[]}").statusCode()).as("alive, asks for a token").isEqualTo(401);
        }
        assertThat(Files.readString(Path.of("target", "privileged-role-allowed.log"))).contains("is a superuser");
    }
}
