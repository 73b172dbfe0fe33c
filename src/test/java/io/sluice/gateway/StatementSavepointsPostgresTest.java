package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.and;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.error;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.getAutocommit;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.isAutocommit;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.not;
import static io.sluice.gateway.HranaJson.nul;
import static io.sluice.gateway.HranaJson.ok;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On PostgreSQL a statement inside a transaction runs under a savepoint so that its failure does not abort
 * the transaction (as on SQLite), unless nothing but the transaction's rollback could follow that failure:
 * then it runs without one, saving PostgreSQL a subtransaction per statement. Whether a statement had a
 * savepoint shows in the engine itself: rows written under a savepoint carry the subtransaction's id in
 * {@code xmin}, rows written without one the transaction's.
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class StatementSavepointsPostgresTest {

    /** The steps {@code @libsql/client} sends for a write batch on Hrana 3, with {@code statement(i)} as the statements. */
    private static ObjectNode libsqlWriteBatch(int statements, IntFunction<ObjectNode> statement) {
        List<ObjectNode> steps = new ArrayList<>();
        steps.add(step(noRows(stmt("BEGIN IMMEDIATE"))));
        for (int i = 0; i < statements; i++) {
            steps.add(step(and(ok(i), not(isAutocommit())), statement.apply(i)));
        }
        steps.add(step(and(ok(statements), not(isAutocommit())), noRows(stmt("COMMIT"))));
        steps.add(step(not(ok(statements + 1)), noRows(stmt("ROLLBACK"))));
        return batch(steps.toArray(ObjectNode[]::new));
    }

    private static String table(String prefix) {
        String t = uniqueTable(prefix);
        query("CREATE TABLE " + t + " (a bigint UNIQUE, v text)");
        return t;
    }

    private static long transactionIdsOf(String t) {
        return count("SELECT count(DISTINCT xmin::text) FROM " + t);
    }

    private static JsonNode batchResult(JsonNode body) {
        return okResponse(body.get("results").get(0)).get("result");
    }

    @Test
    void shouldRunAWriteBatchWithoutASavepointPerStatement() {
        String t = table("nosp");

        JsonNode result = batchResult(pipelineOk(V3, null,
                batchRequest(libsqlWriteBatch(20, i -> stmt("INSERT INTO " + t + " VALUES (?, ?)", integer(i), text("row " + i)))), close()));

        assertThat(result.get("step_errors")).allMatch(JsonNode::isNull);
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(20);
        // the first INSERT under a savepoint of its own (its text argument's parse is new to the transaction),
        // the other 19 together under one
        assertThat(transactionIdsOf(t)).as("transaction ids of the rows, not one subtransaction per statement").isLessThanOrEqualTo(2);
    }

    @Test
    void shouldStillGuardEachStatementOfAnInteractiveTransaction() {
        String t = table("sp");
        String baton = pipelineOk(V3, null, execute("BEGIN")).get("baton").asText();
        for (int i = 0; i < 3; i++) {
            baton = pipelineOk(V3, baton, execute("INSERT INTO " + t + " VALUES (?, 'x')", integer(i))).get("baton").asText();
        }
        JsonNode failed = pipelineOk(V3, baton, execute("INSERT INTO " + t + " VALUES (1, 'dup')"));
        assertThat(errorOf(failed.get("results").get(0)).get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
        pipelineOk(V3, failed.get("baton").asText(), execute("COMMIT"), close());

        assertThat(count("SELECT count(*) FROM " + t)).as("the failed statement was undone alone").isEqualTo(3);
        assertThat(transactionIdsOf(t)).as("each statement under a savepoint of its own").isEqualTo(3);
    }

    @Test
    void shouldRollBackAWriteBatchWhoseUnguardedStatementFailedAndLeaveTheStreamUsable() {
        String t = table("fail");

        JsonNode body = pipelineOk(V3, null, batchRequest(libsqlWriteBatch(10,
                i -> stmt("INSERT INTO " + t + " VALUES (?, 'x')", integer(i == 6 ? 2 : i)))), execute("SELECT 7"), getAutocommit());

        JsonNode result = batchResult(body);
        JsonNode errors = result.get("step_errors");
        assertThat(errors.get(7).get("code").asText()).as("the duplicate, step 7").isEqualTo("SQLITE_CONSTRAINT");
        assertThat(errors.get(7).get("message").asText()).contains("duplicate key");
        for (int step = 8; step <= 11; step++) {
            assertThat(result.get("step_results").get(step).isNull() && errors.get(step).isNull()).as("step %d skipped", step).isTrue();
        }
        assertThat(result.get("step_results").get(12).isNull()).as("the ROLLBACK ran").isFalse();
        assertThat(errors.get(12).isNull()).isTrue();
        // the same stream goes on outside any transaction
        assertThat(okResponse(body.get("results").get(1)).at("/result/rows/0/0/value").asText()).isEqualTo("7");
        assertThat(okResponse(body.get("results").get(2)).get("is_autocommit").asBoolean()).isTrue();
        pipelineOk(V3, body.get("baton").asText(), close());
        assertThat(count("SELECT count(*) FROM " + t)).isZero();
    }

    @Test
    void shouldRollBackABatchThatTheStreamsCloseFollowsWhenAStatementFails() {
        String t = table("close");
        List<ObjectNode> steps = new ArrayList<>();
        steps.add(step(stmt("BEGIN")));
        for (int i = 0; i < 5; i++) {
            steps.add(step(ok(i), stmt("INSERT INTO " + t + " VALUES (?, 'x')", integer(i == 3 ? 0 : i))));
        }
        steps.add(step(ok(5), stmt("COMMIT")));

        JsonNode result = batchResult(pipelineOk(V3, null, batchRequest(batch(steps.toArray(ObjectNode[]::new))), close()));

        assertThat(result.get("step_errors").get(4).get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(count("SELECT count(*) FROM " + t)).isZero();
    }

    @Test
    void shouldKeepEarlierStatementsOfAnOpenTransactionWhenABatchStepFailsAndLaterStepsMayRun() {
        String t = table("keep");
        String baton = pipelineOk(V3, null, execute("BEGIN")).get("baton").asText();

        // step 2 fails; step 3 has no condition: it runs after the failure, so step 2 needed its savepoint
        JsonNode body = pipelineOk(V3, baton, batchRequest(batch(
                step(stmt("INSERT INTO " + t + " VALUES (1, 'a')")),
                step(ok(0), stmt("INSERT INTO " + t + " VALUES (2, 'b')")),
                step(ok(1), stmt("INSERT INTO " + t + " VALUES (1, 'dup')")),
                step(stmt("INSERT INTO " + t + " VALUES (3, 'c')")),
                step(error(2), stmt("ROLLBACK")))));
        JsonNode result = batchResult(body);
        assertThat(result.get("step_errors").get(2).get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(result.get("step_errors").get(3).isNull()).as("step 3 ran in the transaction the failure did not abort").isTrue();
        assertThat(result.get("step_errors").get(4).isNull()).isTrue();
        pipelineOk(V3, body.get("baton").asText(), close());

        assertThat(count("SELECT count(*) FROM " + t)).as("the ROLLBACK step ended it all").isZero();
    }

    @Test
    void shouldGiveEachRepeatedStepItsOwnOutcomeWhenOneFailsInAnInteractiveTransaction() {
        String t = table("rep");
        String baton = pipelineOk(V3, null, execute("BEGIN"), execute("INSERT INTO " + t + " VALUES (100, 'first')")).get("baton").asText();

        // unconditioned: after the duplicate (step 3) the others still run, in the transaction it did not abort
        ObjectNode[] steps = new ObjectNode[7];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = step(stmt("INSERT INTO " + t + " VALUES (?, 'x')", integer(i == 3 ? 100 : i)));
        }
        JsonNode body = pipelineOk(V3, baton, batchRequest(batch(steps)));
        JsonNode result = batchResult(body);
        for (int i = 0; i < steps.length; i++) {
            if (i == 3) {
                assertThat(result.get("step_errors").get(i).get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
            } else {
                assertThat(result.get("step_results").get(i).get("affected_row_count").asLong()).as("step %d", i).isEqualTo(1);
            }
        }
        pipelineOk(V3, body.get("baton").asText(), execute("COMMIT"), close());

        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(7);
    }

    @Test
    void shouldGiveAStatementWithAnUntypedArgumentItsSavepointUntilItsTextParsedInTheTransaction() {
        String t = table("untyped");
        // "? IS NULL" cannot be typed by PostgreSQL: Sluice retries it with the argument as text, which needs the
        // savepoint; a text with untyped arguments goes unguarded only once the server parsed it in the transaction
        JsonNode result = batchResult(pipelineOk(V3, null, batchRequest(libsqlWriteBatch(6, i -> i % 2 == 0
                ? stmt("INSERT INTO " + t + " SELECT ?, 'n' WHERE ? IS NULL", integer(i), nul())
                : stmt("INSERT INTO " + t + " VALUES (?, ?)", integer(i), text("t" + i)))), close()));

        assertThat(result.get("step_errors")).allMatch(JsonNode::isNull);
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(6);
    }

    @Test
    void shouldRefuseTheCommitOfATransactionWhoseUnguardedStatementFailedAfterItRan() {
        String t = table("after");
        String baton = pipelineOk(V3, null, execute("BEGIN")).get("baton").asText();
        // each step returns 4 MB: the third does not fit the 10 MB response after it ran, which fails the whole
        // batch before its ROLLBACK step; the transaction stays open with the third row in it and no savepoint
        String insert = "INSERT INTO " + t + " VALUES (?, 'x') RETURNING repeat('r', 4000000)";
        JsonNode body = pipelineOk(V3, baton, batchRequest(batch(
                step(stmt(insert, integer(1))),
                step(ok(0), stmt(insert, integer(2))),
                step(ok(1), stmt(insert, integer(3))),
                step(not(ok(2)), stmt("ROLLBACK")))));
        assertThat(errorOf(body.get("results").get(0)).get("code").asText()).isEqualTo("RESPONSE_TOO_LARGE");

        JsonNode commit = pipelineOk(V3, body.get("baton").asText(), execute("COMMIT"), close());

        assertThat(errorOf(commit.get("results").get(0)).get("message").asText()).contains("rolled back");
        assertThat(count("SELECT count(*) FROM " + t)).as("nothing of the transaction committed").isZero();
    }
}
