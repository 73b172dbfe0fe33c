package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.getAutocommit;
import static io.sluice.gateway.HranaJson.jsNumber;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.ok;
import static io.sluice.gateway.HranaJson.sequence;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.stmtId;
import static io.sluice.gateway.HranaJson.storeSql;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Streams living across HTTP requests: batons, transactions spanning requests, and close. */
@QuarkusTest
class StreamsTest {

    private static String table() {
        String t = uniqueTable("stream");
        query("CREATE TABLE " + t + "(a INTEGER)");
        return t;
    }

    /** A write on a fresh stream; fails (after the busy timeout) if another stream still holds the write lock. */
    private static void assertNewStreamCanWriteImmediately(String t) {
        long start = System.nanoTime();
        JsonNode body = pipelineOk(V2, null, execute("BEGIN IMMEDIATE"), execute("INSERT INTO " + t + " VALUES (100)"),
                execute("COMMIT"), close());
        for (JsonNode r : body.get("results")) {
            okResponse(r);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms waited for the write lock").isLessThan(2_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldCarryTransactionAcrossRequestsAndCommitIt(String path) {
        String t = table();
        try (StreamSession s = new StreamSession(path)) {
            s.send(execute("BEGIN"));
            okResponse(s.send(execute("INSERT INTO " + t + " VALUES (1)")).get(0));
            okResponse(s.send(execute("INSERT INTO " + t + " VALUES (2)")).get(0));

            assertThat(count("SELECT count(*) FROM " + t)).as("uncommitted rows seen by another stream").isZero();
            okResponse(s.send(execute("COMMIT")).get(0));
        }

        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);
    }

    @Test
    void shouldRollBackTransactionAcrossRequests() {
        String t = table();
        try (StreamSession s = new StreamSession(V2)) {
            s.send(execute("BEGIN IMMEDIATE"));
            s.send(execute("INSERT INTO " + t + " VALUES (1)"));
            assertThat(okResponse(s.send(execute("SELECT count(*) FROM " + t)).get(0)).get("result").get("rows").get(0).get(0)
                    .get("value").asText()).isEqualTo("1");

            okResponse(s.send(execute("ROLLBACK")).get(0));
        }

        assertThat(count("SELECT count(*) FROM " + t)).isZero();
    }

    @Test
    void shouldIssueFreshBatonWithEveryResponse() {
        Set<String> seen = new HashSet<>();
        try (StreamSession s = new StreamSession(V3)) {
            for (int i = 0; i < 5; i++) {
                s.send(execute("SELECT " + i));
                assertThat(seen.add(s.baton())).as("baton %s issued twice", s.baton()).isTrue();
            }
        }
    }

    @Test
    void shouldRollBackOpenTransactionWhenStreamIsClosed() {
        String t = table();
        StreamSession s = new StreamSession(V2);
        try {
            s.send(execute("BEGIN IMMEDIATE"), execute("INSERT INTO " + t + " VALUES (1)"));

            JsonNode results = s.send(close());

            assertThat(okResponse(results.get(0))).isEqualTo(HranaJson.parse("{'type':'close'}"));
            assertThat(s.baton()).isNull();
        } finally {
            s.close();
        }
        assertThat(count("SELECT count(*) FROM " + t + " WHERE a = 1")).isZero();
        assertNewStreamCanWriteImmediately(t);
    }

    @Test
    void shouldRollBackOpenTransactionWhenCloseIsInSamePipeline() {
        String t = table();

        JsonNode body = pipelineOk(V3, null, execute("BEGIN IMMEDIATE"), execute("INSERT INTO " + t + " VALUES (1)"), close());

        assertThat(body.get("baton").isNull()).isTrue();
        assertThat(count("SELECT count(*) FROM " + t + " WHERE a = 1")).isZero();
        assertNewStreamCanWriteImmediately(t);
    }

    @Test
    void shouldRunLibsqlClientInteractiveTransaction() {
        // transaction("write"): first request is store_sql + batch [BEGIN IMMEDIATE, stmt ok(0)] without close
        String t = table();
        try (StreamSession s = new StreamSession(V2)) {
            JsonNode first = s.send(storeSql(0, "INSERT INTO " + t + " VALUES (?)"),
                    batchRequest(batch(step(noRows(stmt("BEGIN IMMEDIATE"))), step(ok(0), stmtId(0, jsNumber(30))))));
            assertThat(s.baton()).isNotNull();
            assertThat(okResponse(first.get(1)).get("result").get("step_errors").get(1).isNull()).isTrue();

            JsonNode failing = s.send(storeSql(1, "INSERT INTO nosuch_" + t + " VALUES (1)"),
                    batchRequest(batch(step(stmtId(1)))));
            assertThat(okResponse(failing.get(1)).get("result").get("step_errors").get(0).get("code").asText()).isEqualTo("SQLITE_ERROR");

            s.send(storeSql(2, "INSERT INTO " + t + " VALUES (?)"), batchRequest(batch(step(stmtId(2, jsNumber(31))))));
            JsonNode commit = s.send(execute(noRows(stmt("COMMIT"))), close());
            okResponse(commit.get(0));
            assertThat(s.baton()).isNull();
        }

        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);
        assertThat(count("SELECT sum(a) FROM " + t)).isEqualTo(61);
    }

    @Test
    void shouldRunServerlessTransactionWithSequenceAndGetAutocommit() {
        String t = table();
        try (StreamSession s = new StreamSession(V3)) {
            JsonNode begin = s.send(sequence("BEGIN IMMEDIATE"), getAutocommit());
            assertThat(okResponse(begin.get(1)).get("is_autocommit").asBoolean()).isFalse();

            s.send(execute("INSERT INTO " + t + " VALUES (1)"));
            JsonNode commit = s.send(sequence("COMMIT"), getAutocommit());

            assertThat(okResponse(commit.get(0))).isEqualTo(HranaJson.parse("{'type':'sequence'}"));
            assertThat(okResponse(commit.get(1)).get("is_autocommit").asBoolean()).isTrue();
            s.send(close());
        }

        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldLetTwoStreamsWorkIndependently() {
        String t = table();
        try (StreamSession a = new StreamSession(V2); StreamSession b = new StreamSession(V3)) {
            a.send(execute("INSERT INTO " + t + " VALUES (1)"));
            b.send(execute("INSERT INTO " + t + " VALUES (2)"));
            a.send(execute("INSERT INTO " + t + " VALUES (3)"));

            assertThat(okResponse(b.send(execute("SELECT sum(a) FROM " + t)).get(0)).get("result").get("rows").get(0).get(0)
                    .get("value").asText()).isEqualTo("6");
        }
    }
}
