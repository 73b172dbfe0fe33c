package io.sluice.gateway;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.gateway.auth.AuthException;
import io.sluice.gateway.auth.JwtVerifier;
import io.sluice.gateway.auth.Principal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Authenticates data API requests: a bearer JWT signed with one of the configured Ed25519 keys, or
 * nobody at all when {@code sluice.auth.mode=none}. In {@code prod} JWT mode without keys refuses to start.
 */
@ApplicationScoped
public class DataApiAuth {
    private static final Logger LOG = Logger.getLogger(DataApiAuth.class);

    private final JwtVerifier verifier;

    DataApiAuth(SluiceConfig config) {
        SluiceConfig.Auth auth = config.auth();
        List<String> keys = auth.jwtPublicKeys().orElse(List.of()).stream().filter(k -> !k.isBlank()).toList();
        if (auth.mode() == SluiceConfig.Auth.Mode.NONE) {
            this.verifier = null;
        } else if (keys.isEmpty()) {
            throw new IllegalStateException("sluice.auth.mode=jwt but no sluice.auth.jwt-public-keys (SLUICE_AUTH_JWT_PUBLIC_KEYS) "
                    + "are configured; set the keys, or set SLUICE_AUTH_MODE=none to run without authentication");
        } else {
            this.verifier = new JwtVerifier(keys, Clock.systemUTC());
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (verifier == null) {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                LOG.warn("AUTHENTICATION IS DISABLED (sluice.auth.mode=none): anyone who can reach this port can read "
                        + "and write the database");
            } else {
                LOG.info("data API authentication is disabled (sluice.auth.mode=none)");
            }
        } else {
            LOG.infof("data API requires Ed25519-signed JWTs (%d key(s) configured)", verifier.keyCount());
        }
    }

    /** Returns the caller, or throws a 401 {@link ProtocolException}. */
    Principal authenticate(String authorizationHeader) {
        if (verifier == null) {
            return Principal.anonymous();
        }
        try {
            return verifier.verifyAuthorizationHeader(authorizationHeader);
        } catch (AuthException e) {
            throw new ProtocolException(401, "UNAUTHORIZED", "Authentication failed: " + e.reason().message());
        }
    }
}
