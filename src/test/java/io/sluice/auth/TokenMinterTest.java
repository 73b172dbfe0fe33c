package io.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenMinterTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenMinter.KeyMaterial keys = TokenMinter.generateKeyPair();

    private final TokenMinter minter = TokenMinter.fromPrivateKeyPem(keys.privateKeyPem(), CLOCK);

    @Test
    void shouldMintTokenThatVerifierAcceptsWithEitherPublicKeyForm() {
        String token = minter.mint(Access.READ_ONLY, "alice", Duration.ofHours(1));

        Principal expected = new Principal("alice", Access.READ_ONLY);
        assertThat(verifierAt(NOW, keys.publicKeyBase64Url()).verify(token)).isEqualTo(expected);
        assertThat(verifierAt(NOW, keys.publicKeyPem()).verify(token)).isEqualTo(expected);
    }

    @Test
    void shouldWriteEdDsaHeaderAndClaimsAsUnpaddedBase64Url() throws Exception {
        String token = minter.mint(Access.READ_WRITE, "ci-bot", Duration.ofMinutes(10));
        String[] parts = token.split("\\.");

        assertThat(parts).hasSize(3);
        assertThat(token).doesNotContain("=", "+", "/");
        assertThat(decode(parts[0])).isEqualTo(JSON.readTree("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}"));
        long iat = NOW.getEpochSecond();
        assertThat(decode(parts[1])).isEqualTo(JSON.readTree(
                "{\"iat\":" + iat + ",\"exp\":" + (iat + 600) + ",\"a\":\"rw\",\"sub\":\"ci-bot\"}"));
        assertThat(Base64.getUrlDecoder().decode(parts[2])).hasSize(64);
    }

    @Test
    void shouldOmitExpAndSubWhenNotGiven() throws Exception {
        String token = minter.mint(Access.READ_ONLY, null, null);

        assertThat(decode(token.split("\\.")[1]))
                .isEqualTo(JSON.readTree("{\"iat\":" + NOW.getEpochSecond() + ",\"a\":\"ro\"}"));
        assertThat(verifierAt(NOW.plus(Duration.ofDays(3650)), keys.publicKeyBase64Url()).verify(token))
                .isEqualTo(new Principal(null, Access.READ_ONLY, false, Principal.fingerprint(token)));
    }

    @Test
    void shouldExpireAfterTtl() {
        String token = minter.mint(Access.READ_WRITE, "alice", Duration.ofSeconds(60));

        assertThat(verifierAt(NOW.plusSeconds(59), keys.publicKeyBase64Url()).verify(token).subject())
                .isEqualTo("alice");
        assertThatThrownBy(() -> verifierAt(NOW.plusSeconds(60), keys.publicKeyBase64Url()).verify(token))
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason())
                        .isEqualTo(AuthException.Reason.TOKEN_EXPIRED));
    }

    @Test
    void shouldGenerateDistinctEd25519KeyPairs() {
        TokenMinter.KeyMaterial other = TokenMinter.generateKeyPair();

        assertThat(other.publicKeyBase64Url()).isNotEqualTo(keys.publicKeyBase64Url());
        assertThat(Base64.getUrlDecoder().decode(keys.publicKeyBase64Url())).hasSize(32);
        assertThat(keys.publicKeyBase64Url()).doesNotContain("=");
        assertThat(keys.publicKeyPem())
                .startsWith("-----BEGIN PUBLIC KEY-----\n")
                .endsWith("-----END PUBLIC KEY-----\n");
        assertThat(keys.privateKeyPem())
                .startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        String token = TokenMinter.fromPrivateKeyPem(other.privateKeyPem(), CLOCK).mint(Access.READ_WRITE, null, null);
        assertThatThrownBy(() -> verifierAt(NOW, keys.publicKeyBase64Url()).verify(token))
                .isInstanceOf(AuthException.class)
                .hasMessage("invalid signature");
    }

    @Test
    void shouldKeepPrivateKeyOutOfToString() {
        String privateBody = keys.privateKeyPem().lines().skip(1).findFirst().orElseThrow();

        assertThat(keys.toString())
                .contains(keys.publicKeyBase64Url())
                .doesNotContain(privateBody)
                .contains("<redacted>");
    }

    @Test
    void shouldRejectInvalidPrivateKeyWithoutEchoingIt() {
        String secretLooking = "MC4CAQAwBQYDK2VwBCIEI-not-really";
        List<String> invalid = List.of(
                secretLooking,
                "",
                keys.publicKeyPem(),
                "-----BEGIN PRIVATE KEY-----\n" + secretLooking + "\n-----END PRIVATE KEY-----",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");

        for (String pem : invalid) {
            assertThatThrownBy(() -> TokenMinter.fromPrivateKeyPem(pem, CLOCK))
                    .as("private key text %s", pem)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("private key ")
                    .hasMessageNotContaining(secretLooking);
        }
    }

    @Test
    void shouldRejectEmptySubjectAndSubSecondTtl() {
        assertThatThrownBy(() -> minter.mint(Access.READ_WRITE, "", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint(Access.READ_WRITE, null, Duration.ofMillis(500)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.mint(Access.READ_WRITE, null, Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldParseAccessClaimsAsWritten() {
        assertThat(Access.fromClaim("ro")).isEqualTo(Access.READ_ONLY);
        assertThat(Access.fromClaim("rw")).isEqualTo(Access.READ_WRITE);
        assertThatThrownBy(() -> Access.fromClaim("RW")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Access.fromClaim(null)).isInstanceOf(IllegalArgumentException.class);
    }

    private static JwtVerifier verifierAt(Instant now, String publicKey) {
        return new JwtVerifier(List.of(publicKey), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static JsonNode decode(String segment) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(segment));
    }
}
