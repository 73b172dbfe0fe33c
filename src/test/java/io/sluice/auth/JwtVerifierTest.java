package io.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private static final long NOW_SECONDS = NOW.getEpochSecond();

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final String EDDSA_HEADER = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}";

    /**
     * Made with Node 20's {@code crypto.generateKeyPairSync('ed25519')} and {@code crypto.sign(null,
     * data, privateKey)}: claims {@code {"a":"ro","sub":"node-client","iat":1767225600,"id":...,
     * "p":{"ro":{"ns":["default"]}}}}, no {@code exp}. The private key was discarded.
     */
    private static final String NODE_PUBLIC_KEY_RAW = "9eNr67rLu4cbwS2Ohk31w7Uwr62j4my4FBnN8uOk8Lw";

    private static final String NODE_PUBLIC_KEY_PEM = """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEA9eNr67rLu4cbwS2Ohk31w7Uwr62j4my4FBnN8uOk8Lw=
            -----END PUBLIC KEY-----
            """;

    private static final String NODE_TOKEN = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9"
            + ".eyJhIjoicm8iLCJzdWIiOiJub2RlLWNsaWVudCIsImlhdCI6MTc2NzIyNTYwMCwiaWQiOiIwYjZmOWMzZS0xYzFhLTRhNTIt"
            + "OWMxZS02YTNmMWQyYjdlMTAiLCJwIjp7InJvIjp7Im5zIjpbImRlZmF1bHQiXX19fQ"
            + ".ClxomFVxBSdry-EWKLmzmf446DZN4DMgsJH0NVfDDK-9QBTbEVWTi0HbZLn6bGbXa-Onm1r5mXmTFDOH8mU0DQ";

    private static final KeyPair KEY_A = generate("Ed25519");

    private static final KeyPair KEY_B = generate("Ed25519");

    private static final KeyPair UNKNOWN_KEY = generate("Ed25519");

    private final JwtVerifier verifier = new JwtVerifier(List.of(raw(KEY_A), raw(KEY_B)), CLOCK);

    @Test
    void shouldAcceptTokenSignedByAnyConfiguredKey() {
        assertThat(verifier.verify(token(KEY_A, "{\"sub\":\"alice\"}")))
                .isEqualTo(new Principal("alice", Access.READ_WRITE));
        assertThat(verifier.verify(token(KEY_B, "{\"sub\":\"bob\"}")))
                .isEqualTo(new Principal("bob", Access.READ_WRITE));
        assertThat(verifier.keyCount()).isEqualTo(2);
    }

    @Test
    void shouldRejectTokenSignedByUnknownKey() {
        assertRejected(token(UNKNOWN_KEY, "{\"a\":\"rw\"}"), AuthException.Reason.INVALID_SIGNATURE);
    }

    @Test
    void shouldRejectExpiredToken() {
        assertRejected(token(KEY_A, "{\"exp\":" + (NOW_SECONDS - 1) + "}"), AuthException.Reason.TOKEN_EXPIRED);
        assertRejected(token(KEY_A, "{\"exp\":" + NOW_SECONDS + "}"), AuthException.Reason.TOKEN_EXPIRED);
    }

    @Test
    void shouldAcceptTokenUntilItExpires() {
        assertThat(verifier.verify(token(KEY_A, "{\"exp\":" + (NOW_SECONDS + 1) + "}")).access())
                .isEqualTo(Access.READ_WRITE);
        assertThat(verifier.verify(token(KEY_A, "{\"exp\":" + NOW_SECONDS + ".5}")).access())
                .isEqualTo(Access.READ_WRITE);
    }

    @Test
    void shouldRejectTokenBeforeItsNotBeforeTime() {
        assertRejected(
                token(KEY_A, "{\"nbf\":" + (NOW_SECONDS + 1) + "}"), AuthException.Reason.TOKEN_NOT_YET_VALID);
        assertThat(verifier.verify(token(KEY_A, "{\"nbf\":" + NOW_SECONDS + "}")).access())
                .isEqualTo(Access.READ_WRITE);
    }

    @Test
    void shouldRejectAlgNone() {
        String unsigned = segment("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + segment("{\"a\":\"rw\"}") + ".";
        assertRejected(unsigned, AuthException.Reason.UNSUPPORTED_ALG);
        assertRejected(signed(KEY_A, "{\"alg\":\"none\"}", "{\"a\":\"rw\"}"), AuthException.Reason.UNSUPPORTED_ALG);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"alg\":\"HS256\"}",
            "{\"alg\":\"RS256\"}",
            "{\"alg\":\"ES256\"}",
            "{\"alg\":\"eddsa\"}",
            "{\"alg\":\"\"}",
            "{\"alg\":null}",
            "{\"alg\":[\"EdDSA\"]}",
            "{\"typ\":\"JWT\"}"
    })
    void shouldRejectAlgorithmsOtherThanEdDsa(String header) {
        assertRejected(signed(KEY_A, header, "{}"), AuthException.Reason.UNSUPPORTED_ALG);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"alg\":\"EdDSA\",\"crit\":[\"b64\"],\"b64\":false}",
            "{\"alg\":\"EdDSA\",\"crit\":[\"exp\"],\"exp\":1}",
            "{\"alg\":\"EdDSA\",\"crit\":null}"
    })
    void shouldRejectTokenWithCriticalHeaderExtensions(String header) {
        assertRejected(signed(KEY_A, header, "{}"), AuthException.Reason.MALFORMED_TOKEN);
    }

    @Test
    void shouldRejectUnencodedPayloadHeaderEvenWithoutCrit() {
        String header = "{\"alg\":\"EdDSA\",\"b64\":false}";
        String signingInput = segment(header) + ".{}";
        String unencoded = signingInput + "." + segment(sign(KEY_A, signingInput));

        assertRejected(signed(KEY_A, header, "{}"), AuthException.Reason.MALFORMED_TOKEN);
        assertRejected(unencoded, AuthException.Reason.MALFORMED_TOKEN);
    }

    @Test
    void shouldAcceptPaddedSegmentsAndRefuseCharactersOutsideTheAlphabet() {
        String[] parts = token(KEY_A, "{\"sub\":\"alice\"}").split("\\.");
        String paddedSignature = parts[2] + "==".substring(0, (4 - parts[2].length() % 4) % 4);

        assertThat(verifier.verify(parts[0] + "." + parts[1] + "." + paddedSignature).subject()).isEqualTo("alice");
        assertRejected(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + "*" + parts[2].substring(10),
                AuthException.Reason.MALFORMED_TOKEN);
        assertRejected(parts[0] + "." + parts[1] + "=." + parts[2], AuthException.Reason.MALFORMED_TOKEN);
    }

    @Test
    void shouldTreatMissingAccessClaimAsReadWrite() {
        String token = token(KEY_A, "{}");
        Principal principal = verifier.verify(token);

        assertThat(principal).isEqualTo(new Principal(null, Access.READ_WRITE, false, Principal.fingerprint(token)));
        assertThat(principal.canWrite()).isTrue();
        assertThat(verifier.verify(token(KEY_A, "{\"a\":null}")).access()).isEqualTo(Access.READ_WRITE);
    }

    @Test
    void shouldIdentifyATokenWithoutSubjectByItsFingerprintNeverByItsText() {
        String first = token(KEY_A, "{\"a\":\"ro\"}");
        String second = token(KEY_A, "{\"a\":\"ro\",\"id\":\"2\"}");

        Principal one = verifier.verify(first);
        Principal two = verifier.verify(second);

        assertThat(one.authenticated()).isTrue();
        assertThat(one.identity()).isNotEqualTo(two.identity()).doesNotContain(first);
        assertThat(one.rolloutKey()).matches("[0-9a-f]{32}").isEqualTo(verifier.verify(first).rolloutKey());
        assertThat(first).doesNotContain(one.rolloutKey());
        assertThat(verifier.verify(token(KEY_A, "{\"sub\":\"alice\"}")).identity()).isEqualTo("sub:alice");
    }

    @Test
    void shouldReadAccessClaim() {
        Principal readOnly = verifier.verify(token(KEY_A, "{\"a\":\"ro\"}"));
        Principal readWrite = verifier.verify(token(KEY_A, "{\"a\":\"rw\"}"));

        assertThat(readOnly.access()).isEqualTo(Access.READ_ONLY);
        assertThat(readOnly.canWrite()).isFalse();
        assertThat(readWrite.access()).isEqualTo(Access.READ_WRITE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"RO\"", "\"admin\"", "\"\"", "1", "true", "[\"ro\"]"})
    void shouldRejectUnknownAccessClaim(String value) {
        assertRejected(token(KEY_A, "{\"a\":" + value + "}"), AuthException.Reason.INVALID_CLAIMS);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"exp\":\"2031-01-01\"}",
            "{\"nbf\":true}",
            "{\"sub\":42}",
            "{\"sub\":{\"name\":\"alice\"}}",
            "{\"roles\":\"admin\"}",
            "{\"roles\":[\"admin\",1]}"
    })
    void shouldRejectKnownClaimsOfTheWrongType(String claims) {
        assertRejected(token(KEY_A, claims), AuthException.Reason.INVALID_CLAIMS);
    }

    @Test
    void shouldGrantTheAdminRoleOnlyWhenTheRolesClaimContainsAdmin() {
        assertThat(verifier.verify(token(KEY_A, "{\"sub\":\"ops\",\"roles\":[\"reader\",\"admin\"]}")))
                .isEqualTo(new Principal("ops", Access.READ_WRITE, true));
        assertThat(verifier.verify(token(KEY_A, "{\"roles\":[\"reader\"]}")).admin()).isFalse();
        assertThat(verifier.verify(token(KEY_A, "{\"roles\":null}")).admin()).isFalse();
        assertThat(verifier.verify(token(KEY_A, "{\"role\":\"admin\"}")).admin()).isFalse();
    }

    @Test
    void shouldIgnoreUnknownClaims() {
        String claims = "{\"a\":\"ro\",\"sub\":\"svc\",\"iat\":1,\"id\":\"4f1c\",\"aud\":[\"x\"],"
                + "\"p\":{\"rw\":{\"ns\":[\"main\"]},\"roa\":{\"tags\":[\"t\"]}}}";

        assertThat(verifier.verify(token(KEY_A, claims))).isEqualTo(new Principal("svc", Access.READ_ONLY));
    }

    @Test
    void shouldAcceptRawBase64UrlAndPemKeys() {
        byte[] raw = Ed25519Keys.rawPublicKey(KEY_A.getPublic());
        byte[] der = KEY_A.getPublic().getEncoded();
        String pem = pem("PUBLIC KEY", der) + "\n";
        List<String> forms = List.of(
                Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
                Base64.getUrlEncoder().encodeToString(raw),
                Base64.getEncoder().encodeToString(raw),
                "  " + Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\n",
                pem,
                pem.replace("\n", "\\n"),
                pem.replace("\n", "\r\n"),
                Base64.getMimeEncoder().encodeToString(der),
                Base64.getEncoder().encodeToString(der),
                Base64.getUrlEncoder().withoutPadding().encodeToString(der));
        String token = token(KEY_A, "{\"sub\":\"alice\"}");

        for (String form : forms) {
            assertThat(new JwtVerifier(List.of(form), CLOCK).verify(token).subject())
                    .as("key form %s", form)
                    .isEqualTo("alice");
        }
    }

    @Test
    void shouldRejectInvalidKeyTextNamingItsPositionWithoutEchoingIt() {
        String secretLooking = "not-a-key-0123456789";
        byte[] shortKey = Arrays.copyOf(Ed25519Keys.rawPublicKey(KEY_A.getPublic()), 31);
        List<String> invalid = List.of(
                secretLooking,
                "",
                Base64.getUrlEncoder().withoutPadding().encodeToString(shortKey),
                pem("PUBLIC KEY", generate("RSA").getPublic()),
                pem("PUBLIC KEY", generate("Ed448").getPublic()),
                pem("PRIVATE KEY", KEY_A.getPrivate().getEncoded()),
                "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----");

        for (String key : invalid) {
            assertThatThrownBy(() -> new JwtVerifier(List.of(raw(KEY_A), key), CLOCK))
                    .as("key text %s", key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("JWT public key 2 of 2 ")
                    .hasMessageNotContaining(secretLooking)
                    .hasMessageNotContaining(raw(KEY_A));
        }
    }

    @Test
    void shouldRejectKeysThatCannotVerifySafely() {
        byte[] notOnCurve = new byte[32];
        notOnCurve[0] = 2;
        byte[] allOnes = new byte[32];
        Arrays.fill(allOnes, (byte) 0xff);
        List<String> smallOrder = List.of(
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                segment(HexFormat.of().parseHex("0100000000000000000000000000000000000000000000000000000000000000")),
                segment(HexFormat.of().parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")),
                segment(HexFormat.of().parseHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85")),
                segment(HexFormat.of().parseHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")));

        for (String key : smallOrder) {
            assertThatThrownBy(() -> new JwtVerifier(List.of(key), CLOCK))
                    .as("key %s", key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("JWT public key 1 of 1 is a small-order Ed25519 point (for example all zeros), "
                            + "not a real public key");
        }
        for (byte[] key : List.of(notOnCurve, allOnes)) {
            assertThatThrownBy(() -> new JwtVerifier(List.of(segment(key)), CLOCK))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("JWT public key 1 of 1 is not a point on the Ed25519 curve");
        }
    }

    @Test
    void shouldRequireAtLeastOneKey() {
        assertThatThrownBy(() -> new JwtVerifier(List.of(), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
    }

    @Test
    void shouldRejectTamperedPayload() {
        String original = token(KEY_A, "{\"a\":\"ro\",\"sub\":\"alice\"}");
        String[] parts = original.split("\\.");
        String escalated = parts[0] + "." + segment("{\"a\":\"rw\",\"sub\":\"alice\"}") + "." + parts[2];

        assertThat(verifier.verify(original).access()).isEqualTo(Access.READ_ONLY);
        assertRejected(escalated, AuthException.Reason.INVALID_SIGNATURE);
    }

    @Test
    void shouldRejectTamperedSignature() {
        String[] parts = token(KEY_A, "{}").split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[10] ^= 0x01;
        String flipped = parts[0] + "." + parts[1] + "." + segment(signature);
        String truncated = parts[0] + "." + parts[1] + "." + segment(Arrays.copyOf(signature, 63));

        assertRejected(flipped, AuthException.Reason.INVALID_SIGNATURE);
        assertRejected(truncated, AuthException.Reason.INVALID_SIGNATURE);
        assertRejected(parts[0] + "." + parts[1] + ".", AuthException.Reason.INVALID_SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "abc",
            "abc.def",
            "a.b.c.d",
            ".eyJ9.sig",
            "eyJhbGciOiJFZERTQSJ9..sig",
            "!!!.eyJ9.sig",
            "eyJhbGciOiJFZERTQSJ9.eyJ9.sig with space",
            "bm90IGpzb24.eyJ9.c2ln",
            "WyJhbGciLCJFZERTQSJd.eyJ9.c2ln"
    })
    void shouldRejectMalformedTokens(String token) {
        assertRejected(token, AuthException.Reason.MALFORMED_TOKEN);
    }

    @Test
    void shouldRejectSignedPayloadThatIsNotAJsonObject() {
        List<String> payloads =
                List.of("not json", "[1,2]", "\"text\"", "{\"a\":\"ro\"} trailing", "{\"a\":\"ro\",\"a\":\"rw\"}");
        for (String payload : payloads) {
            String token = signedSegments(KEY_A, segment(EDDSA_HEADER), segment(payload));
            assertRejected(token, AuthException.Reason.MALFORMED_TOKEN);
        }
    }

    @Test
    void shouldRejectOverlongToken() {
        String claims = "{\"pad\":\"" + "x".repeat(JwtVerifier.MAX_TOKEN_LENGTH) + "\"}";
        assertRejected(token(KEY_A, claims), AuthException.Reason.MALFORMED_TOKEN);
    }

    @Test
    void shouldNotRevealTokenInFailure() {
        String token = token(UNKNOWN_KEY, "{\"sub\":\"alice\"}");

        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(AuthException.class)
                .hasMessage("invalid signature")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    }

    @Test
    void shouldAcceptTokenSignedByNodeCrypto() {
        Principal expected = new Principal("node-client", Access.READ_ONLY);

        assertThat(new JwtVerifier(List.of(NODE_PUBLIC_KEY_RAW), CLOCK).verify(NODE_TOKEN)).isEqualTo(expected);
        assertThat(new JwtVerifier(List.of(NODE_PUBLIC_KEY_PEM), CLOCK).verify(NODE_TOKEN)).isEqualTo(expected);
        assertRejected(NODE_TOKEN, AuthException.Reason.INVALID_SIGNATURE);
    }

    @Test
    void shouldRejectRememberedTokenOnceItExpires() {
        MutableClock clock = new MutableClock(NOW);
        JwtVerifier cachingVerifier = new JwtVerifier(List.of(raw(KEY_A)), clock);
        String token = token(KEY_A, "{\"sub\":\"alice\",\"exp\":" + (NOW_SECONDS + 60) + "}");

        assertThat(cachingVerifier.verify(token).subject()).isEqualTo("alice");
        clock.now = NOW.plusSeconds(60);
        assertThatThrownBy(() -> cachingVerifier.verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason())
                        .isEqualTo(AuthException.Reason.TOKEN_EXPIRED));
        clock.now = NOW;
        assertThat(cachingVerifier.verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void shouldAcceptRememberedTokenOnceItsNotBeforeTimeHasPassed() {
        MutableClock clock = new MutableClock(NOW);
        JwtVerifier cachingVerifier = new JwtVerifier(List.of(raw(KEY_A)), clock);
        String token = token(KEY_A, "{\"sub\":\"alice\",\"nbf\":" + (NOW_SECONDS + 60) + "}");

        assertThatThrownBy(() -> cachingVerifier.verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason())
                        .isEqualTo(AuthException.Reason.TOKEN_NOT_YET_VALID));
        clock.now = NOW.plusSeconds(60);
        assertThat(cachingVerifier.verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void shouldKeepVerifyingCorrectlyBeyondCacheCapacity() {
        JwtVerifier smallCache = new JwtVerifier(List.of(raw(KEY_A)), CLOCK, 2);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tokens.add(token(KEY_A, "{\"sub\":\"user-" + i + "\"}"));
        }

        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < tokens.size(); i++) {
                assertThat(smallCache.verify(tokens.get(i)).subject()).isEqualTo("user-" + i);
                assertThat(smallCache.cachedTokenCount()).isBetween(1, 2);
                assertThatThrownBy(() -> smallCache.verify(token(UNKNOWN_KEY, "{\"sub\":\"user-0\"}")))
                        .isInstanceOf(AuthException.class)
                        .hasMessage("invalid signature");
            }
        }
    }

    @Test
    void shouldExtractBearerTokenFromAuthorizationHeader() {
        assertThat(JwtVerifier.bearerToken("Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
        assertThat(JwtVerifier.bearerToken("bearer abc")).isEqualTo("abc");
        assertThat(JwtVerifier.bearerToken("  BEARER \t abc  ")).isEqualTo("abc");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "   ", "Bearer", "Bearer   ", "Bearerabc", "Basic YWxpY2U6cHc=", "Token abc", "abc.def.ghi"
    })
    void shouldRejectAuthorizationHeaderWithoutBearerToken(String header) {
        assertThatThrownBy(() -> JwtVerifier.bearerToken(header))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason())
                        .isEqualTo(AuthException.Reason.MISSING_BEARER_TOKEN));
    }

    @Test
    void shouldVerifyAuthorizationHeader() {
        assertThat(verifier.verifyAuthorizationHeader("Bearer " + token(KEY_B, "{\"a\":\"ro\"}")).access())
                .isEqualTo(Access.READ_ONLY);
        assertThatThrownBy(() -> verifier.verifyAuthorizationHeader(null))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason())
                        .isEqualTo(AuthException.Reason.MISSING_BEARER_TOKEN));
    }

    @Test
    void shouldVerifyConcurrentlyFromManyThreads() throws Exception {
        List<Callable<Principal>> calls = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            KeyPair key = i % 2 == 0 ? KEY_A : KEY_B;
            String token = token(key, "{\"sub\":\"user-" + i + "\"}");
            calls.add(() -> verifier.verify(token));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Principal>> results = pool.invokeAll(calls);
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get().subject()).isEqualTo("user-" + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertRejected(String token, AuthException.Reason reason) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).isEqualTo(reason.message());
                });
    }

    private static String token(KeyPair key, String claims) {
        return signed(key, EDDSA_HEADER, claims);
    }

    private static String signed(KeyPair key, String header, String claims) {
        return signedSegments(key, segment(header), segment(claims));
    }

    private static String signedSegments(KeyPair key, String header, String payload) {
        String signingInput = header + "." + payload;
        return signingInput + "." + segment(sign(key, signingInput));
    }

    private static byte[] sign(KeyPair key, String signingInput) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key.getPrivate());
            signer.update(signingInput.getBytes(StandardCharsets.UTF_8));
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String segment(String json) {
        return segment(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String segment(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String raw(KeyPair key) {
        return segment(Ed25519Keys.rawPublicKey(key.getPublic()));
    }

    private static String pem(String label, PublicKey key) {
        return pem(label, key.getEncoded());
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END " + label + "-----";
    }

    /** A clock the test moves by hand, to see cached verifications meet the passage of time. */
    private static final class MutableClock extends Clock {

        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static KeyPair generate(String algorithm) {
        try {
            return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
