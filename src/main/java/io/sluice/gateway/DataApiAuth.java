package io.sluice.gateway;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.sluice.auth.AuthException;
import io.sluice.auth.JwtVerifier;
import io.sluice.auth.Principal;
import io.sluice.config.ConfigurationProblem;
import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Authenticates data API requests: a bearer JWT signed with one of the configured Ed25519 keys, or
 * nobody at all when {@code sluice.auth.mode=none}. JWT mode without keys refuses to start.
 *
 * <p>A packaged server (any profile, {@code dev} included) runs without authentication only when the
 * operator asked for it: {@code none} must come from outside the built-in configuration (the
 * {@code SLUICE_AUTH_MODE} environment variable, a system property, {@code .env} or
 * {@code config/application.properties}), never from a profile's default; otherwise it refuses to start.
 * Only {@code quarkus:dev} and the tests take the profile default.
 *
 * <p>Application-scoped, so made at its first use rather than with the request handler: a server started with
 * a wrong setting and no keys names the wrong setting, whose own check runs before that use.
 */
@ApplicationScoped
public class DataApiAuth {
    private static final Logger LOG = Logger.getLogger(DataApiAuth.class);

    private final JwtVerifier verifier;
    private final SelfWarmup warmup;

    DataApiAuth(SluiceConfig config, SelfWarmup warmup) {
        this.warmup = warmup;
        SluiceConfig.Auth auth = config.auth();
        List<String> keys = auth.jwtPublicKeys().orElse(List.of()).stream().filter(k -> !k.isBlank()).toList();
        if (auth.mode() == SluiceConfig.Auth.Mode.NONE) {
            if (LaunchMode.current() == LaunchMode.NORMAL && !noneSetExplicitly()) {
                throw new ConfigurationProblem("sluice.auth.mode", "none (from the '" + String.join(",", ConfigUtils.getProfiles())
                        + "' profile's defaults)",
                        "SLUICE_AUTH_MODE=none set explicitly to run a packaged server without "
                                + "authentication, or sluice.auth.jwt-public-keys (SLUICE_AUTH_JWT_PUBLIC_KEYS) configured");
            }
            this.verifier = null;
        } else if (keys.isEmpty()) {
            throw new ConfigurationProblem("sluice.auth.jwt-public-keys", null, "the Ed25519 public keys of data API tokens "
                    + "(auth:keygen prints one) because sluice.auth.mode=jwt; or SLUICE_AUTH_MODE=none to run without authentication");
        } else {
            try {
                this.verifier = new JwtVerifier(keys, Clock.systemUTC());
            } catch (IllegalArgumentException e) {
                throw new ConfigurationProblem("sluice.auth.jwt-public-keys", keys.size() + " key(s)",
                        "Ed25519 public keys as auth:keygen prints them (" + e.getMessage() + ")");
            }
        }
    }

    /** The built-in {@code application.properties} has ordinal 250; what an operator sets sits above it. */
    private static final int BUILT_IN_ORDINAL = 250;

    /** True when a configuration source an operator controls says {@code none}. */
    private static boolean noneSetExplicitly() {
        for (ConfigSource source : ConfigProvider.getConfig().getConfigSources()) {
            if (source.getOrdinal() <= BUILT_IN_ORDINAL) {
                continue;
            }
            for (String name : new String[] {"sluice.auth.mode", "SLUICE_AUTH_MODE"}) {
                if ("none".equalsIgnoreCase(String.valueOf(source.getValue(name)).trim())) {
                    return true;
                }
            }
        }
        return false;
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
        Principal warming = warmup.principalFor(authorizationHeader);
        if (warming != null) {
            return warming;
        }
        try {
            return verifier.verifyAuthorizationHeader(authorizationHeader);
        } catch (AuthException e) {
            throw new ProtocolException(HranaError.UNAUTHORIZED, "Authentication failed: " + e.reason().message());
        }
    }
}
