package io.sluice.pool;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link DirectPathCap} on PostgreSQL: connections counted in {@code pg_stat_activity} by an application name of their own. */
@QuarkusTest
@TestProfile(DirectPathCapPostgresTest.PoolOff.class)
@ExtendWith(Postgres.class)
class DirectPathCapPostgresTest extends DirectPathCap {
    /** Kept in a system property: the profile and the test may be loaded by different class loaders. */
    private static final String APP_PROPERTY = "sluice-test.direct-cap.application";

    static synchronized String applicationName() {
        return System.getProperties().computeIfAbsent(APP_PROPERTY, k -> "sluice_cap_" + Long.toHexString(System.nanoTime())).toString();
    }

    public static class PoolOff extends PostgresProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.putAll(capConfig());
            config.put("sluice.database.url", config.get("sluice.database.url") + "&ApplicationName=" + applicationName());
            return config;
        }
    }

    @Override
    int backendConnections() throws SQLException {
        try (Connection c = Postgres.connect();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            s.setString(1, applicationName());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
