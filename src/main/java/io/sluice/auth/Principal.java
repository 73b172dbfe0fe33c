package io.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Who made a request and what they may do, as established from a verified token.
 *
 * <p>A verified token always identifies its principal: by its {@code sub} claim, or, for a token
 * without one, by a fingerprint of the token itself (a SHA-256 digest, never the token). Two tokens
 * with the same subject are one principal; two tokens without a subject are two. Only the anonymous
 * principal of {@code sluice.auth.mode=none} has neither.
 *
 * @param subject the token's {@code sub} claim, or {@code null} when the token has none; used as the
 *     rollout key when present
 * @param access what the bearer may do; never {@code null}
 * @param admin the token carries the admin role ({@code "roles": ["admin"]}) and may use the admin API
 * @param tokenFingerprint {@link #fingerprint(String)} of the token when it has no subject, else
 *     {@code null} (a subject identifies the principal by itself)
 */
public record Principal(String subject, Access access, boolean admin, String tokenFingerprint) {

    private static final Principal ANONYMOUS = new Principal(null, Access.READ_WRITE);
    /** Hex digits of a fingerprint: 128 bits of SHA-256 tell tokens apart and say nothing about them. */
    private static final int FINGERPRINT_BYTES = 16;

    /** A data API principal without the admin role. */
    public Principal(String subject, Access access) {
        this(subject, access, false);
    }

    /** A principal identified by its subject alone (or the anonymous one when {@code subject} is null). */
    public Principal(String subject, Access access, boolean admin) {
        this(subject, access, admin, null);
    }

    /**
     * Validates the components; a fingerprint next to a subject is dropped, so a principal's identity is
     * one thing only.
     *
     * @throws NullPointerException if {@code access} is {@code null}
     */
    public Principal {
        Objects.requireNonNull(access, "access");
        if (subject != null) {
            tokenFingerprint = null;
        }
    }

    /**
     * Returns the principal of a request when authentication is switched off: no subject, full
     * access, as sqld behaves without a JWT key.
     *
     * @return the anonymous read-write principal
     */
    public static Principal anonymous() {
        return ANONYMOUS;
    }

    /**
     * The stable, non-reversible fingerprint of a token that identifies a principal without a subject:
     * hex of the first 128 bits of its SHA-256.
     *
     * @param token the compact JWS, without {@code Bearer}
     * @return 32 lower-case hex digits
     */
    public static String fingerprint(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, FINGERPRINT_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no SHA-256", e);
        }
    }

    /**
     * Tells whether this principal may run statements that write.
     *
     * @return {@code true} for {@link Access#READ_WRITE}
     */
    public boolean canWrite() {
        return access == Access.READ_WRITE;
    }

    /**
     * Tells whether a token established this principal (rather than authentication being off).
     *
     * @return {@code true} when the principal has a subject or a token fingerprint
     */
    public boolean authenticated() {
        return subject != null || tokenFingerprint != null;
    }

    /**
     * The key this principal's feature rollouts are decided for: the subject, else the token's
     * fingerprint; {@code null} for the anonymous principal. The caller never chooses it.
     *
     * @return the rollout key, or {@code null}
     */
    public String rolloutKey() {
        return subject != null ? subject : tokenFingerprint;
    }

    /**
     * The principal's identity, unambiguous across both kinds: {@code sub:<subject>} or
     * {@code token:<fingerprint>}; {@code null} for the anonymous principal. Streams, batons and
     * per-principal limits are keyed by it.
     *
     * @return the identity, or {@code null} when not authenticated
     */
    public String identity() {
        if (subject != null) {
            return "sub:" + subject;
        }
        return tokenFingerprint == null ? null : "token:" + tokenFingerprint;
    }

    /**
     * A short name for operators (connection listings, logs): the subject, {@code token:} and the first
     * twelve digits of the fingerprint, or {@code anonymous}.
     *
     * @return the display name; never {@code null}
     */
    public String displayName() {
        if (subject != null) {
            return subject;
        }
        return tokenFingerprint == null ? "anonymous" : "token:" + tokenFingerprint.substring(0, Math.min(12, tokenFingerprint.length()));
    }
}
