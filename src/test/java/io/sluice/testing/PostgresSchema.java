package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of its own in the test PostgreSQL for the application a test profile boots, so that the
 * tables tests create never pile up in the shared database: {@link #sluiceConfig()} points the
 * application at it (pgjdbc's {@code currentSchema} sets the connections' {@code search_path}), and as a
 * test resource this class creates the schema before the application starts and drops it, with
 * everything in it, after the application stopped.
 */
public final class PostgresSchema implements QuarkusTestResourceLifecycleManager {
    /**
     * Holds the schema name: a profile and its test resource may be loaded by different class loaders,
     * so a static field could hold two different names.
     */
    private static final String NAME_PROPERTY = "sluice-test.pg.schema";

    /** This test JVM's schema name. */
    public static synchronized String name() {
        String name = System.getProperty(NAME_PROPERTY);
        if (name == null) {
            name = "sluice_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            System.setProperty(NAME_PROPERTY, name);
        }
        return name;
    }

    /** {@link Postgres#sluiceConfig()} with the URL naming this JVM's schema. */
    public static Map<String, String> sluiceConfig() {
        Map<String, String> config = new HashMap<>(Postgres.sluiceConfig());
        config.put("sluice.database.url", urlWithSchema(Postgres.URL, name()));
        return config;
    }

    @Override
    public Map<String, String> start() {
        run("CREATE SCHEMA IF NOT EXISTS " + name());
        return Map.of();
    }

    @Override
    public void stop() {
        run("DROP SCHEMA IF EXISTS " + name() + " CASCADE");
    }

    private static void run(String sql) {
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("`" + sql + "` failed at " + Postgres.URL + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    static String urlWithSchema(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
