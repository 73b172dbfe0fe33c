package io.sluice.admin;

import jakarta.enterprise.context.RequestScoped;

/**
 * Who made this admin request, as {@link AdminAuthFilter} authenticated it: the JWT's subject, or
 * {@code admin-token} for the shared token. The audit log names this principal; the CLI's
 * {@code X-Sluice-Operator} header is only a note beside it, since anyone holding the token can write it.
 */
@RequestScoped
public class AdminCaller {
    static final String TOKEN = "admin-token";
    static final String UNAUTHENTICATED = "unauthenticated";

    private String principal = UNAUTHENTICATED;

    void authenticatedAs(String principal) {
        this.principal = principal;
    }

    /** The audit identity: the authenticated principal, then the operator the client names, if any. */
    String who(String operatorHeader) {
        String operator = operatorHeader == null ? "" : operatorHeader.strip().replaceAll("\\p{Cntrl}", " ");
        if (operator.length() > 64) {
            operator = operator.substring(0, 64);
        }
        return operator.isEmpty() ? principal : principal + " (operator: " + operator + ")";
    }
}
