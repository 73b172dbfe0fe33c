package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.CURSOR;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.cursorOk;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.col;
import static io.sluice.gateway.HranaJson.cols;
import static io.sluice.gateway.HranaJson.cursor;
import static io.sluice.gateway.HranaJson.error;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.getAutocommit;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.isAutocommit;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.ok;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.sequence;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static io.sluice.gateway.HttpErrors.assertHttpError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** POST /v3/cursor: NDJSON entries per executed step, as the serverless client parses them. */
@QuarkusTest
class CursorTest implements BackendExpectations {

    /** The serverless client's autocommit probe, appended to every cursor request. */
    private static ObjectNode probe() {
        return step(isAutocommit(), noRows(stmt("SELECT 1")));
    }

    private static List<String> types(List<JsonNode> entries) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : entries.subList(1, entries.size())) {
            out.add(e.get("type").asText() + (e.has("step") ? e.get("step").asInt() : ""));
        }
        return out;
    }

    private static ObjectNode stepBegin(int step, ObjectNode... columns) {
        ObjectNode e = (ObjectNode) parse("{'type':'step_begin','step':" + step + "}");
        e.set("cols", cols(columns));
        return e;
    }

    private static ObjectNode stepEnd(long affectedRows, JsonNode lastInsertRowid) {
        ObjectNode e = (ObjectNode) parse("{'type':'step_end','affected_row_count':" + affectedRows + "}");
        e.set("last_insert_rowid", lastInsertRowid);
        return e;
    }

    private static void closeStream(List<JsonNode> entries) {
        pipelineOk(V3, entries.get(0).get("baton").asText(), close());
    }

    @Test
    void shouldStreamHeaderThenBeginRowsAndEndOfEachStep() {
        List<JsonNode> entries = cursorOk(cursor(null, batch(
                step(stmt("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'")),
                step(stmt("SELECT ? AS c", integer(3))))));
        try {
            assertThat(entries.get(0).get("baton").isTextual()).isTrue();
            assertThat(entries.get(0).get("base_url").isNull()).isTrue();
            assertThat(entries.get(0)).hasSize(2);
            assertThat(entries.subList(1, entries.size())).containsExactly(
                    stepBegin(0, col("a", exprDecltype("int4")), col("b", exprDecltype("text"))),
                    parse("{'type':'row','row':[{'type':'integer','value':'1'},{'type':'text','value':'x'}]}"),
                    parse("{'type':'row','row':[{'type':'integer','value':'2'},{'type':'text','value':'y'}]}"),
                    parse("{'type':'step_end','affected_row_count':0,'last_insert_rowid':null}"),
                    stepBegin(1, col("c", exprDecltype("int8"))),
                    parse("{'type':'row','row':[{'type':'integer','value':'3'}]}"),
                    parse("{'type':'step_end','affected_row_count':0,'last_insert_rowid':null}"));
        } finally {
            closeStream(entries);
        }
    }

    @Test
    void shouldReportAffectedRowsAndRowidInStepEndOfInsert() {
        String t = uniqueTable("cins");
        query("CREATE TABLE " + t + "(id INTEGER PRIMARY KEY, v TEXT)");

        List<JsonNode> entries = cursorOk(cursor(null, batch(step(stmt("INSERT INTO " + t + "(id, v) VALUES (77, 'a')")), probe())));
        try {
            assertThat(entries.subList(1, entries.size())).containsExactly(
                    parse("{'type':'step_begin','step':0,'cols':[]}"),
                    stepEnd(1, lastInsertRowid(77)),
                    stepBegin(1, col(exprColumnName("1"), exprDecltype("int4"))),
                    parse("{'type':'step_end','affected_row_count':0,'last_insert_rowid':null}"));
        } finally {
            closeStream(entries);
        }
    }

    @Test
    void shouldSendBeginAndEndButNoRowsForStepThatDoesNotWantRows() {
        List<JsonNode> entries = cursorOk(cursor(null, batch(step(noRows(stmt("SELECT 1 AS a UNION ALL SELECT 2"))))));
        try {
            assertThat(types(entries)).containsExactly("step_begin0", "step_end");
            assertThat(entries.get(1).get("cols")).isEqualTo(cols(col("a", exprDecltype("int4"))));
        } finally {
            closeStream(entries);
        }
    }

    @Test
    void shouldSendStepErrorForFailingStepAndNothingForSkippedSteps() {
        List<JsonNode> entries = cursorOk(cursor(null, batch(
                step(stmt("SELECT * FROM nosuch_" + uniqueTable("cur"))),
                step(ok(0), stmt("SELECT 'skipped'")),
                step(error(0), stmt("SELECT 'runs'")))));
        try {
            assertThat(types(entries)).containsExactly("step_error0", "step_begin2", "row", "step_end");
            JsonNode stepError = entries.get(1);
            assertThat(stepError.get("error").get("code").asText()).isEqualTo("SQLITE_ERROR");
            assertThat(stepError.get("error").get("message").asText()).contains(missingTableMessage());
        } finally {
            closeStream(entries);
        }
    }

    @Test
    void shouldRunAutocommitProbeOutsideTransactionAndSkipItInside() {
        try (StreamSession s = new StreamSession(V3)) {
            List<JsonNode> outside = cursorOk(cursor(null, batch(step(stmt("SELECT 1")), probe())));
            s.baton(outside.get(0).get("baton").asText());
            assertThat(types(outside)).containsExactly("step_begin0", "row", "step_end", "step_begin1", "step_end");

            s.send(sequence("BEGIN"));
            List<JsonNode> inside = cursorOk(cursor(s.baton(), batch(step(stmt("SELECT 1")), probe())));
            s.baton(inside.get(0).get("baton").asText());

            assertThat(types(inside)).containsExactly("step_begin0", "row", "step_end");
            s.send(sequence("ROLLBACK"));
        }
    }

    @Test
    void shouldContinueStreamWithBatonFromCursorHeader() {
        String t = uniqueTable("ccont");
        query("CREATE TABLE " + t + "(a INTEGER)");
        try (StreamSession s = new StreamSession(V3)) {
            List<JsonNode> first = cursorOk(cursor(null, batch(step(stmt("BEGIN")), step(ok(0), stmt("INSERT INTO " + t + " VALUES (1)")))));
            s.baton(first.get(0).get("baton").asText());

            List<JsonNode> second = cursorOk(cursor(s.baton(), batch(step(stmt("SELECT count(*) FROM " + t)))));
            s.baton(second.get(0).get("baton").asText());
            assertThat(second.get(2)).isEqualTo(parse("{'type':'row','row':[{'type':'integer','value':'1'}]}"));

            JsonNode autocommit = s.send(getAutocommit());
            assertThat(okResponse(autocommit.get(0)).get("is_autocommit").asBoolean()).isFalse();
            s.send(execute("COMMIT"));
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldRejectOldBatonAfterCursorUsedIt() {
        List<JsonNode> first = cursorOk(cursor(null, batch(step(stmt("SELECT 1")))));
        String baton = first.get(0).get("baton").asText();
        List<JsonNode> second = cursorOk(cursor(baton, batch(step(stmt("SELECT 2")))));
        try {
            assertHttpError(post(CURSOR, cursor(baton, batch(step(stmt("SELECT 3"))))), 400);
        } finally {
            closeStream(second);
        }
    }

    @Test
    void shouldStreamTwelveThousandRows() {
        List<JsonNode> entries = cursorOk(cursor(null, batch(step(stmt(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) "
                        + "SELECT i, 'row-' || i || '-padding-padding-padding' FROM n")))));
        try {
            assertThat(entries).hasSize(1 + 1 + 12_000 + 1);
            assertThat(entries.get(1).get("type").asText()).isEqualTo("step_begin");
            for (int i = 1; i <= 12_000; i++) {
                JsonNode row = entries.get(1 + i);
                assertThat(row.get("row").get(0).get("value").asText()).isEqualTo(Integer.toString(i));
            }
            assertThat(entries.get(entries.size() - 1).get("type").asText()).isEqualTo("step_end");
        } finally {
            closeStream(entries);
        }
    }

    @Test
    void shouldRunServerlessTransactionOverPipelineAndCursor() {
        String t = uniqueTable("stx");
        query("CREATE TABLE " + t + "(i INTEGER)");
        try (StreamSession s = new StreamSession(V3)) {
            JsonNode begin = s.send(sequence("BEGIN IMMEDIATE"), getAutocommit());
            assertThat(okResponse(begin.get(1)).get("is_autocommit").asBoolean()).isFalse();

            List<JsonNode> insert = cursorOk(cursor(s.baton(), batch(step(stmt("INSERT INTO " + t + "(i) VALUES (?)", integer(30))), probe())));
            s.baton(insert.get(0).get("baton").asText());
            assertThat(types(insert)).containsExactly("step_begin0", "step_end");

            List<JsonNode> failing = cursorOk(cursor(s.baton(), batch(step(stmt("INSERT INTO nosuch_" + t + " VALUES (1)")), probe())));
            s.baton(failing.get(0).get("baton").asText());
            assertThat(types(failing)).containsExactly("step_error0");

            assertThat(okResponse(s.send(getAutocommit()).get(0)).get("is_autocommit").asBoolean()).isFalse();
            JsonNode commit = s.send(sequence("COMMIT"), getAutocommit());
            assertThat(okResponse(commit.get(1)).get("is_autocommit").asBoolean()).isTrue();
            s.send(close());
            assertThat(s.baton()).isNull();
        }
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }
}
