package io.sluice.auth;

import java.util.Objects;

/**
 * A request could not be authenticated. The message is one of a fixed set of short reasons that is
 * safe to return to the client and to log: it never contains the token, key material or a parser
 * message, and the exception never carries a cause for the same reason. The gateway answers it with
 * HTTP 401.
 */
public final class AuthException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why authentication failed; a bounded set, so it can also serve as a metric tag. */
    public enum Reason {
        /** No {@code Authorization: Bearer} header, or an empty token. */
        MISSING_BEARER_TOKEN("missing bearer token"),
        /** Not three base64url segments of JSON objects, or too long. */
        MALFORMED_TOKEN("malformed token"),
        /** The header names an algorithm other than {@code EdDSA}, {@code none} included. */
        UNSUPPORTED_ALG("unsupported alg"),
        /** No configured public key verifies the signature. */
        INVALID_SIGNATURE("invalid signature"),
        /** The {@code exp} claim is not after the current time. */
        TOKEN_EXPIRED("token expired"),
        /** The {@code nbf} claim is after the current time. */
        TOKEN_NOT_YET_VALID("token not yet valid"),
        /** A known claim has the wrong type, or {@code a} is neither {@code "ro"} nor {@code "rw"}. */
        INVALID_CLAIMS("invalid claims");

        private final String message;

        Reason(String message) {
            this.message = message;
        }

        /**
         * Returns the client-safe text of this reason.
         *
         * @return a short lower-case phrase such as {@code "token expired"}
         */
        public String message() {
            return message;
        }
    }

    private final Reason reason;

    /**
     * Creates an exception for a reason. No stack trace is captured: rejecting a bad token is an
     * expected outcome on the request path, not a bug.
     *
     * @param reason why authentication failed
     */
    public AuthException(Reason reason) {
        super(Objects.requireNonNull(reason, "reason").message(), null, false, false);
        this.reason = reason;
    }

    /**
     * Returns why authentication failed.
     *
     * @return the reason; its {@link Reason#message()} equals {@link #getMessage()}
     */
    public Reason reason() {
        return reason;
    }
}
