package io.sluice.admin;

import io.quarkus.runtime.LaunchMode;
import io.sluice.config.SluiceConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Admin API authentication: {@code Authorization: Bearer <SLUICE_ADMIN_TOKEN>}, compared in constant time.
 * Without a configured token the admin API is open in dev and test mode and closed in a packaged
 * (production) run, so an operator can never expose it by forgetting the token.
 */
public class AdminAuthFilter {
    private final Optional<byte[]> token;
    private final boolean closedWithoutToken;

    AdminAuthFilter(SluiceConfig config) {
        this.token = config.admin().token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.closedWithoutToken = LaunchMode.current() == LaunchMode.NORMAL;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/admin/")) {
            return Optional.empty();
        }
        if (token.isEmpty()) {
            return closedWithoutToken
                    ? Optional.of(ProblemMapper.problem(401, "Unauthorized", "The admin API is disabled: set SLUICE_ADMIN_TOKEN"))
                    : Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)
                || !MessageDigest.isEqual(token.get(), header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(ProblemMapper.problem(401, "Unauthorized", "A valid admin bearer token is required"));
        }
        return Optional.empty();
    }
}
