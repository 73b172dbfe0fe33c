package io.sluice.admin;

import io.quarkus.runtime.LaunchMode;
import io.sluice.auth.AuthException;
import io.sluice.auth.JwtVerifier;
import io.sluice.auth.Principal;
import io.sluice.config.SluiceConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Admin API authentication: {@code Authorization: Bearer <credential>}, where the credential is either the
 * admin token ({@code SLUICE_ADMIN_TOKEN}, compared in constant time) or an Ed25519 JWT signed with one of
 * the data API's keys ({@code sluice.auth.jwt-public-keys}) whose {@code roles} claim contains
 * {@code "admin"}. A valid JWT without that role is refused with 403; an expired, not yet valid, badly
 * signed or malformed one with 401.
 *
 * <p>Credentials are required when either kind is configured, and always in a packaged (production) run:
 * without a token and without keys the admin API is open in dev and test mode and closed in production, so
 * an operator can never expose it by forgetting the token.
 *
 * <p>The operator console's browser sends no {@code Authorization} header: its session cookie names a
 * credential kept on the server ({@link ConsoleSessions}), which is then checked here exactly like a header,
 * provided the request also repeats the session's CSRF token and comes from this server's own origin.
 */
public class AdminAuthFilter {
    private final Optional<byte[]> token;
    private final Optional<JwtVerifier> jwt;
    private final boolean closedWithoutCredentials;
    private final AdminCaller caller;
    private final ConsoleSessions sessions;
    private final AuthFailureLimiter limiter;

    AdminAuthFilter(SluiceConfig config, AdminCaller caller, ConsoleSessions sessions, AuthFailureLimiter limiter) {
        this.caller = caller;
        this.sessions = sessions;
        this.limiter = limiter;
        this.token = config.admin().token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
        List<String> keys = config.auth().jwtPublicKeys().orElse(List.of()).stream().filter(k -> !k.isBlank()).toList();
        this.jwt = keys.isEmpty() ? Optional.empty() : Optional.of(new JwtVerifier(keys, Clock.systemUTC()));
        this.closedWithoutCredentials = LaunchMode.current() == LaunchMode.NORMAL;
    }

    /**
     * A bearer credential the client sent is checked only while its address is not {@link AuthFailureLimiter limited}
     * (else 429 with {@code Retry-After}), and a refused one counts against the address. A console session's credential
     * was checked at log-in (which is limited in the same way) and is never counted here.
     */
    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, HttpServerRequest http) {
        if (!request.getUriInfo().getPath().startsWith("/admin/")) {
            return Optional.empty();
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String address = address(http);
            OptionalLong wait = limiter.admit(address, AuthFailureLimiter.Door.ADMIN_API);
            if (wait.isPresent()) {
                return Optional.of(tooManyFailures(wait.getAsLong()));
            }
            Optional<Response> refused = check(authorization, caller::authenticatedAs);
            if (refused.isPresent() && refused.get().getStatus() == 401) {
                limiter.failed(address);
            }
            return refused;
        }
        jakarta.ws.rs.core.Cookie session = request.getCookies().get(ConsoleSessions.COOKIE);
        if (session != null) {
            Optional<ConsoleSessions.Session> admitted = sessions.admit(session.getValue(),
                    request.getHeaderString(ConsoleSessions.CSRF_HEADER), request.getHeaderString("Origin"),
                    request.getHeaderString(HttpHeaders.HOST));
            if (admitted.isEmpty()) {
                return Optional.of(ProblemMapper.problem(401, "Unauthorized",
                        "The console session has expired, or the request lacks its CSRF token or comes from another origin"));
            }
            authorization = "Bearer " + admitted.get().credential();
        }
        return check(authorization, caller::authenticatedAs);
    }

    /**
     * The refusal for this {@code Authorization} header, or empty when it grants admin access.
     *
     * @param admitted told who was admitted (the audit identity), when it grants access with a credential
     */
    Optional<Response> check(String authorization, Consumer<String> admitted) {
        if (token.isEmpty() && jwt.isEmpty()) {
            return closedWithoutCredentials
                    ? Optional.of(ProblemMapper.problem(401, "Unauthorized",
                            "The admin API is disabled: set SLUICE_ADMIN_TOKEN, or sluice.auth.jwt-public-keys for admin JWTs"))
                    : Optional.empty();
        }
        String bearer;
        try {
            bearer = JwtVerifier.bearerToken(authorization);
        } catch (AuthException e) {
            return Optional.of(unauthorized());
        }
        if (token.isPresent() && MessageDigest.isEqual(token.get(), bearer.getBytes(StandardCharsets.UTF_8))) {
            admitted.accept(AdminCaller.TOKEN);
            return Optional.empty();
        }
        if (jwt.isEmpty() || bearer.indexOf('.') < 0) {
            return Optional.of(unauthorized());
        }
        Principal principal;
        try {
            principal = jwt.get().verify(bearer);
        } catch (AuthException e) {
            return Optional.of(ProblemMapper.problem(401, "Unauthorized", "Admin JWT refused: " + e.reason().message()));
        }
        if (!principal.admin()) {
            return Optional.of(ProblemMapper.problem(403, "Forbidden",
                    "The token is valid but lacks the admin role: its \"roles\" claim must contain \"admin\""));
        }
        admitted.accept(principal.subject() == null || principal.subject().isBlank() ? "jwt (no subject)" : "jwt:" + principal.subject());
        return Optional.empty();
    }

    /** The client's address as the HTTP layer sees it (the forwarded one when proxy address forwarding is on). */
    static String address(HttpServerRequest http) {
        return http == null || http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
    }

    /** 429 problem+json with {@code Retry-After}: too many refused credentials from this address. */
    static Response tooManyFailures(long retryAfterSeconds) {
        return Response.fromResponse(ProblemMapper.problem(429, "Too Many Requests",
                "Too many refused admin credentials from this address; retry in " + retryAfterSeconds + " s"))
                .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds).build();
    }

    private Response unauthorized() {
        return ProblemMapper.problem(401, "Unauthorized", jwt.isPresent()
                ? "A valid admin bearer token, or a JWT with the admin role, is required"
                : "A valid admin bearer token is required");
    }
}
