package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * With the connection pool on, every pooled SQLite connection acts on the schema as it is now: after one
 * stream dropped and re-created a table, streams leased on connections that had cached the old table
 * insert into the new one (the "table t has 2 columns but 1 values were supplied").
 */
@QuarkusTest
@TestProfile(SchemaChangeTest.OwnPool.class)
class SchemaChangeTest {

    /** A pool of its own: streams other test classes left open (until they expire) would hold connections. */
    public static class OwnPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-connections", "3");
        }
    }

    /** Opens as many streams at once as the pool has connections, so each holds a different one, and runs {@code sql} on each. */
    private static void onEveryPooledConnection(String sql) {
        int poolSize = ConfigProvider.getConfig().getOptionalValue("sluice.pool.max-connections", Integer.class).orElse(5);
        List<StreamSession> held = new ArrayList<>();
        try {
            for (int i = 0; i < poolSize; i++) {
                StreamSession s = new StreamSession(V2);
                held.add(s);
                okResponse(s.send(execute(sql)).get(0));
            }
        } finally {
            held.forEach(StreamSession::close);
        }
    }

    @Test
    void shouldInsertIntoRecreatedTableOnEveryPooledConnection() {
        String t = uniqueTable("schema");
        query("CREATE TABLE " + t + " (a, b)");
        onEveryPooledConnection("INSERT INTO " + t + " VALUES (1, 2)"); // every connection caches t(a, b)

        query("DROP TABLE " + t);
        query("CREATE TABLE " + t + " (a)");

        onEveryPooledConnection("INSERT INTO " + t + " VALUES (3)");
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(
                ConfigProvider.getConfig().getOptionalValue("sluice.pool.max-connections", Integer.class).orElse(5).longValue());
    }
}
