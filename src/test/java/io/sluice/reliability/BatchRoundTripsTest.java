package io.sluice.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.FaultProxy;
import io.sluice.testing.Postgres;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code @libsql/client} write batch on PostgreSQL: the runs of one repeated statement go to the server
 * together, not one round trip each. Counted where they travel: the proxy between Sluice and PostgreSQL
 * sees every write Sluice makes after waiting for an answer as a chunk of its own.
 */
@QuarkusTest
@TestProfile(DatabaseOutageTest.Outage.class)
@ExtendWith(Postgres.class)
class BatchRoundTripsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode pipeline(String body) throws IOException {
        byte[] answer = given().contentType("application/json").body(body).post("/v3/pipeline").then().statusCode(200).extract().asByteArray();
        return JSON.readTree(answer);
    }

    private static String execute(String sql) {
        return "{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}}";
    }

    /** BEGIN, {@code n} INSERTs each run only after the one before succeeded in the open transaction, COMMIT, ROLLBACK unless it committed. */
    private static String writeBatch(String table, int n, int duplicateAt) {
        StringBuilder steps = new StringBuilder("{\"stmt\":{\"sql\":\"BEGIN IMMEDIATE\"}}");
        String inTransaction =
                "{\"type\":\"and\",\"conds\":[{\"type\":\"ok\",\"step\":%d},{\"type\":\"not\",\"cond\":{\"type\":\"is_autocommit\"}}]}";
        for (int i = 0; i < n; i++) {
            int key = i == duplicateAt ? 0 : i;
            steps.append(",{\"condition\":").append(String.format(inTransaction, i)).append(",\"stmt\":{\"sql\":\"INSERT INTO ").append(table)
                    .append(" VALUES (?, ?)\",\"args\":[{\"type\":\"integer\",\"value\":\"").append(key)
                    .append("\"},{\"type\":\"text\",\"value\":\"row ").append(i).append("\"}]}}");
        }
        steps.append(",{\"condition\":").append(String.format(inTransaction, n)).append(",\"stmt\":{\"sql\":\"COMMIT\"}}");
        steps.append(",{\"condition\":{\"type\":\"not\",\"cond\":{\"type\":\"ok\",\"step\":").append(n + 1)
                .append("}},\"stmt\":{\"sql\":\"ROLLBACK\"}}");
        return "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[" + steps + "]}},{\"type\":\"close\"}]}";
    }

    private static long count(String table) throws IOException {
        JsonNode body = pipeline("{\"requests\":[" + execute("SELECT count(*) FROM " + table) + ",{\"type\":\"close\"}]}");
        return body.at("/results/0/response/result/rows/0/0/value").asLong(-1);
    }

    private static String table() throws IOException {
        String t = "round_trips_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        pipeline("{\"requests\":[" + execute("CREATE TABLE " + t + " (a bigint PRIMARY KEY, v text)") + ",{\"type\":\"close\"}]}");
        return t;
    }

    /** A write batch of {@code n} INSERTs that all succeed: its body, and the writes Sluice sent PostgreSQL for it. */
    private record Sent(JsonNode body, long writes) {
    }

    private static Sent sendWriteBatch(String table, int n) throws IOException {
        FaultProxy proxy = ProxiedPostgres.proxy();
        long before = proxy.chunksToTarget();
        JsonNode body = pipeline(writeBatch(table, n, -1));
        long writes = proxy.chunksToTarget() - before;
        assertThat(body.at("/results/0/response/result/step_errors")).as(body.toString()).allMatch(JsonNode::isNull);
        assertThat(count(table)).isEqualTo(n);
        return new Sent(body, writes);
    }

    @Test
    void shouldSendTheRepeatedInsertsOfAWriteBatchTogetherNotOneRoundTripEach() throws IOException {
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
        String t = table();

        Sent sent = sendWriteBatch(t, 60);

        assertThat(sent.body().at("/results/0/response/result/step_results/30/affected_row_count").asLong()).isEqualTo(1);
        assertThat(sent.writes()).as("writes Sluice sent to PostgreSQL for 60 INSERTs and their transaction").isLessThan(20);
    }

    @Test
    void shouldSendALongRunInGroupsOfAThousand() throws IOException {
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
        String t = table();

        Sent sent = sendWriteBatch(t, 2_500);

        assertThat(sent.body().at("/results/0/response/result/step_results/2500/affected_row_count").asLong()).isEqualTo(1);
        // pgjdbc may split a large batch into several writes, but never one per statement
        assertThat(sent.writes()).as("writes for 2,500 INSERTs").isLessThan(200);
    }

    @Test
    void shouldReportTheFailedRunAtItsOwnStepAndRollBackTheRest() throws IOException {
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
        String t = table();

        JsonNode result = pipeline(writeBatch(t, 40, 25)).at("/results/0/response/result");

        JsonNode errors = result.get("step_errors");
        JsonNode results = result.get("step_results");
        for (int step = 1; step <= 25; step++) {
            assertThat(results.get(step).get("affected_row_count").asLong()).as("step %d", step).isEqualTo(1);
        }
        assertThat(errors.get(26).get("code").asText()).as("the duplicate key, step 26").isEqualTo("SQLITE_CONSTRAINT");
        for (int step = 27; step <= 41; step++) {
            assertThat(results.get(step).isNull() && errors.get(step).isNull()).as("step %d skipped", step).isTrue();
        }
        assertThat(errors.get(42).isNull() && !results.get(42).isNull()).as("the ROLLBACK ran").isTrue();
        assertThat(count(t)).isZero();
    }
}
