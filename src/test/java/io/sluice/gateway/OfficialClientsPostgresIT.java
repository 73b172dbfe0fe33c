package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link OfficialClientsIT} against PostgreSQL: the packaged application in its production profile with
 * JWT authentication, pointed at the test PostgreSQL ({@link Postgres}, in a schema of its own), and the
 * Node.js suite run with {@code SLUICE_BACKEND=postgresql}. Plus what a read-only token may do there.
 */
@QuarkusIntegrationTest
@TestProfile(OfficialClientsPostgresIT.PostgresJwtAuthProfile.class)
@ExtendWith(Postgres.class)
class OfficialClientsPostgresIT extends OfficialClientsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@link OfficialClientsIT.JwtAuthProfile} with the backend switched to the test PostgreSQL. */
    public static class PostgresJwtAuthProfile extends JwtAuthProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.putAll(PostgresSchema.sluiceConfig()); // Postgres.sluiceConfig() in a schema of its own
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresSchema.class));
        }
    }

    @Override
    String backend() {
        return "postgresql";
    }

    @Test
    void shouldLetReadOnlyTokenReadButRefuseEveryWriteOnPostgresql() throws Exception {
        String t = "ro_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String rw = mintToken("rw");
        String ro = mintToken("ro");
        JsonNode setup = pipeline(rw, execute("CREATE TABLE " + t + " (a integer)"), execute("INSERT INTO " + t + " VALUES (1)"));
        assertThat(setup.at("/results/1/type").asText()).as("setup %s", setup).isEqualTo("ok");

        JsonNode results = pipeline(ro, execute("SELECT count(*) FROM " + t), execute("INSERT INTO " + t + " VALUES (2)"),
                execute("UPDATE " + t + " SET a = 5"), execute("CREATE TABLE " + t + "_more (a integer)"),
                execute("BEGIN READ WRITE"), execute("WITH x AS (INSERT INTO " + t + " VALUES (3) RETURNING a) SELECT a FROM x"),
                execute("COMMIT")).get("results");

        assertThat(results.at("/0/response/result/rows/0/0/value").asText()).as("read %s", results.get(0)).isEqualTo("1");
        for (int i : new int[] {1, 2, 3, 5}) {
            assertThat(results.at("/" + i + "/error/code").asText()).as("result %d: %s", i, results.get(i)).isEqualTo("SQLITE_READONLY");
        }
        assertThat(results.at("/4/type").asText()).as("BEGIN READ WRITE %s", results.get(4)).isEqualTo("ok");
        JsonNode after = pipeline(rw, execute("SELECT sum(a) FROM " + t), execute("DROP TABLE " + t));
        assertThat(after.at("/results/0/response/result/rows/0/0/value").asText()).isEqualTo("1");
    }

    private static String execute(String sql) {
        return "{\"type\":\"execute\",\"stmt\":{\"sql\":" + JSON.valueToTree(sql) + "}}";
    }

    /** Runs the requests and a close on a fresh /v2 stream with the token; asserts HTTP 200. */
    private JsonNode pipeline(String token, String... requests) throws Exception {
        String body = "{\"requests\":[" + String.join(",", requests) + ",{\"type\":\"close\"}]}";
        HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                pipelineRequest(URI.create(dataApiUrl() + "/v2/pipeline"), body).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("status, body %s", r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
