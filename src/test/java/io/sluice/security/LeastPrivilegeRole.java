package io.sluice.security;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sluice.testing.Postgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A PostgreSQL role set up as docs/security.md tells operators to (no superuser, no server-access roles, its
 * own schema), created in the shared test cluster under a unique name and dropped with everything it owns
 * afterwards. As a test resource it exists while the profile's application runs.
 */
public final class LeastPrivilegeRole implements QuarkusTestResourceLifecycleManager {
    private static final String NAME_PROPERTY = "sluice-test.pg.least-privilege-role";

    /** This JVM's role name; its schema has the same name. */
    static synchronized String name() {
        String name = System.getProperty(NAME_PROPERTY);
        if (name == null) {
            name = "sluice_sec_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            System.setProperty(NAME_PROPERTY, name);
        }
        return name;
    }

    /** The documented setup, as the database owner runs it. */
    static List<String> setup(String role) {
        return List.of("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
                "CREATE SCHEMA " + role + " AUTHORIZATION " + role,
                "ALTER ROLE " + role + " SET search_path = " + role);
    }

    /** Sluice's settings to connect as the role. */
    static Map<String, String> sluiceConfig() {
        Map<String, String> config = new HashMap<>();
        config.put("sluice.database.url", Postgres.URL + (Postgres.URL.contains("?") ? "&" : "?") + "currentSchema=" + name());
        config.put("sluice.database.user", name());
        config.put("sluice.database.password", "");
        return config;
    }

    /** A connection as the role, for checks outside Sluice. */
    static Connection connect() throws SQLException {
        return DriverManager.getConnection(Postgres.URL + (Postgres.URL.contains("?") ? "&" : "?") + "currentSchema=" + name(), name(), "");
    }

    @Override
    public Map<String, String> start() {
        run(setup(name()));
        return Map.of();
    }

    @Override
    public void stop() {
        String role = name();
        run(List.of("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'",
                "DROP SCHEMA IF EXISTS " + role + " CASCADE", "DROP OWNED BY " + role + " CASCADE", "DROP ROLE IF EXISTS " + role));
    }

    private static void run(List<String> statements) {
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("setting up the least-privilege role failed (SQLState " + e.getSQLState() + ")", e);
        }
    }
}
