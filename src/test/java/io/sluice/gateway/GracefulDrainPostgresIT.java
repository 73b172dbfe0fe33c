package io.sluice.gateway;

import static io.sluice.testing.SluiceProcess.CLOSE;
import static io.sluice.testing.SluiceProcess.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.Postgres;
import io.sluice.testing.SluiceProcess;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two replicas on PostgreSQL, one of them draining: a transaction it owns, continued through the other
 * replica, still commits there; new streams go to the live replica; once the drained replica is gone its
 * batons get STREAM_EXPIRED at once. No client sees anything but success or a retryable refusal.
 */
@ExtendWith(Postgres.class)
class GracefulDrainPostgresIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldCommitThroughTheLiveReplicaATransactionOwnedByTheDrainingOne() throws Exception {
        String table = "drain_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Map<String, String> config = new HashMap<>(Postgres.sluiceConfig());
        config.put("sluice.auth.mode", "none");
        config.put("sluice.flags.store", "none");
        config.put("sluice.shutdown.grace", "10s");
        config.put("sluice.gateway.stream-idle-timeout", "60s");
        config.put("sluice.gateway.baton-key", "drain-test-key-" + UUID.randomUUID());
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY)");
        }
        SluiceProcess draining = SluiceProcess.start("drain-pg-a", config);
        SluiceProcess live = SluiceProcess.start("drain-pg-b", config);
        try {
            JsonNode open = pipeline(draining, null, execute("BEGIN"), execute("INSERT INTO " + table + " VALUES (1)"));
            JsonNode idle = pipeline(draining, null, execute("SELECT 1"));
            draining.terminate();

            HttpResponse<String> refused = draining.awaitNewStreamRefused(Duration.ofSeconds(10));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("SHUTTING_DOWN");
            assertThat(pipeline(live, null, execute("SELECT 1"), CLOSE).at("/results/0/type").asText()).as("the live replica serves new streams")
                    .isEqualTo("ok");

            JsonNode more = pipeline(live, open.get("baton").asText(), execute("INSERT INTO " + table + " VALUES (2)"));
            JsonNode committed = pipeline(live, more.get("baton").asText(), execute("COMMIT"), CLOSE);
            assertThat(committed.at("/results/0/type").asText()).isEqualTo("ok");
            assertThat(count(table)).isEqualTo(2);

            assertThat(draining.awaitExit(Duration.ofSeconds(20))).as("the drained replica exits").isNotNull();
            long asked = System.nanoTime();
            HttpResponse<String> gone = live.pipeline(idle.get("baton").asText(), CLOSE);
            assertThat(gone.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(gone.body()).get("code").asText()).isEqualTo("STREAM_EXPIRED");
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));
        } finally {
            draining.close();
            live.close();
            try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    private static long count(String table) throws Exception {
        try (Connection c = Postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static JsonNode pipeline(SluiceProcess sluice, String baton, String... requests) throws Exception {
        HttpResponse<String> r = sluice.pipeline(baton, requests);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
