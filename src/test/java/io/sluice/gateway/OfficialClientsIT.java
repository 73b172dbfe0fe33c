package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.NodeSuite;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
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

    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);

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
                    "sluice.data-dir", NodeSuite.projectDir().resolve("target").resolve("compat-it-data").toString());
        }
    }

    @Test
    void shouldPassTheOfficialClientSuite() throws Exception {
        assumeFalse(Boolean.getBoolean("compat.skip"), "compat.skip=true: official client suite skipped");
        NodeSuite compat = NodeSuite.in("compat");
        assertThat(compat.dir().resolve("clients.test.mjs")).as("the Node.js suite").isRegularFile();
        compat.installIfNeeded();
        int exit = compat.run(SUITE_TIMEOUT, Map.of("SLUICE_URL", dataApiUrl(), "SLUICE_AUTH_TOKEN", mintToken(),
                "SLUICE_BACKEND", backend(), "NO_COLOR", "1"), "node", "--test", "clients.test.mjs");

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
