package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The operator console in a real headless Chromium (Debian's {@code chromium} package), driven by
 * {@code playwright-core} from the suite in {@code browser-tests/console.test.mjs}, against the packaged
 * Sluice in its production profile with an admin token: log-in, no page and no data without the token, the
 * score, the live charts, the breaker forced open (the data API answers {@code CIRCUIT_OPEN}) and reset, a
 * rollout moved (the admin flags endpoint agrees), the killswitch pulled and restored, a migration to canary
 * watched step by step, logs, and a runtime setting's inline validation error. One screenshot per page is
 * left in {@code target/console-screenshots/}.
 *
 * <p>Needs Node.js 20+, npm (for {@code npm ci} of the pinned {@code playwright-core}) and Chromium at
 * {@code /usr/bin/chromium} ({@code -Dconsole.chromium=...} to point elsewhere). Without Chromium the test is
 * skipped with a message on a developer's machine and fails under {@code CI=true}, where {@code .ci/run}
 * installs it.
 */
@QuarkusIntegrationTest
@TestProfile(ConsoleBrowserIT.ConsoleProfile.class)
class ConsoleBrowserIT {
    private static final Logger LOG = Logger.getLogger(ConsoleBrowserIT.class);
    private static final String TOKEN = "console-it-admin-token";
    private static final String STAMP = ".sluice-npm-ci.sha256";

    @TestHTTPResource("/")
    URL baseUrl;

    /** Production profile, an admin token, the data API open, a 3 s soak and migrations approved. */
    public static class ConsoleProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.admin.token", TOKEN,
                    "sluice.auth.mode", "none",
                    "sluice.rollout.soak", "3s",
                    "sluice.production-migration-approved", "true",
                    "sluice.data-dir", projectDir().resolve("target").resolve("console-it-data").toString());
        }
    }

    @Test
    void shouldPassTheBrowserSuiteInHeadlessChromium() throws Exception {
        Path chromium = Path.of(System.getProperty("console.chromium", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            String message = "Chromium is not installed at " + chromium + " (apt-get install chromium): the console's browser tests need it";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + "; .ci/run installs it under CI=true");
            }
            assumeTrue(false, message + "; skipped outside CI");
        }
        Path suiteDir = projectDir().resolve("browser-tests");
        installIfNeeded(suiteDir);
        Path screenshots = projectDir().resolve("target").resolve("console-screenshots");

        ProcessBuilder suite = new ProcessBuilder("node", "--test", "console.test.mjs").directory(suiteDir.toFile());
        String url = baseUrl.toString();
        suite.environment().put("SLUICE_URL", url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        suite.environment().put("SLUICE_ADMIN_TOKEN", TOKEN);
        suite.environment().put("CHROMIUM", chromium.toString());
        suite.environment().put("SCREENSHOTS", screenshots.toString());
        suite.environment().put("NO_COLOR", "1");
        int exit = run(suite, Duration.ofMinutes(10));

        assertThat(exit).as("exit code of `node --test console.test.mjs` (its output is in the log above)").isZero();
        assertThat(screenshots.resolve("overview.png")).isRegularFile();
        assertThat(screenshots.resolve("migration.png")).isRegularFile();
    }

    /** {@code npm ci} unless {@code node_modules} came from exactly this {@code package.json} and lock file. */
    private static void installIfNeeded(Path dir) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (String file : List.of("package.json", "package-lock.json")) {
            sha256.update(Files.readAllBytes(dir.resolve(file)));
            sha256.update((byte) 0);
        }
        String fingerprint = HexFormat.of().formatHex(sha256.digest());
        Path stamp = dir.resolve("node_modules").resolve(STAMP);
        if (Files.isRegularFile(stamp) && Files.readString(stamp).strip().equals(fingerprint)) {
            return;
        }
        int exit = run(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile()), Duration.ofMinutes(10));
        assertThat(exit).as("exit code of `npm ci` in browser-tests/ (its output is in the log above)").isZero();
        Files.writeString(stamp, fingerprint + "\n", StandardCharsets.UTF_8);
    }

    private static int run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        builder.redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            fail("cannot start `" + String.join(" ", builder.command()) + "`: Node.js 20+ and npm must be on the PATH", e);
            return -1;
        }
        process.getOutputStream().close();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(line -> LOG.infof("[console] %s", line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "console-browser-output");
        pump.setDaemon(true);
        pump.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("`" + String.join(" ", builder.command()) + "` did not finish within " + timeout);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    private static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }
}
