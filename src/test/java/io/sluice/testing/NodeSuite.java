package io.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A Node.js test suite kept in a folder of the project with its pinned {@code package-lock.json}
 * ({@code compat/} for the official clients, {@code browser-tests/} for the console): installs its packages
 * with {@code npm ci} when they are not exactly the locked ones, and runs its processes with their output in
 * the test log.
 */
public final class NodeSuite {
    private static final Logger LOG = Logger.getLogger(NodeSuite.class);
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    /** Written into {@code node_modules} after a successful {@code npm ci}; holds the install's fingerprint. */
    private static final String INSTALL_STAMP = ".sluice-npm-ci.sha256";
    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(10);

    private final Path dir;
    /** Prefixed to each output line in the log and names the output threads. */
    private final String name;

    private NodeSuite(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** The suite in {@code folder} of the project. */
    public static NodeSuite in(String folder) {
        return new NodeSuite(projectDir().resolve(folder), folder);
    }

    /** Failsafe runs in the project directory and says so in {@code basedir}. */
    public static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    public Path dir() {
        return dir;
    }

    /**
     * Runs {@code npm ci} unless {@code node_modules} was installed from exactly the current
     * {@code package.json} and {@code package-lock.json} on this platform.
     */
    public void installIfNeeded() throws Exception {
        String fingerprint = installFingerprint();
        Path stamp = dir.resolve("node_modules").resolve(INSTALL_STAMP);
        if (Files.isRegularFile(stamp) && Files.readString(stamp, StandardCharsets.UTF_8).strip().equals(fingerprint)) {
            LOG.infof("%s/node_modules is up to date; skipping npm ci", name);
            return;
        }
        int exit = run(NPM_CI_TIMEOUT, Map.of(), "npm", "ci", "--no-audit", "--no-fund");
        assertThat(exit).as("exit code of `npm ci` in %s/ (its output is in the log above)", name).isZero();
        Files.writeString(stamp, fingerprint + "\n", StandardCharsets.UTF_8);
    }

    private String installFingerprint() throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (String file : List.of("package.json", "package-lock.json")) {
            sha256.update(Files.readAllBytes(dir.resolve(file)));
            sha256.update((byte) 0);
        }
        // native optional dependencies differ per platform
        sha256.update((System.getProperty("os.name") + "/" + System.getProperty("os.arch")).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * Runs {@code program args} in the suite's folder with {@code environment} added, copies its merged output
     * line by line to the test log, and returns its exit code; fails the test when it cannot start or does
     * not finish within {@code timeout}.
     */
    public int run(Duration timeout, Map<String, String> environment, String program, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(WINDOWS && program.equals("npm") ? "npm.cmd" : program);
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            fail("cannot start `" + String.join(" ", command) + "`: Node.js 20+ and npm must be on the PATH", e);
            return -1;
        }
        process.getOutputStream().close();
        Thread pump = new Thread(() -> copyToLog(process), name + "-output");
        pump.setDaemon(true);
        pump.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("`" + String.join(" ", command) + "` did not finish within " + timeout);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    private void copyToLog(Process process) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                LOG.infof("[%s] %s", name, line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
