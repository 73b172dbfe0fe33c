package io.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.ReservedClaimNames;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwx.HeaderParameterNames;
import org.jose4j.jwx.Headers;
import org.jose4j.lang.JoseException;

/**
 * Verifies the bearer tokens libSQL clients send: compact JWS with {@code alg} {@code EdDSA}
 * (Ed25519), signed by the private half of any one of the configured public keys.
 *
 * <p>Claims read, all optional; any other claim (Turso's {@code p}, {@code id}, {@code iat}, ...) is
 * ignored:
 *
 * <ul>
 *   <li>{@code exp} (NumericDate, seconds) — the token is refused from that instant on;
 *   <li>{@code nbf} (NumericDate, seconds) — the token is refused before that instant;
 *   <li>{@code a} — {@code "ro"} or {@code "rw"}; absent or {@code null} means read-write, as in
 *       sqld; any other value refuses the token;
 *   <li>{@code sub} — a string, kept as {@link Principal#subject()};
 *   <li>{@code roles} — an array of strings; containing {@code "admin"} grants the admin API ({@link
 *       Principal#admin()}). Any other shape refuses the token.
 * </ul>
 *
 * <p>Times are compared with the given clock without leeway. Tokens minted by Turso and by {@link
 * TokenMinter} carry no {@code nbf}, so clock skew can only make a token expire early by the skew;
 * with lifetimes of minutes to days that is harmless, while a tolerance would extend the life of
 * every stolen token.
 *
 * <p>The compact serialization, the header and the Ed25519 signature are handled by jose4j (a
 * {@link JsonWebSignature} constrained to {@code EdDSA}); what stays here is what jose4j is lenient
 * about or does not know: strict base64url segments, refusing {@code crit} and {@code b64}, and the
 * libSQL claims. The signature is checked before any claim is looked at. Keys are decoded and checked
 * once, at construction; each verification uses its own {@link JsonWebSignature}, so one instance
 * serves all request threads. Because an Ed25519 verification costs the JDK most of a millisecond per
 * key (jose4j adds a few per cent: {@code bench/jwt-verify.sh}) and clients send the same token with
 * every request, tokens that verified are remembered, by SHA-256 digest rather than by value, in a
 * bounded cache; {@code exp} and {@code nbf} are still checked against
 * the clock on every call, and failures are never cached. A new set of keys means a new instance,
 * so the cache never outlives the keys that filled it.
 */
public final class JwtVerifier {

    /**
     * Longest token accepted, in characters. Real tokens are a few hundred characters; the cap keeps
     * a hostile header from costing more than a bounded amount of decoding.
     */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    /** How many verified tokens are remembered before the cache is emptied and starts over. */
    static final int DEFAULT_CACHE_CAPACITY = 1024;

    private static final String BEARER = "Bearer";

    /** libSQL's access claim: {@code "ro"} or {@code "rw"}. */
    static final String ACCESS_CLAIM = "a";

    /** Checked by jose4j as well as by {@link #checkHeader}: a second lock on the same door. */
    private static final AlgorithmConstraints EDDSA_ONLY =
            new AlgorithmConstraints(ConstraintType.PERMIT, AlgorithmIdentifiers.EDDSA);

    /** The claim listing a token's roles: a JSON array of strings. */
    public static final String ROLES_CLAIM = "roles";

    /** The role in {@link #ROLES_CLAIM} that grants the admin API. */
    public static final String ADMIN_ROLE = "admin";

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

    /**
     * Creates a verifier trusting the given keys.
     *
     * @param publicKeys Ed25519 public keys, each PEM ({@code -----BEGIN PUBLIC KEY-----}) or
     *     base64url/base64, padded or not, of the raw 32-byte key or of its DER SubjectPublicKeyInfo;
     *     at least one
     * @param clock the source of the current time for {@code exp} and {@code nbf}
     * @throws IllegalArgumentException if there is no key or a key cannot be read; the message names
     *     the key by its position (1-based) and never repeats its text
     */
    public JwtVerifier(List<String> publicKeys, Clock clock) {
        this(publicKeys, clock, DEFAULT_CACHE_CAPACITY);
    }

    JwtVerifier(List<String> publicKeys, Clock clock, int cacheCapacity) {
        Objects.requireNonNull(publicKeys, "publicKeys");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (cacheCapacity < 1) {
            throw new IllegalArgumentException("cacheCapacity must be positive");
        }
        this.cacheCapacity = cacheCapacity;
        if (publicKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one JWT public key is required");
        }
        List<PublicKey> parsed = new ArrayList<>(publicKeys.size());
        for (int i = 0; i < publicKeys.size(); i++) {
            try {
                parsed.add(Ed25519Keys.parsePublicKey(publicKeys.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "JWT public key " + (i + 1) + " of " + publicKeys.size() + " " + e.getMessage());
            }
        }
        this.keys = List.copyOf(parsed);
    }

    /**
     * Returns how many public keys this verifier trusts, for a start-up log line.
     *
     * @return the number of configured keys, at least one
     */
    public int keyCount() {
        return keys.size();
    }

    /**
     * Returns how many verified tokens are remembered now: at most the cache capacity, plus one per
     * thread caught between the size check and its insert.
     */
    int cachedTokenCount() {
        return verified.size();
    }

    /**
     * Extracts the token from an {@code Authorization} header value of the form {@code Bearer
     * <token>}; the scheme is case-insensitive and surrounding whitespace is ignored.
     *
     * @param authorizationHeader the header value, or {@code null} when the request has none
     * @return the token, not yet verified
     * @throws AuthException with {@link AuthException.Reason#MISSING_BEARER_TOKEN} if the header is
     *     absent, uses another scheme, or carries no token
     */
    public static String bearerToken(String authorizationHeader) {
        if (authorizationHeader == null) {
            throw new AuthException(AuthException.Reason.MISSING_BEARER_TOKEN);
        }
        String value = authorizationHeader.strip();
        if (value.length() <= BEARER.length()
                || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || !Character.isWhitespace(value.charAt(BEARER.length()))) {
            throw new AuthException(AuthException.Reason.MISSING_BEARER_TOKEN);
        }
        String token = value.substring(BEARER.length()).strip();
        if (token.isEmpty()) {
            throw new AuthException(AuthException.Reason.MISSING_BEARER_TOKEN);
        }
        return token;
    }

    /**
     * Verifies the token in an {@code Authorization} header value; {@link #bearerToken} then {@link
     * #verify}.
     *
     * @param authorizationHeader the header value, or {@code null} when the request has none
     * @return the principal the token stands for
     * @throws AuthException if the header carries no bearer token or the token is not accepted
     */
    public Principal verifyAuthorizationHeader(String authorizationHeader) {
        return verify(bearerToken(authorizationHeader));
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
        JsonWebSignature jws = parse(token);
        checkHeader(jws.getHeaders());
        if (!signedByAnyKey(jws)) {
            throw new AuthException(AuthException.Reason.INVALID_SIGNATURE);
        }
        return claimsFrom(claims(jws), token);
    }

    private static String digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no SHA-256", e);
        }
    }

    /**
     * Splits and decodes the compact serialization with jose4j, after checking what jose4j is lenient
     * about: exactly three segments, the first two non-empty, each strict base64url (jose4j's decoder
     * skips characters outside the alphabet, so {@code "sig with space"} would otherwise decode).
     */
    private static JsonWebSignature parse(String token) {
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || secondDot == firstDot + 1 || token.indexOf('.', secondDot + 1) >= 0
                || !isBase64Url(token, 0, firstDot)
                || !isBase64Url(token, firstDot + 1, secondDot)
                || !isBase64Url(token, secondDot + 1, token.length())) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmConstraints(EDDSA_ONLY);
        try {
            jws.setCompactSerialization(token);
        } catch (JoseException | RuntimeException e) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
        return jws;
    }

    /**
     * True when {@code text[from, to)} is base64url as the JDK's decoder accepts it: the URL alphabet,
     * then at most two {@code =} that complete a multiple of four characters; never one lone character
     * in the last group.
     */
    static boolean isBase64Url(String text, int from, int to) {
        int end = to;
        while (end > from && to - end < 2 && text.charAt(end - 1) == '=') {
            end--;
        }
        if (end < to && (to - from) % 4 != 0) {
            return false;
        }
        if ((end - from) % 4 == 1) {
            return false;
        }
        for (int i = from; i < end; i++) {
            char c = text.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Accepts only {@code EdDSA}, before any signature work, so {@code none} and every other algorithm
     * (alg confusion included) fail here rather than on jose4j's constraint. A {@code crit} header names
     * extensions the token requires its reader to understand (RFC 7515, 4.1.11): none are supported, so
     * such tokens are refused even when {@code crit} is {@code null}. RFC 7797's {@code "b64": false}
     * would change the signing input; it is only valid under {@code crit}, so it is refused too.
     */
    private static void checkHeader(Headers header) {
        if (!AlgorithmIdentifiers.EDDSA.equals(header.getObjectHeaderValue(HeaderParameterNames.ALGORITHM))) {
            throw new AuthException(AuthException.Reason.UNSUPPORTED_ALG);
        }
        if (header.getObjectHeaderValue(HeaderParameterNames.BASE64URL_ENCODE_PAYLOAD) != null || names(header, HeaderParameterNames.CRITICAL)) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
    }

    /** True when the header has a member {@code name}, whatever its value, JSON {@code null} included. */
    private static boolean names(Headers header, String name) {
        if (header.getObjectHeaderValue(name) != null) {
            return true;
        }
        String json = header.getFullHeaderAsJsonString();
        if (!json.contains('"' + name + '"')) {
            return false;
        }
        try {
            return JsonUtil.parseJson(json).containsKey(name);
        } catch (JoseException e) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
    }

    private boolean signedByAnyKey(JsonWebSignature jws) {
        for (PublicKey key : keys) {
            jws.setKey(key);
            try {
                if (jws.verifySignature()) {
                    return true;
                }
            } catch (JoseException e) {
                // jose4j reports a signature it cannot even check (wrong length, bad encoding) this way
                // rather than as false; either way this key did not sign the token.
            }
        }
        return false;
    }

    /** The payload, once the signature is known to be good, as a JSON object; anything else is malformed. */
    private static JwtClaims claims(JsonWebSignature jws) {
        try {
            return JwtClaims.parse(jws.getPayload());
        } catch (JoseException | InvalidJwtException | RuntimeException e) {
            throw new AuthException(AuthException.Reason.MALFORMED_TOKEN);
        }
    }

    /** A token without {@code sub} is identified by its fingerprint, so that it is a principal of its own. */
    private static VerifiedToken claimsFrom(JwtClaims claims, String token) {
        Number nbf = optionalClaim(claims, ReservedClaimNames.NOT_BEFORE, Number.class);
        Number exp = optionalClaim(claims, ReservedClaimNames.EXPIRATION_TIME, Number.class);
        String subject = optionalClaim(claims, ReservedClaimNames.SUBJECT, String.class);
        return new VerifiedToken(
                new Principal(subject, access(claims), hasRole(claims, ADMIN_ROLE), subject == null ? Principal.fingerprint(token) : null),
                nbf == null ? Double.NEGATIVE_INFINITY : nbf.doubleValue(),
                exp == null ? Double.POSITIVE_INFINITY : exp.doubleValue());
    }

    private static Access access(JwtClaims claims) {
        String claim = optionalClaim(claims, ACCESS_CLAIM, String.class);
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
    private static boolean hasRole(JwtClaims claims, String role) {
        Object roles = claims.getClaimValue(ROLES_CLAIM);
        if (roles == null) {
            return false;
        }
        if (!(roles instanceof List<?> list)) {
            throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
        }
        boolean found = false;
        for (Object r : list) {
            if (!(r instanceof String name)) {
                throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
            }
            found |= role.equals(name);
        }
        return found;
    }

    /**
     * Returns the claim when it is of {@code type} (a JSON number as {@link Number}, a string as {@link String}),
     * {@code null} when absent or JSON {@code null}; any other JSON type makes the claims invalid.
     */
    private static <T> T optionalClaim(JwtClaims claims, String name, Class<T> type) {
        Object value = claims.getClaimValue(name);
        if (value == null) {
            return null;
        }
        if (!type.isInstance(value)) {
            throw new AuthException(AuthException.Reason.INVALID_CLAIMS);
        }
        return type.cast(value);
    }
}
