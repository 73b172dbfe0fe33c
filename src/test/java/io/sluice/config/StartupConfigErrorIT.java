package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code serve} from the packaged jar with a wrong setting: one line naming the key, its environment name,
 * the value and what is expected, on stderr; no stack trace; a non-zero exit.
 */
class StartupConfigErrorIT {
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "SLUICE_SHUTDOWN_GRACE       | abc   | configuration error: sluice.shutdown.grace (SLUICE_SHUTDOWN_GRACE) is 'abc'; expected a duration like 500ms, 5s, 2m, 1h or PT5S",
            "SLUICE_FLAGS_STORE          | bogus | configuration error: sluice.flags.store (SLUICE_FLAGS_STORE) is 'bogus'; expected one of kubernetes, file, none",
            "SLUICE_POOL_MAX_CONNECTIONS | many  | configuration error: sluice.pool.max-connections (SLUICE_POOL_MAX_CONNECTIONS) is 'many'; expected a whole number",
            "CB_RECOVERY_TIMEOUT         | 7200000 | configuration error: sluice.breaker.recovery-timeout (SLUICE_BREAKER_RECOVERY_TIMEOUT) is '2h'; expected a duration like 500ms, 5s, 2m, 1h or PT5S between 1ms and 1h",
            "SLUICE_AUTH_MODE            | jwt   | configuration error: sluice.auth.jwt-public-keys (SLUICE_AUTH_JWT_PUBLIC_KEYS) is not set; expected the Ed25519 public keys"})
    void shouldPrintOneLineAndExitNonZeroWhenASettingIsWrongOrMissing(String env, String value, String line,
            @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=0", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.management.port=0", "-jar", JAR.toAbsolutePath().toString()));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(Map.of(env, value, "SLUICE_DATA_DIR", dir.resolve("data").toString()));
        Process p = pb.start();

        boolean ended = p.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }

        assertThat(ended).as("the server must not start").isTrue();
        assertThat(p.exitValue()).isNotZero();
        List<String> errLines = Files.readAllLines(err).stream().filter(l -> !l.isBlank()).toList();
        assertThat(errLines).as("stderr").hasSize(1);
        assertThat(errLines.get(0)).startsWith(line);
        assertThat(Files.readString(out) + Files.readString(err)).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
