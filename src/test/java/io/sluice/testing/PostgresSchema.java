package io.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A schema of its own in the test PostgreSQL for one boot of the application: created at start, made
 * the connections' {@code search_path} through pgjdbc's {@code currentSchema}, and dropped with
 * everything in it at stop.
 */
public final class PostgresSchema implements QuarkusTestResourceLifecycleManager {
    private String schema;

    @Override
    public Map<String, String> start() {
        schema = "sluice_it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + schema + " at " + Postgres.URL + " (SQLState " + e.getSQLState() + ")", e);
        }
        return Map.of("sluice.database.url", urlWithSchema(Postgres.URL, schema));
    }

    @Override
    public void stop() {
        if (schema == null) {
            return;
        }
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop schema " + schema + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    static String urlWithSchema(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
