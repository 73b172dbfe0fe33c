package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.getAutocommit;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.not;
import static io.sluice.gateway.HranaJson.ok;
import static io.sluice.gateway.HranaJson.sequence;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every BEGIN spelling the clients send, read-only transactions, and SQLite's "an error does not abort" rule. */
@QuarkusTest
class TransactionsTest {

    static String table() {
        String t = uniqueTable("tx");
        query("CREATE TABLE " + t + "(a INTEGER UNIQUE)");
        return t;
    }

    static boolean autocommit(StreamSession s) {
        return okResponse(s.send(getAutocommit()).get(0)).get("is_autocommit").asBoolean();
    }

    @ParameterizedTest
    @ValueSource(strings = {"BEGIN", "BEGIN IMMEDIATE", "BEGIN DEFERRED", "BEGIN EXCLUSIVE", "BEGIN TRANSACTION", "BEGIN ",
            "begin immediate", "  BEGIN DEFERRED TRANSACTION;"})
    void shouldOpenTransactionWithEveryBeginSpellingAndCommitIt(String begin) {
        String t = table();
        try (StreamSession s = new StreamSession(V3)) {
            okResponse(s.send(execute(begin)).get(0));
            assertThat(autocommit(s)).isFalse();
            okResponse(s.send(execute("INSERT INTO " + t + " VALUES (1)")).get(0));
            assertThat(count("SELECT count(*) FROM " + t)).as("visible before commit").isZero();

            okResponse(s.send(execute("COMMIT")).get(0));
            assertThat(autocommit(s)).isTrue();
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldCommitWithEndTransaction() {
        String t = table();
        try (StreamSession s = new StreamSession(V3)) {
            s.send(execute("BEGIN"), execute("INSERT INTO " + t + " VALUES (1)"));
            okResponse(s.send(execute("END TRANSACTION")).get(0));
            assertThat(autocommit(s)).isTrue();
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldAllowReadsButRefuseWritesInsideReadonlyTransaction() {
        String t = table();
        query("INSERT INTO " + t + " VALUES (1)");
        try (StreamSession s = new StreamSession(V3)) {
            okResponse(s.send(execute("BEGIN TRANSACTION READONLY")).get(0));
            assertThat(autocommit(s)).isFalse();

            JsonNode read = s.send(execute("SELECT count(*) FROM " + t)).get(0);
            JsonNode write = s.send(execute("INSERT INTO " + t + " VALUES (2)")).get(0);

            assertThat(okResponse(read).get("result").get("rows").get(0).get(0).get("value").asText()).isEqualTo("1");
            assertThat(errorOf(write).get("code").asText()).isEqualTo("SQLITE_READONLY");
            assertThat(autocommit(s)).as("transaction still open after the refused write").isFalse();
            okResponse(s.send(execute("COMMIT")).get(0));
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"COMMIT", "ROLLBACK"})
    void shouldWriteAgainOnSameStreamAfterReadonlyTransactionEnds(String end) {
        String t = table();
        try (StreamSession s = new StreamSession(V2)) {
            s.send(execute("BEGIN TRANSACTION READONLY"), execute("SELECT * FROM " + t));
            okResponse(s.send(execute(end)).get(0));

            JsonNode write = s.send(execute("INSERT INTO " + t + " VALUES (5)")).get(0);

            assertThat(okResponse(write).get("result").get("affected_row_count").asLong()).isEqualTo(1);
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldReturnCleanConnectionToPoolWhenStreamClosesInsideReadonlyTransaction() {
        String t = table();
        JsonNode body = pipelineOk(V2, null, execute("BEGIN TRANSACTION READONLY"), execute("SELECT * FROM " + t), close());
        okResponse(body.get("results").get(0));

        // whichever pooled connection the next streams get, it must not be stuck in query_only mode
        for (int i = 0; i < 10; i++) {
            okResponse(pipelineOk(V2, null, execute("INSERT INTO " + t + " VALUES (" + i + ")"), close()).get("results").get(0));
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(10);
    }

    @Test
    void shouldRunLibsqlClientReadBatch() {
        String t = table();
        query("INSERT INTO " + t + " VALUES (7)");

        JsonNode body = pipelineOk(V2, null, batchRequest(batch(
                step(noRows(stmt("BEGIN TRANSACTION READONLY"))),
                step(ok(0), stmt("SELECT a FROM " + t)),
                step(ok(1), noRows(stmt("COMMIT"))),
                step(not(ok(2)), noRows(stmt("ROLLBACK"))))), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(result.get("step_errors").get(0).isNull() && result.get("step_errors").get(1).isNull()
                && result.get("step_errors").get(2).isNull()).as("errors %s", result.get("step_errors")).isTrue();
        assertThat(result.get("step_results").get(1).get("rows").get(0).get(0).get("value").asText()).isEqualTo("7");
        assertThat(result.get("step_results").get(3).isNull()).isTrue();
    }

    @Test
    void shouldKeepTransactionOpenAndCommitLaterStatementsAfterStatementFails() {
        String t = table();
        try (StreamSession s = new StreamSession(V2)) {
            okResponse(s.send(execute("BEGIN IMMEDIATE")).get(0));
            okResponse(s.send(execute("INSERT INTO " + t + " VALUES (1)")).get(0));
            assertThat(errorOf(s.send(execute("INSERT INTO nosuch_" + t + " VALUES (1)")).get(0)).get("code").asText())
                    .isEqualTo("SQLITE_ERROR");
            assertThat(errorOf(s.send(execute("INSERT INTO " + t + " VALUES (1)")).get(0)).get("code").asText())
                    .isEqualTo("SQLITE_CONSTRAINT");
            assertThat(errorOf(s.send(execute("SELEC oops")).get(0)).get("code").asText()).isEqualTo("SQL_PARSE_ERROR");
            okResponse(s.send(execute("INSERT INTO " + t + " VALUES (2)")).get(0));

            okResponse(s.send(execute("COMMIT")).get(0));
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);
    }

    @Test
    void shouldKeepTransactionOpenAfterFailingStepInsideSingleBatch() {
        String t = table();
        JsonNode body = pipelineOk(V3, null, batchRequest(batch(
                step(stmt("BEGIN")),
                step(stmt("INSERT INTO " + t + " VALUES (1)")),
                step(stmt("INSERT INTO " + t + " VALUES (1)")),
                step(stmt("INSERT INTO " + t + " VALUES (2)")),
                step(stmt("COMMIT")))), close());

        JsonNode errors = okResponse(body.get("results").get(0)).get("result").get("step_errors");
        assertThat(errors.get(2).get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(errors.get(4).isNull()).isTrue();
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);
    }

    @Test
    void shouldReportErrorForCommitWithoutTransactionAndKeepStreamUsable() {
        try (StreamSession s = new StreamSession(V3)) {
            assertThat(errorOf(s.send(execute("COMMIT")).get(0)).get("code").asText()).isEqualTo("SQLITE_ERROR");
            assertThat(autocommit(s)).isTrue();
            okResponse(s.send(execute("SELECT 1")).get(0));
        }
    }

    @Test
    void shouldRefuseNestedBeginAndKeepOuterTransaction() {
        String t = table();
        try (StreamSession s = new StreamSession(V3)) {
            s.send(execute("BEGIN"), execute("INSERT INTO " + t + " VALUES (1)"));

            assertThat(errorOf(s.send(execute("BEGIN")).get(0)).get("code").asText()).isEqualTo("SQLITE_ERROR");
            assertThat(autocommit(s)).isFalse();
            okResponse(s.send(execute("COMMIT")).get(0));
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldTrackSavepointsInAutocommitState() {
        String t = table();
        try (StreamSession s = new StreamSession(V3)) {
            s.send(execute("SAVEPOINT sp1"), execute("INSERT INTO " + t + " VALUES (1)"));
            assertThat(autocommit(s)).isFalse();
            s.send(execute("SAVEPOINT sp2"), execute("INSERT INTO " + t + " VALUES (2)"), execute("ROLLBACK TO sp2"));
            assertThat(autocommit(s)).isFalse();

            okResponse(s.send(execute("RELEASE sp1")).get(0));
            assertThat(autocommit(s)).isTrue();
        }
        assertThat(count("SELECT sum(a) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldRunMigrationBatchWithPragmasAroundDeferredTransaction() {
        String t = uniqueTable("mig");
        JsonNode body = pipelineOk(V2, null, batchRequest(batch(
                step(noRows(stmt("PRAGMA foreign_keys=off"))),
                step(noRows(stmt("BEGIN DEFERRED"))),
                step(ok(1), stmt("CREATE TABLE " + t + "(a INTEGER)")),
                step(ok(2), stmt("INSERT INTO " + t + " VALUES (1)")),
                step(ok(3), noRows(stmt("COMMIT"))),
                step(not(ok(4)), noRows(stmt("ROLLBACK"))),
                step(noRows(stmt("PRAGMA foreign_keys=on"))))), close());

        JsonNode errors = okResponse(body.get("results").get(0)).get("result").get("step_errors");
        for (JsonNode e : errors) {
            assertThat(e.isNull()).as("step errors %s", errors).isTrue();
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
        assertThat(count("PRAGMA foreign_keys")).as("foreign keys back on for the next user of the connection").isEqualTo(1);
    }

    @Test
    void shouldRunSequenceWithWholeTransaction() {
        String t = table();
        JsonNode body = pipelineOk(V2, null, sequence("BEGIN; INSERT INTO " + t + " VALUES (1); INSERT INTO " + t
                + " VALUES (2); COMMIT;"), close());

        okResponse(body.get("results").get(0));
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);
    }
}
