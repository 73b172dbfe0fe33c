package io.sluice.auth;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * Creates Ed25519 key pairs and mints tokens that {@link JwtVerifier}, sqld and Turso accept, for
 * local development and operations. Tokens are compact JWS with the header {@code
 * {"alg":"EdDSA","typ":"JWT"}} and the claims {@code iat}, {@code exp} (when a lifetime is given),
 * {@code a}, {@code sub} (when a subject is given) and {@code roles} (for admin tokens).
 *
 * <p>The JWS is built and signed by jose4j, as {@link JwtVerifier} reads it. Instances are immutable
 * and safe to share between threads.
 */
public final class TokenMinter {

    /**
     * A freshly generated key pair in the text forms configuration and files use.
     *
     * @param publicKeyBase64Url the raw 32-byte public key, base64url without padding, the shortest
     *     form {@code SLUICE_AUTH_JWT_PUBLIC_KEYS} takes
     * @param publicKeyPem the public key as PEM SubjectPublicKeyInfo
     * @param privateKeyPem the private key as PEM PKCS#8; a secret
     */
    public record KeyMaterial(String publicKeyBase64Url, String publicKeyPem, String privateKeyPem) {

        /** Shows the short public key only, so that logging the record cannot leak the private key. */
        @Override
        public String toString() {
            return "KeyMaterial[publicKeyBase64Url=" + publicKeyBase64Url + ", privateKeyPem=<redacted>]";
        }
    }

    private final PrivateKey privateKey;

    private final Clock clock;

    private TokenMinter(PrivateKey privateKey, Clock clock) {
        this.privateKey = privateKey;
        this.clock = clock;
    }

    /**
     * Generates a new Ed25519 key pair from the JDK's default secure random source.
     *
     * @return the public key in both forms and the private key
     */
    public static KeyMaterial generateKeyPair() {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(Ed25519Keys.ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides no Ed25519 KeyPairGenerator", e);
        }
        return new KeyMaterial(
                Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519Keys.rawPublicKey(pair.getPublic())),
                Ed25519Keys.publicKeyPem(pair.getPublic()),
                Ed25519Keys.privateKeyPem(pair.getPrivate()));
    }

    /**
     * Creates a minter signing with a private key read from PEM.
     *
     * @param privateKeyPem an Ed25519 private key as PEM PKCS#8 ({@code -----BEGIN PRIVATE
     *     KEY-----}), as {@link #generateKeyPair()}, OpenSSL and Node's {@code crypto} write it
     * @param clock the source of {@code iat} and of the start of the lifetime
     * @return a minter for that key
     * @throws IllegalArgumentException if the text is not such a key; the message never repeats it
     */
    public static TokenMinter fromPrivateKeyPem(String privateKeyPem, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        try {
            return new TokenMinter(Ed25519Keys.parsePrivateKeyPem(privateKeyPem), clock);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("private key " + e.getMessage());
        }
    }

    /**
     * Mints a signed token.
     *
     * @param access what the token grants, written as the {@code a} claim
     * @param subject the {@code sub} claim, or {@code null} for none
     * @param ttl how long the token stays valid, whole seconds, or {@code null} for a token that
     *     never expires
     * @return the compact JWS
     * @throws IllegalArgumentException if the subject is empty or the lifetime shorter than a second
     */
    public String mint(Access access, String subject, Duration ttl) {
        return mint(access, subject, ttl, false);
    }

    /**
     * Mints a signed token, with the admin role ({@code "roles": ["admin"]}) when {@code admin} is true:
     * such a token is accepted by the admin API as well as the data API.
     *
     * @see #mint(Access, String, Duration)
     */
    public String mint(Access access, String subject, Duration ttl, boolean admin) {
        Objects.requireNonNull(access, "access");
        if (subject != null && subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        if (ttl != null && ttl.getSeconds() < 1) {
            throw new IllegalArgumentException("ttl must be at least one second");
        }
        long issuedAt = clock.instant().getEpochSecond();
        JwtClaims claims = new JwtClaims();
        claims.setIssuedAt(NumericDate.fromSeconds(issuedAt));
        if (ttl != null) {
            claims.setExpirationTime(NumericDate.fromSeconds(Math.addExact(issuedAt, ttl.getSeconds())));
        }
        claims.setClaim(JwtVerifier.ACCESS_CLAIM, access.claim());
        if (subject != null) {
            claims.setSubject(subject);
        }
        if (admin) {
            claims.setStringListClaim(JwtVerifier.ROLES_CLAIM, JwtVerifier.ADMIN_ROLE);
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.EDDSA);
        jws.setHeader("typ", "JWT");
        jws.setPayload(claims.toJson());
        jws.setKey(privateKey);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign with the Ed25519 private key", e);
        }
    }
}
