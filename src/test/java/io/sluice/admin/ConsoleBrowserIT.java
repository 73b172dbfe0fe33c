package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.NodeSuite;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
    private static final String TOKEN = "console-it-admin-token";

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
                    "sluice.data-dir", NodeSuite.projectDir().resolve("target").resolve("console-it-data").toString());
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
        NodeSuite browser = NodeSuite.in("browser-tests");
        browser.installIfNeeded();
        Path screenshots = NodeSuite.projectDir().resolve("target").resolve("console-screenshots");
        String url = baseUrl.toString();
        int exit = browser.run(Duration.ofMinutes(10), Map.of("SLUICE_URL", url.endsWith("/") ? url.substring(0, url.length() - 1) : url,
                "SLUICE_ADMIN_TOKEN", TOKEN, "CHROMIUM", chromium.toString(), "SCREENSHOTS", screenshots.toString(), "NO_COLOR", "1"),
                "node", "--test", "console.test.mjs");

        assertThat(exit).as("exit code of `node --test console.test.mjs` (its output is in the log above)").isZero();
        assertThat(screenshots.resolve("overview.png")).isRegularFile();
        assertThat(screenshots.resolve("migration.png")).isRegularFile();
    }
}
