package io.sluice.auth;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The hand-written verifier {@link JwtVerifier} replaced (jose4j since issue #18): its request path
 * (cache, parsing, signature, claims) as it was, with the compact-JWS helpers it shared with the
 * minter inlined, so that {@link JwtVerificationBenchmark} measures the old and the new verification in
 * the same run. Not used by the server.
 */
final class HandWrittenJwtVerifier {

    /**
     * Longest token accepted, in characters. Real tokens are a few hundred characters; the cap keeps
     * a hostile header from costing more than a bounded amount of decoding.
     */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final List<PublicKey> keys;

    private final Clock clock;

    private final int cacheCapacity;

    private final ConcurrentMap<String, VerifiedToken> verified = new ConcurrentHashMap<>();

    /**
     * What a token with a valid signature and well-formed claims grants, and when. Bounds are epoch
     * seconds; an absent {@code nbf} or {@code exp} is an infinite bound.
     */
    private record VerifiedToken(Principal principal, double notBefore, double expiresAt) {
    }

    /** As {@code JwtVerifier(List, Clock, int)} was. */
    HandWrittenJwtVerifier(List<String> publicKeys, Clock clock, int cacheCapacity) {
        this.clock = clock;
        this.cacheCapacity = cacheCapacity;
        this.keys = publicKeys.stream().map(Ed25519Keys::parsePublicKey).toList();
    }

    /**
     * Verifies a compact JWS and returns the principal its claims describe.
     *
     * @param token the token, without the {@code Bearer} prefix
     * @return the principal the token stands for
     * @throws AuthException if the token is malformed, not {@code EdDSA}, signed by none of the
     *     configured keys, outside its validity period, or carries an invalid claim
     */
    public Principal verify(String token) {
        if (token == null || token.isEmpty()) {
            throw new AuthException(AuthException.Reason.MISSING_BEARER_TOKEN);
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
        String cacheKey = digest(token);
        VerifiedToken entry = verified.get(cacheKey);
        if (entry == null) {
            entry = verifyUncached(token);
            if (verified.size() >= cacheCapacity) {
                verified.clear();
            }
            verified.put(cacheKey, entry);
        }
        double nowSeconds = clock.millis() / 1000.0;
        if (nowSeconds >= entry.expiresAt()) {
            verified.remove(cacheKey);
            throw new AuthException(AuthException.Reason.TOKEN_EXPIRED);
        }
        if (nowSeconds < entry.notBefore()) {
            throw new AuthException(AuthException.Reason.TOKEN_NOT_YET_VALID);
        }
        return entry.principal();
    }

    private VerifiedToken verifyUncached(String token) {
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || secondDot == firstDot + 1 || token.indexOf('.', secondDot + 1) >= 0) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }

        checkHeader(decodeObject(token.substring(0, firstDot)));

        byte[] signature = decodeSegment(token.substring(secondDot + 1));
        if (signature == null) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
        byte[] signingInput = token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
        if (signature.length != 64 || !signedByAnyKey(signingInput, signature)) {
            throw new AuthException(AuthException.Reason.INVALID_SIGNATURE);
        }

        return claimsFrom(decodeObject(token.substring(firstDot + 1, secondDot)), token);
    }

    private static String digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no SHA-256", e);
        }
    }

    private static JsonNode decodeObject(String segment) {
        byte[] json = decodeSegment(segment);
        JsonNode object = json == null ? null : parseObject(json);
        if (object == null) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
        return object;
    }

    /**
     * Accepts only {@code EdDSA}. A {@code crit} header names extensions the token requires its
     * reader to understand (RFC 7515, 4.1.11); none are supported, so such tokens are refused.
     */
    private static void checkHeader(JsonNode header) {
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual() || !"EdDSA".equals(alg.textValue())) {
            throw new AuthException(AuthException.Reason.UNSUPPORTED_ALG);
        }
        if (header.has("crit")) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
    }

    private boolean signedByAnyKey(byte[] signingInput, byte[] signature) {
        Signature verifier = newVerifier();
        for (PublicKey key : keys) {
            try {
                verifier.initVerify(key);
                verifier.update(signingInput);
                if (verifier.verify(signature)) {
                    return true;
                }
            } catch (SignatureException e) {
                // The JDK reports some invalid signature encodings this way rather than as false;
                // either way this key did not sign the token.
            } catch (InvalidKeyException e) {
                throw new IllegalStateException("a configured Ed25519 key was refused by the JDK", e);
            }
        }
        return false;
    }

    private static Signature newVerifier() {
        try {
            return Signature.getInstance(Ed25519Keys.ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no Ed25519 Signature", e);
        }
    }

    /** A token without {@code sub} is identified by its fingerprint, so that it is a principal of its own. */
    private static VerifiedToken claimsFrom(JsonNode claims, String token) {
        JsonNode nbf = numericDate(claims, "nbf");
        JsonNode exp = numericDate(claims, "exp");
        String subject = optionalText(claims, "sub");
        return new VerifiedToken(
                new Principal(subject, access(claims), hasRole(claims, JwtVerifier.ADMIN_ROLE),
                        subject == null ? Principal.fingerprint(token) : null),
                nbf == null ? Double.NEGATIVE_INFINITY : nbf.doubleValue(),
                exp == null ? Double.POSITIVE_INFINITY : exp.doubleValue());
    }

    private static Access access(JsonNode claims) {
        String claim = optionalText(claims, "a");
        if (claim == null) {
            return Access.READ_WRITE;
        }
        try {
            return Access.fromClaim(claim);
        } catch (IllegalArgumentException e) {
            throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
        }
    }

    /** True when the {@code roles} claim, an array of strings, holds {@code role}; absent or {@code null} holds none. */
    private static boolean hasRole(JsonNode claims, String role) {
        JsonNode roles = claims.get(JwtVerifier.ROLES_CLAIM);
        if (roles == null || roles.isNull()) {
            return false;
        }
        if (!roles.isArray()) {
            throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
        }
        boolean found = false;
        for (JsonNode r : roles) {
            if (!r.isTextual()) {
                throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
            }
            found |= role.equals(r.textValue());
        }
        return found;
    }

    /** Returns the claim when it is a number, {@code null} when absent or JSON {@code null}. */
    private static JsonNode numericDate(JsonNode claims, String name) {
        JsonNode value = claims.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
        }
        return value;
    }

    /** Returns the claim when it is a string, {@code null} when absent or JSON {@code null}. */
    private static String optionalText(JsonNode claims, String name) {
        JsonNode value = claims.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
        }
        return value.textValue();
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static byte[] decodeSegment(String segment) {
        try {
            return Base64.getUrlDecoder().decode(segment);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static JsonNode parseObject(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
