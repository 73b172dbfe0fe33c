package io.sluice.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@code @QuarkusTest} against the test PostgreSQL ({@link Postgres}) instead of embedded SQLite,
 * with authentication off. Every PostgreSQL protocol test uses this one profile, so Quarkus boots once
 * for all of them; pair it with {@code @ExtendWith(Postgres.class)} so that the tests skip (or, in CI,
 * fail) instead of booting against a database that is not there.
 *
 * <p>The tables the tests create go into a schema of their own, dropped when the profile's application
 * stops ({@link PostgresSchema}), so runs leave nothing behind in the shared database. (The schema goes
 * into the URL here: a profile's overrides win over the configuration a test resource returns.)
 */
public class PostgresProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        // Postgres.sluiceConfig(), its URL naming the schema of PostgresSchema
        Map<String, String> config = new HashMap<>(PostgresSchema.sluiceConfig());
        config.put("sluice.auth.mode", "none");
        return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresSchema.class));
    }
}
