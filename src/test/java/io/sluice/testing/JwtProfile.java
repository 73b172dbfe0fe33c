package io.sluice.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.sluice.auth.TokenMinter;
import java.util.Map;

/**
 * Embedded SQLite with credentials required, as in prod: {@code sluice.auth.mode=jwt} trusting {@link #keys()}
 * and an admin token. The data API tests over HTTP ({@code AuthTest}) and WebSocket ({@code WebSocketAuthTest})
 * and the admin API tests ({@code AdminJwtAuthTest}, {@code ConsoleSessionTest}) share this one profile, so
 * Quarkus boots once for all of them.
 */
public class JwtProfile implements QuarkusTestProfile {

    public static final String ADMIN_TOKEN = "adm1n-t0ken-for-tests";

    /** The key pair the server trusts under this profile. */
    public static TokenMinter.KeyMaterial keys() {
        return TestKeys.pair("jwt-profile");
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        // the admin log-in limit above what these tests' deliberate failures add up to; ConsoleSessionTest trips it on purpose
        return Map.of("sluice.admin.token", ADMIN_TOKEN, "sluice.auth.mode", "jwt",
                "sluice.auth.jwt-public-keys", keys().publicKeyBase64Url(), "sluice.admin.auth-failures-per-minute", "40");
    }
}
