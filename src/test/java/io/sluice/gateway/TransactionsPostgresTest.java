package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.not;
import static io.sluice.gateway.HranaJson.ok;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TransactionsTest} against PostgreSQL, plus PRAGMA and client savepoints as the PostgreSQL dialect defines them. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class TransactionsPostgresTest extends TransactionsTest {

    @Test
    @Override
    void shouldRunMigrationBatchWithPragmasAroundDeferredTransaction() {
        // PRAGMA is a no-op on PostgreSQL, so there is no foreign_keys setting to read back afterwards
        String t = uniqueTable("mig");
        JsonNode body = pipelineOk(V2, null, batchRequest(batch(
                step(noRows(stmt("PRAGMA foreign_keys=off"))),
                step(noRows(stmt("BEGIN DEFERRED"))),
                step(ok(1), stmt("CREATE TABLE " + t + "(a INTEGER)")),
                step(ok(2), stmt("INSERT INTO " + t + " VALUES (1)")),
                step(ok(3), noRows(stmt("COMMIT"))),
                step(not(ok(4)), noRows(stmt("ROLLBACK"))),
                step(noRows(stmt("PRAGMA foreign_keys=on"))))), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        for (JsonNode e : result.get("step_errors")) {
            assertThat(e.isNull()).as("step errors %s", result.get("step_errors")).isTrue();
        }
        JsonNode empty = parse("{'cols':[],'rows':[],'affected_row_count':0,'last_insert_rowid':null}");
        assertThat(result.get("step_results").get(0)).isEqualTo(empty);
        assertThat(result.get("step_results").get(6)).isEqualTo(empty);
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    @Override
    void shouldTrackSavepointsInAutocommitState() {
        // SQLite opens a transaction for a SAVEPOINT outside one; PostgreSQL refuses it (SQLSTATE 25P01)
        try (StreamSession s = new StreamSession(V3)) {
            JsonNode error = errorOf(s.send(execute("SAVEPOINT sp1")).get(0));

            assertThat(error.get("code").asText()).isEqualTo("SQLITE_ERROR");
            assertThat(error.get("message").asText()).contains("25P01");
            assertThat(autocommit(s)).isTrue();
        }
    }

    @Test
    void shouldRollBackToClientSavepointInsideTransactionAndKeepEverythingElse() {
        String t = table();
        try (StreamSession s = new StreamSession(V3)) {
            s.send(execute("BEGIN"), execute("INSERT INTO " + t + " VALUES (1)"), execute("SAVEPOINT sp1"),
                    execute("INSERT INTO " + t + " VALUES (2)"), execute("SAVEPOINT sp2"), execute("INSERT INTO " + t + " VALUES (4)"));
            assertThat(errorOf(s.send(execute("INSERT INTO " + t + " VALUES (2)")).get(0)).get("code").asText())
                    .isEqualTo("SQLITE_CONSTRAINT");

            JsonNode results = s.send(execute("ROLLBACK TO sp2"), execute("RELEASE sp1"));
            okResponse(results.get(0));
            okResponse(results.get(1));
            assertThat(autocommit(s)).as("releasing the client's outermost savepoint leaves BEGIN's transaction open").isFalse();
            okResponse(s.send(execute("COMMIT")).get(0));
        }
        assertThat(count("SELECT sum(a) FROM " + t)).isEqualTo(3);
    }

    @Test
    void shouldAnswerPragmaWithEmptyResultInsideTransactionWithoutDisturbingIt() {
        String t = table();
        try (StreamSession s = new StreamSession(V2)) {
            s.send(execute("BEGIN"), execute("INSERT INTO " + t + " VALUES (1)"));

            JsonNode pragma = okResponse(s.send(execute("PRAGMA foreign_keys = OFF")).get(0)).get("result");

            assertThat(pragma).isEqualTo(parse("{'cols':[],'rows':[],'affected_row_count':0,'last_insert_rowid':null}"));
            okResponse(s.send(execute("INSERT INTO " + t + " VALUES (2)")).get(0));
            okResponse(s.send(execute("COMMIT")).get(0));
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);
    }

    @Test
    void shouldRunWriteBatchAtRepeatableReadAsSqliteIsolatesIt() {
        JsonNode body = pipelineOk(V2, null, batchRequest(batch(
                step(noRows(stmt("BEGIN IMMEDIATE"))),
                step(ok(0), stmt("SELECT current_setting('transaction_isolation')")),
                step(ok(1), noRows(stmt("COMMIT"))),
                step(not(ok(2)), noRows(stmt("ROLLBACK"))))), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(result.get("step_results").get(1).get("rows").get(0).get(0).get("value").asText()).isEqualTo("repeatable read");
    }

    @Test
    void shouldSeeSameRowsTwiceInWriteTransactionWhileAnotherStreamCommits() {
        String t = uniqueTable("rr");
        pipelineOk(V2, null, execute("CREATE TABLE " + t + " (id int PRIMARY KEY)"), execute("INSERT INTO " + t + " VALUES (1)"), close());
        try (StreamSession writer = new StreamSession(V2)) {
            JsonNode first = writer.send(execute("BEGIN IMMEDIATE"), execute("SELECT count(*) FROM " + t));
            assertThat(okResponse(first.get(1)).get("result").get("rows").get(0).get(0).get("value").asText()).isEqualTo("1");

            pipelineOk(V2, null, execute("INSERT INTO " + t + " VALUES (2)"), close());
            assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);

            JsonNode second = writer.send(execute("SELECT count(*) FROM " + t), execute("COMMIT"));
            assertThat(okResponse(second.get(0)).get("result").get("rows").get(0).get(0).get("value").asText())
                    .as("the second read inside the transaction").isEqualTo("1");
            okResponse(second.get(1));
        }
    }
}
