package io.sluice.gateway.auth;

import java.util.Objects;

/**
 * Who made a request and what they may do, as established from a verified token.
 *
 * @param subject the token's {@code sub} claim, or {@code null} when the token has none; used as the
 *     rollout key when present
 * @param access what the bearer may do; never {@code null}
 * @param admin the token carries the admin role ({@code "roles": ["admin"]}) and may use the admin API
 */
public record Principal(String subject, Access access, boolean admin) {

    private static final Principal ANONYMOUS = new Principal(null, Access.READ_WRITE);

    /** A data API principal without the admin role. */
    public Principal(String subject, Access access) {
        this(subject, access, false);
    }

    /**
     * Validates the components.
     *
     * @throws NullPointerException if {@code access} is {@code null}
     */
    public Principal {
        Objects.requireNonNull(access, "access");
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
     * Tells whether this principal may run statements that write.
     *
     * @return {@code true} for {@link Access#READ_WRITE}
     */
    public boolean canWrite() {
        return access == Access.READ_WRITE;
    }
}
