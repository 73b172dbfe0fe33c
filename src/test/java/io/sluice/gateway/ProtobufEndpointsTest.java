package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static io.sluice.gateway.HranaProtobuf.CURSOR;
import static io.sluice.gateway.HranaProtobuf.PIPELINE;
import static io.sluice.gateway.HranaProtobuf.TYPE;
import static io.sluice.gateway.HranaProtobuf.batch;
import static io.sluice.gateway.HranaProtobuf.blob;
import static io.sluice.gateway.HranaProtobuf.close;
import static io.sluice.gateway.HranaProtobuf.error;
import static io.sluice.gateway.HranaProtobuf.execute;
import static io.sluice.gateway.HranaProtobuf.getAutocommit;
import static io.sluice.gateway.HranaProtobuf.integer;
import static io.sluice.gateway.HranaProtobuf.nul;
import static io.sluice.gateway.HranaProtobuf.ok;
import static io.sluice.gateway.HranaProtobuf.pipeline;
import static io.sluice.gateway.HranaProtobuf.pipelineOk;
import static io.sluice.gateway.HranaProtobuf.post;
import static io.sluice.gateway.HranaProtobuf.readCursor;
import static io.sluice.gateway.HranaProtobuf.real;
import static io.sluice.gateway.HranaProtobuf.stmt;
import static io.sluice.gateway.HranaProtobuf.text;
import static io.sluice.gateway.HttpErrors.assertHttpError;
import static io.sluice.gateway.HttpErrors.assertServerStillAnswers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sluice.gateway.proto.HranaHttpProto;
import io.sluice.gateway.proto.HranaHttpProto.PipelineRespBody;
import io.sluice.gateway.proto.HranaHttpProto.StreamRequest;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.gateway.proto.HranaProto.BatchCond;
import io.sluice.gateway.proto.HranaProto.BatchStep;
import io.sluice.gateway.proto.HranaProto.CursorEntry;
import io.sluice.gateway.proto.HranaProto.StmtResult;
import io.sluice.gateway.proto.HranaProto.Value;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hrana 3 in Protobuf over HTTP ({@code /v3-protobuf/pipeline}, {@code /v3-protobuf/cursor}) against the
 * embedded SQLite: the same engine as JSON, with the bytes of the generated schema on the wire.
 */
@QuarkusTest
class ProtobufEndpointsTest {

    @Inject
    InlineReads inline;

    private static HranaProto.Batch steps(BatchStep... steps) {
        return HranaProto.Batch.newBuilder().addAllSteps(List.of(steps)).build();
    }

    private static BatchStep step(String sql) {
        return BatchStep.newBuilder().setStmt(stmt(sql)).build();
    }

    private static BatchStep step(BatchCond cond, String sql) {
        return BatchStep.newBuilder().setCondition(cond).setStmt(stmt(sql)).build();
    }

    private static BatchCond okOf(int step) {
        return BatchCond.newBuilder().setStepOk(step).build();
    }

    private static BatchCond notOf(BatchCond c) {
        return BatchCond.newBuilder().setNot(c).build();
    }

    private static StmtResult result(PipelineRespBody body, int i) {
        return ok(body, i).getExecute().getResult();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v3-protobuf", "/db/v3-protobuf"})
    void shouldAnswerTheProtobufProbeWithSuccess(String path) {
        given().get(path).then().statusCode(200);
    }

    @Test
    void shouldRoundTripEveryValueTypeWithItsSqliteStorageClass() {
        Value[] values = {integer(Long.MIN_VALUE), integer(Long.MAX_VALUE), integer(0), integer(-1), real(0.1), real(-1e300),
                real(2.0), text("héllo wörld ✓ 😀"), text(""), blob(new byte[] {0, 1, (byte) 0xfe, (byte) 0xff}), blob(new byte[0]), nul()};
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < values.length; i++) {
            sql.append(i == 0 ? "" : ", ").append("?, typeof(?" + (i + 1) + ")");
        }

        StmtResult r = result(pipelineOk(null, execute(sql.toString(), values), close()), 0);

        List<Value> row = r.getRows(0).getValuesList();
        String[] storage = {"integer", "integer", "integer", "integer", "real", "real", "real", "text", "text", "blob", "blob", "null"};
        for (int i = 0; i < values.length; i++) {
            assertThat(row.get(2 * i)).as("value %d", i).isEqualTo(values[i]);
            assertThat(row.get(2 * i + 1).getText()).as("storage class of value %d", i).isEqualTo(storage[i]);
        }
    }

    @Test
    void shouldAnswerAStreamlessReadOnTheFastPathInProtobuf() {
        long before = inline.answeredCount();

        StmtResult r = result(pipelineOk(null, execute("SELECT ?, 'fast'", blob(new byte[] {9})), close()), 0);

        assertThat(inline.answeredCount()).as("answered on the I/O thread").isEqualTo(before + 1);
        assertThat(r.getRows(0).getValuesList()).containsExactly(blob(new byte[] {9}), text("fast"));
    }

    @Test
    void shouldReturnRealAsFloatEvenWhenIntegral() {
        StmtResult r = result(pipelineOk(null, execute("SELECT 3.0, 7"), close()), 0);

        assertThat(r.getRows(0).getValues(0).getValueCase()).isEqualTo(Value.ValueCase.FLOAT);
        assertThat(r.getRows(0).getValues(1)).isEqualTo(integer(7));
    }

    @Test
    void shouldReportColumnsAffectedRowsAndLastInsertRowid() {
        String t = uniqueTable("pb_cols");

        PipelineRespBody body = pipelineOk(null,
                execute("CREATE TABLE " + t + "(id INTEGER PRIMARY KEY, name TEXT, data BLOB)"),
                execute("INSERT INTO " + t + "(id, name) VALUES (9007199254740993, 'a')"),
                execute("SELECT id, name, data, 1 + 1 AS two FROM " + t),
                execute("DELETE FROM " + t),
                close());

        assertThat(result(body, 1).getAffectedRowCount()).isEqualTo(1);
        assertThat(result(body, 1).getLastInsertRowid()).isEqualTo(9007199254740993L);
        StmtResult select = result(body, 2);
        assertThat(select.getColsList()).extracting(HranaProto.Col::getName).containsExactly("id", "name", "data", "two");
        assertThat(select.getColsList()).extracting(c -> c.hasDecltype() ? c.getDecltype() : null)
                .containsExactly("INTEGER", "TEXT", "BLOB", null);
        assertThat(select.getRows(0).getValues(0)).isEqualTo(integer(9007199254740993L));
        assertThat(select.getRows(0).getValues(2)).isEqualTo(nul());
        assertThat(result(body, 3).getAffectedRowCount()).isEqualTo(1);
    }

    @Test
    void shouldReturnNoRowsButColumnsWhenRowsAreNotWanted() {
        StmtResult r = result(pipelineOk(null, execute(stmt("SELECT 1 AS a").toBuilder().setWantRows(false).build()), close()), 0);

        assertThat(r.getRowsCount()).isZero();
        assertThat(r.getCols(0).getName()).isEqualTo("a");
    }

    @Test
    void shouldBindNamedArguments() {
        HranaProto.Stmt s = stmt("SELECT :a, @b").toBuilder()
                .addNamedArgs(HranaProto.NamedArg.newBuilder().setName("a").setValue(integer(1)))
                .addNamedArgs(HranaProto.NamedArg.newBuilder().setName("@b").setValue(text("two"))).build();

        StmtResult r = result(pipelineOk(null, execute(s), close()), 0);

        assertThat(r.getRows(0).getValuesList()).containsExactly(integer(1), text("two"));
    }

    @Test
    void shouldKeepTheStreamAcrossRequestsAndCloseItWithoutBaton() {
        String t = uniqueTable("pb_stream");
        PipelineRespBody first = pipelineOk(null, execute("CREATE TABLE " + t + "(a)"), execute("BEGIN"),
                execute("INSERT INTO " + t + " VALUES (1)"), getAutocommit());
        assertThat(first.hasBaton()).isTrue();
        assertThat(ok(first, 3).getGetAutocommit().getIsAutocommit()).isFalse();

        PipelineRespBody second = pipelineOk(first.getBaton(), execute("ROLLBACK"), getAutocommit(),
                execute("SELECT count(*) FROM " + t), close());

        assertThat(ok(second, 1).getGetAutocommit().getIsAutocommit()).isTrue();
        assertThat(result(second, 2).getRows(0).getValues(0)).isEqualTo(integer(0));
        assertThat(second.hasBaton()).as("a closed stream has no baton").isFalse();
        assertThat(second.hasBaseUrl()).isFalse();
    }

    @Test
    void shouldAnswerStatementErrorsInsideTheResultsAndRunTheRest() {
        PipelineRespBody body = pipelineOk(null, execute("SELEC 1"), execute("SELECT * FROM no_such_table_pb"),
                execute("SELECT ?"), execute("SELECT 1"), close());

        assertThat(error(body, 0).getCode()).isEqualTo("SQL_PARSE_ERROR");
        assertThat(error(body, 1).getMessage()).contains("no_such_table_pb");
        assertThat(error(body, 2).getCode()).isEqualTo("ARGS_INVALID");
        assertThat(result(body, 3).getRows(0).getValues(0)).isEqualTo(integer(1));
    }

    @Test
    void shouldRunBatchesWithConditionsAndKeyResultsByStep() {
        String t = uniqueTable("pb_batch");
        HranaProto.Batch b = steps(
                step("CREATE TABLE " + t + "(a UNIQUE)"),
                step(okOf(0), "INSERT INTO " + t + " VALUES (1)"),
                step(okOf(1), "INSERT INTO " + t + " VALUES (1)"),
                step(BatchCond.newBuilder().setStepError(2).build(), "SELECT count(*) FROM " + t),
                step(notOf(okOf(3)), "SELECT 'skipped'"),
                step(BatchCond.newBuilder().setIsAutocommit(BatchCond.IsAutocommit.getDefaultInstance()).build(), "SELECT 'autocommit'"),
                step(BatchCond.newBuilder().setAnd(BatchCond.CondList.newBuilder().addConds(okOf(0)).addConds(okOf(2))).build(), "SELECT 'no'"),
                step(BatchCond.newBuilder().setOr(BatchCond.CondList.newBuilder().addConds(okOf(2)).addConds(okOf(3))).build(), "SELECT 'yes'"));

        HranaProto.BatchResult r = ok(pipelineOk(null, batch(b), close()), 0).getBatch().getResult();

        assertThat(r.getStepResultsMap().keySet()).containsExactlyInAnyOrder(0, 1, 3, 5, 7);
        assertThat(r.getStepErrorsMap().keySet()).containsExactly(2);
        assertThat(r.getStepErrorsOrThrow(2).getCode()).startsWith("SQLITE_CONSTRAINT");
        assertThat(r.getStepResultsOrThrow(3).getRows(0).getValues(0)).isEqualTo(integer(1));
        assertThat(r.getStepResultsOrThrow(7).getRows(0).getValues(0)).isEqualTo(text("yes"));
    }

    @Test
    void shouldStoreDescribeAndSequence() {
        String t = uniqueTable("pb_seq");
        StreamRequest store = StreamRequest.newBuilder().setStoreSql(HranaHttpProto.StoreSqlStreamReq.newBuilder()
                .setSqlId(1).setSql("SELECT a AS x, ? FROM " + t + " WHERE a = ?")).build();
        StreamRequest sequence = StreamRequest.newBuilder().setSequence(HranaHttpProto.SequenceStreamReq.newBuilder()
                .setSql("CREATE TABLE " + t + "(a INTEGER); INSERT INTO " + t + " VALUES (5);")).build();
        StreamRequest describe = StreamRequest.newBuilder().setDescribe(HranaHttpProto.DescribeStreamReq.newBuilder().setSqlId(1)).build();
        StreamRequest byId = execute(HranaProto.Stmt.newBuilder().setSqlId(1).addArgs(text("q")).addArgs(integer(5)).build());
        StreamRequest describeNamed = StreamRequest.newBuilder().setDescribe(HranaHttpProto.DescribeStreamReq.newBuilder()
                .setSql("SELECT ?, :v")).build();
        StreamRequest closeSql = StreamRequest.newBuilder().setCloseSql(HranaHttpProto.CloseSqlStreamReq.newBuilder().setSqlId(1)).build();

        PipelineRespBody body = pipelineOk(null, sequence, store, describe, byId, closeSql, execute(
                HranaProto.Stmt.newBuilder().setSqlId(1).build()), describeNamed, close());

        assertThat(ok(body, 0).hasSequence()).isTrue();
        assertThat(ok(body, 1).hasStoreSql()).isTrue();
        HranaProto.DescribeResult d = ok(body, 2).getDescribe().getResult();
        assertThat(d.getParamsCount()).isEqualTo(2);
        assertThat(d.getCols(0).getName()).isEqualTo("x");
        assertThat(d.getIsReadonly()).isTrue();
        assertThat(d.getIsExplain()).isFalse();
        assertThat(result(body, 3).getRows(0).getValuesList()).containsExactly(integer(5), text("q"));
        assertThat(ok(body, 4).hasCloseSql()).isTrue();
        assertThat(error(body, 5).getMessage()).contains("sql_id 1");
        assertThat(ok(body, 6).getDescribe().getResult().getParamsList()).extracting(p -> p.hasName() ? p.getName() : null)
                .containsExactly(null, ":v");
    }

    @Test
    void shouldAnswerLikeTheJsonEncodingForTheSameRequests() {
        String sql = "SELECT 1 AS a, 2.5 AS b, 'x' AS c, x'00ff' AS d, NULL AS e";
        JsonNode json = HranaClient.pipelineOk(HranaClient.V3, null, HranaJson.execute(sql), HranaJson.close());
        JsonNode jsonResult = HranaClient.okResponse(json.get("results").get(0)).get("result");

        StmtResult pb = result(pipelineOk(null, execute(sql), close()), 0);

        assertThat(pb.getColsList()).extracting(HranaProto.Col::getName)
                .containsExactly(jsonResult.get("cols").findValuesAsText("name").toArray(new String[0]));
        JsonNode row = jsonResult.get("rows").get(0);
        assertThat(row.get(0).get("value").asText()).isEqualTo(Long.toString(pb.getRows(0).getValues(0).getInteger()));
        assertThat(row.get(1).get("value").asDouble()).isEqualTo(pb.getRows(0).getValues(1).getFloat());
        assertThat(row.get(2).get("value").asText()).isEqualTo(pb.getRows(0).getValues(2).getText());
        assertThat(java.util.Base64.getDecoder().decode(row.get(3).get("base64").asText()))
                .isEqualTo(pb.getRows(0).getValues(3).getBlob().toByteArray());
        assertThat(row.get(4).get("type").asText()).isEqualTo("null");
        assertThat(pb.getRows(0).getValues(4).hasNull()).isTrue();
    }

    @Test
    void shouldStreamACursorAsLengthDelimitedEntries() {
        int rows = 5000;
        HranaHttpProto.CursorReqBody req = HranaHttpProto.CursorReqBody.newBuilder().setBatch(steps(
                step("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") SELECT i, printf('%050d', i) FROM n"),
                step("SELECT * FROM no_such_table_cursor_pb"),
                step(okOf(1), "SELECT 'skipped'"),
                step(BatchCond.newBuilder().setStepError(1).build(), "SELECT x'cafe'"))).build();

        Response r = post(CURSOR, req.toByteArray());

        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(200);
        assertThat(r.getHeader("Content-Type")).isEqualTo(TYPE);
        HranaProtobuf.Cursor cursor = readCursor(r.asByteArray());
        assertThat(cursor.head().hasBaton()).isTrue();
        List<CursorEntry> entries = cursor.entries();
        assertThat(entries.get(0).getStepBegin().getStep()).isZero();
        assertThat(entries.get(0).getStepBegin().getColsCount()).isEqualTo(2);
        for (int i = 1; i <= rows; i++) {
            assertThat(entries.get(i).getRow().getValues(0)).isEqualTo(integer(i));
        }
        assertThat(entries.get(rows + 1).hasStepEnd()).isTrue();
        assertThat(entries.get(rows + 2).getStepError().getStep()).isEqualTo(1);
        assertThat(entries.get(rows + 2).getStepError().getError().getMessage()).contains("no_such_table_cursor_pb");
        assertThat(entries.get(rows + 3).getStepBegin().getStep()).isEqualTo(3);
        assertThat(entries.get(rows + 4).getRow().getValues(0)).isEqualTo(blob(new byte[] {(byte) 0xca, (byte) 0xfe}));
        assertThat(entries.get(rows + 5).hasStepEnd()).isTrue();
        assertThat(entries).hasSize(rows + 6);

        PipelineRespBody after = pipelineOk(cursor.head().getBaton(), getAutocommit(), close());
        assertThat(ok(after, 0).getGetAutocommit().getIsAutocommit()).isTrue();
    }

    @Test
    void shouldReportStepEndWithLastInsertRowidOverTheCursor() {
        String t = uniqueTable("pb_cur_ins");
        HranaHttpProto.CursorReqBody req = HranaHttpProto.CursorReqBody.newBuilder().setBatch(steps(
                step("CREATE TABLE " + t + "(id INTEGER PRIMARY KEY, v)"),
                step("INSERT INTO " + t + " VALUES (-42, 'neg')"))).build();

        List<CursorEntry> entries = readCursor(post(CURSOR, req.toByteArray()).asByteArray()).entries();

        HranaProto.StepEndEntry end = entries.get(entries.size() - 1).getStepEnd();
        assertThat(end.getAffectedRowCount()).isEqualTo(1);
        assertThat(end.getLastInsertRowid()).isEqualTo(-42);
    }

    @Test
    void shouldRefuseMalformedBodiesWith400AndAJsonErrorTheOfficialClientReads() {
        Response r = post(PIPELINE, new byte[] {(byte) 0xff, 0x01});

        JsonNode error = assertHttpError(r, 400);
        assertThat(error.get("code").asText()).isEqualTo("HRANA_PROTO_ERROR");
        assertThat(error.get("message").asText()).contains("Malformed Protobuf PipelineReqBody");
    }

    @Test
    void shouldAnswerErrorsInProtobufWhenTheClientAcceptsIt() throws Exception {
        Response r = given().contentType(TYPE).accept(TYPE).body(new byte[] {0x12, 0x00}).post(PIPELINE);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.getHeader("Content-Type")).isEqualTo(TYPE);
        HranaProto.Error error = HranaProto.Error.parseFrom(r.asByteArray());
        assertThat(error.getCode()).isEqualTo("HRANA_PROTO_ERROR");
        assertThat(error.getMessage()).contains("requests[0]: the request type is missing");
        assertServerStillAnswers();
    }

    @Test
    void shouldRefuseACursorWithoutBatch() {
        JsonNode error = assertHttpError(post(CURSOR, new byte[0]), 400);

        assertThat(error.get("message").asText()).contains("Missing field 'batch'");
    }

    @Test
    void shouldAnswerAnEmptyPipelineWithAFreshStream() {
        PipelineRespBody body = pipelineOk(null);

        assertThat(body.hasBaton()).isTrue();
        pipelineOk(body.getBaton(), close());
    }

    @Test
    void shouldRefuseAForgedBatonWith400() {
        Response r = post(PIPELINE, pipeline("forged.baton.value", execute("SELECT 1")).toByteArray());

        assertHttpError(r, 400);
    }

    @Test
    void shouldRefuseConditionsNestedTooDeeplyWithoutHarm() {
        // written field by field: the generated builders would themselves recurse 5,000 deep
        byte[] cond = okOf(0).toByteArray();
        for (int i = 0; i < 5_000; i++) {
            cond = field(3, cond); // not
        }
        byte[] deepStep = concat(field(1, cond), field(2, stmt("SELECT 2").toByteArray()));
        byte[] batchBytes = concat(field(1, step("SELECT 1").toByteArray()), field(1, deepStep));
        byte[] body = field(2, field(3, field(1, batchBytes))); // requests[0].batch.batch

        JsonNode error = assertHttpError(post(PIPELINE, body), 400);

        assertThat(error.get("message").asText()).contains("Malformed Protobuf");
    }

    @Test
    void shouldRefuseConditionsNestedBeyondTheJsonLimitWith400() {
        BatchCond cond = okOf(0);
        for (int i = 0; i <= RequestParser.MAX_NESTING; i++) {
            cond = notOf(cond);
        }
        byte[] body = pipeline(null, batch(steps(step("SELECT 1"), step(cond, "SELECT 2")))).toByteArray();

        JsonNode error = assertHttpError(post(PIPELINE, body), 400);

        assertThat(error.get("message").asText()).contains("nest too deeply");
    }

    /** One length-delimited field: its tag, its length as a varint, its bytes. */
    private static byte[] field(int number, byte[] payload) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(payload.length + 8);
        try {
            com.google.protobuf.CodedOutputStream o = com.google.protobuf.CodedOutputStream.newInstance(out);
            o.writeByteArray(number, payload);
            o.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void shouldRefuseAHugeDeclaredLengthWith400() {
        byte[] body = {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x0a};

        assertHttpError(post(PIPELINE, body), 400);
    }
}
