package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Runs the official JavaScript clients, {@code @libsql/client} and {@code @tursodatabase/serverless},
 * unmodified, against the packaged Sluice: the Node.js suite in {@code compat/clients.test.mjs}.
 *
 * <p>The application runs in its production profile with JWT authentication switched on. The test
 * generates an Ed25519 key pair, hands the public key to the application as
 * {@code sluice.auth.jwt-public-keys}, mints an EdDSA token with the JDK alone (independently of the
 * server's own code) and gives it to the clients as {@code SLUICE_AUTH_TOKEN}; so a pass proves that
 * real clients authenticate too.
 *
 * <p>Needs Node.js 20+ and npm on the {@code PATH} and the npm registry for {@code npm ci}. Skipped only
 * with {@code -Dcompat.skip=true}; without Node.js it fails and says so.
 */
@QuarkusIntegrationTest
@TestProfile(OfficialClientsIT.JwtAuthProfile.class)
class OfficialClientsIT {

    private static final Logger LOG = Logger.getLogger(OfficialClientsIT.class);

    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(10);

    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);

    /** Written into {@code node_modules} after a successful {@code npm ci}; holds {@link #installFingerprint}. */
    private static final String INSTALL_STAMP = ".sluice-npm-ci.sha256";

    private static final String PIPELINE_BODY =
            "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}";

    @TestHTTPResource("/")
    URL baseUrl;

    /** Production profile plus a JWT key of our own; the data directory lives under {@code target/}. */
    public static class JwtAuthProfile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "sluice.auth.mode", "jwt",
                    "sluice.auth.jwt-public-keys", TestKeys.publicKeyBase64Url(),
                    "sluice.data-dir", projectDir().resolve("target").resolve("compat-it-data").toString());
        }
    }

    @Test
    void shouldPassTheOfficialClientSuite() throws Exception {
        assumeFalse(Boolean.getBoolean("compat.skip"), "compat.skip=true: official client suite skipped");
        Path compatDir = projectDir().resolve("compat");
        assertThat(compatDir.resolve("clients.test.mjs")).as("the Node.js suite").isRegularFile();

        installClientsIfNeeded(compatDir);

        ProcessBuilder suite = new ProcessBuilder(command("node", "--test", "clients.test.mjs")).directory(compatDir.toFile());
        suite.environment().put("SLUICE_URL", dataApiUrl());
        suite.environment().put("SLUICE_AUTH_TOKEN", mintToken());
        suite.environment().put("SLUICE_BACKEND", backend());
        suite.environment().put("NO_COLOR", "1");
        int exit = run(suite, SUITE_TIMEOUT, "node");

        assertThat(exit).as("exit code of `node --test clients.test.mjs` (its output is in the log above)").isZero();
    }

    @Test
    void shouldRequireTheTokenGivenToTheClients() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI pipeline = URI.create(dataApiUrl() + "/v2/pipeline");

        HttpResponse<String> anonymous = http.send(pipelineRequest(pipeline).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> authorized = http.send(
                pipelineRequest(pipeline).header("Authorization", "Bearer " + mintToken()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).as("pipeline without a token").isEqualTo(401);
        assertThat(authorized.statusCode()).as("pipeline with the minted token: %s", authorized.body()).isEqualTo(200);
    }

    /** The database behind the application under test, as the suite's {@code SLUICE_BACKEND} names it. */
    String backend() {
        return "sqlite";
    }

    static HttpRequest.Builder pipelineRequest(URI pipeline) {
        return pipelineRequest(pipeline, PIPELINE_BODY);
    }

    static HttpRequest.Builder pipelineRequest(URI pipeline, String body) {
        return HttpRequest.newBuilder(pipeline)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** The data API base URL without a trailing slash, as an application would configure it. */
    String dataApiUrl() {
        String url;
        if (baseUrl != null) {
            url = baseUrl.toString();
        } else {
            url = System.getProperty("test.url", "http://localhost:" + Integer.getInteger("quarkus.http.test-port", 8081));
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * Runs {@code npm ci} unless {@code node_modules} was installed from exactly the current
     * {@code package.json} and {@code package-lock.json} on this platform.
     */
    private static void installClientsIfNeeded(Path compatDir) throws Exception {
        String fingerprint = installFingerprint(compatDir);
        Path stamp = compatDir.resolve("node_modules").resolve(INSTALL_STAMP);
        if (Files.isRegularFile(stamp) && Files.readString(stamp, StandardCharsets.UTF_8).strip().equals(fingerprint)) {
            LOG.infof("compat/node_modules is up to date; skipping npm ci");
            return;
        }
        ProcessBuilder npmCi = new ProcessBuilder(command("npm", "ci", "--no-audit", "--no-fund")).directory(compatDir.toFile());
        int exit = run(npmCi, NPM_CI_TIMEOUT, "npm");
        assertThat(exit).as("exit code of `npm ci` in compat/ (its output is in the log above)").isZero();
        Files.writeString(stamp, fingerprint + "\n", StandardCharsets.UTF_8);
    }

    private static String installFingerprint(Path compatDir) throws IOException, GeneralSecurityException {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (String file : List.of("package.json", "package-lock.json")) {
            sha256.update(Files.readAllBytes(compatDir.resolve(file)));
            sha256.update((byte) 0);
        }
        // Native optional dependencies differ per platform.
        sha256.update((System.getProperty("os.name") + "/" + System.getProperty("os.arch")).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Starts the process, copies its merged output line by line to the test log, and waits for it. */
    private static int run(ProcessBuilder builder, Duration timeout, String name) throws IOException, InterruptedException {
        builder.redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            fail("cannot start `" + String.join(" ", builder.command()) + "`: Node.js 20+ and npm must be on the PATH"
                    + " (or run with -Dcompat.skip=true to skip the official client suite)", e);
            return -1;
        }
        process.getOutputStream().close();
        Thread pump = new Thread(() -> copyToLog(process, name), "compat-" + name + "-output");
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

    private static void copyToLog(Process process, String name) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                LOG.infof("[%s] %s", name, line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> command(String program, String... args) {
        List<String> command = new ArrayList<>();
        command.add(WINDOWS && program.equals("npm") ? "npm.cmd" : program);
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** Failsafe runs in the project directory and says so in {@code basedir}. */
    private static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** A token as Turso issues them: EdDSA over {@code header.claims}, claim {@code a} = {@code rw}. */
    static String mintToken() throws GeneralSecurityException {
        return mintToken("rw");
    }

    /** A token with claim {@code a} = {@code access} ({@code rw} or {@code ro}). */
    static String mintToken(String access) throws GeneralSecurityException {
        Base64.Encoder base64Url = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String header = base64Url.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = base64Url.encodeToString(
                ("{\"a\":\"" + access + "\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}").getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(TestKeys.keyPair().getPrivate());
        signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + base64Url.encodeToString(signer.sign());
    }

    /**
     * One Ed25519 key pair per test JVM. The profile and the test instance may be loaded by different
     * class loaders, so the pair is kept in system properties rather than in a static field.
     */
    static final class TestKeys {

        // Deliberately outside the sluice.* and quarkus.* namespaces: these must never reach the application.
        private static final String PRIVATE_KEY_PROPERTY = "compat-it.jwt.private-key-pkcs8";

        private static final String PUBLIC_KEY_PROPERTY = "compat-it.jwt.public-key-x509";

        /** Length of the DER SubjectPublicKeyInfo prefix in front of the raw 32-byte Ed25519 key. */
        private static final int SPKI_PREFIX_LENGTH = 12;

        private TestKeys() {
        }

        static synchronized KeyPair keyPair() {
            try {
                String privateKey = System.getProperty(PRIVATE_KEY_PROPERTY);
                String publicKey = System.getProperty(PUBLIC_KEY_PROPERTY);
                if (privateKey == null || publicKey == null) {
                    KeyPair generated = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                    System.setProperty(PRIVATE_KEY_PROPERTY, Base64.getEncoder().encodeToString(generated.getPrivate().getEncoded()));
                    System.setProperty(PUBLIC_KEY_PROPERTY, Base64.getEncoder().encodeToString(generated.getPublic().getEncoded()));
                    return generated;
                }
                KeyFactory keys = KeyFactory.getInstance("Ed25519");
                PrivateKey priv = keys.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateKey)));
                PublicKey pub = keys.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey)));
                return new KeyPair(pub, priv);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK cannot make Ed25519 keys", e);
            }
        }

        /** The raw 32-byte public key in unpadded base64url, the form sqld and Turso print. */
        static String publicKeyBase64Url() {
            byte[] spki = keyPair().getPublic().getEncoded();
            byte[] raw = Arrays.copyOfRange(spki, SPKI_PREFIX_LENGTH, spki.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        }
    }
}
