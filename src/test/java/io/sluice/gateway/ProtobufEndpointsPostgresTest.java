package io.sluice.gateway;

import static io.sluice.gateway.HranaJson.uniqueTable;
import static io.sluice.gateway.HranaProtobuf.CURSOR;
import static io.sluice.gateway.HranaProtobuf.batch;
import static io.sluice.gateway.HranaProtobuf.blob;
import static io.sluice.gateway.HranaProtobuf.close;
import static io.sluice.gateway.HranaProtobuf.error;
import static io.sluice.gateway.HranaProtobuf.execute;
import static io.sluice.gateway.HranaProtobuf.getAutocommit;
import static io.sluice.gateway.HranaProtobuf.integer;
import static io.sluice.gateway.HranaProtobuf.nul;
import static io.sluice.gateway.HranaProtobuf.ok;
import static io.sluice.gateway.HranaProtobuf.pipelineOk;
import static io.sluice.gateway.HranaProtobuf.post;
import static io.sluice.gateway.HranaProtobuf.readCursor;
import static io.sluice.gateway.HranaProtobuf.real;
import static io.sluice.gateway.HranaProtobuf.stmt;
import static io.sluice.gateway.HranaProtobuf.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.gateway.proto.HranaHttpProto;
import io.sluice.gateway.proto.HranaHttpProto.PipelineRespBody;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.gateway.proto.HranaProto.BatchCond;
import io.sluice.gateway.proto.HranaProto.BatchStep;
import io.sluice.gateway.proto.HranaProto.CursorEntry;
import io.sluice.gateway.proto.HranaProto.Value;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hrana 3 in Protobuf over HTTP against PostgreSQL: the same encoding on the other backend. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class ProtobufEndpointsPostgresTest {

    private static BatchStep step(String sql) {
        return BatchStep.newBuilder().setStmt(stmt(sql)).build();
    }

    private static BatchStep step(BatchCond cond, String sql) {
        return BatchStep.newBuilder().setCondition(cond).setStmt(stmt(sql)).build();
    }

    @Test
    void shouldRoundTripEveryValueTypeThroughATable() {
        String t = uniqueTable("pb_pg_values");
        Value[] values = {integer(Long.MIN_VALUE), real(-2.5e-300), text("héllo ✓ 😀"), blob(new byte[] {0, (byte) 0xff}), blob(new byte[0]), nul()};

        PipelineRespBody body = pipelineOk(null,
                execute("CREATE TABLE " + t + " (i bigint, r double precision, t text, b bytea, e bytea, n text)"),
                execute("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?)", values),
                execute("SELECT i, r, t, b, e, n FROM " + t),
                execute("DROP TABLE " + t),
                close());

        HranaProto.StmtResult r = ok(body, 2).getExecute().getResult();
        assertThat(r.getRows(0).getValuesList()).containsExactly(values);
        assertThat(r.getColsList()).extracting(HranaProto.Col::getDecltype).containsExactly("int8", "float8", "text", "bytea", "bytea", "text");
        assertThat(ok(body, 1).getExecute().getResult().getAffectedRowCount()).isEqualTo(1);
    }

    @Test
    void shouldKeepATransactionAcrossRequestsWhereAFailedStatementDoesNotAbortIt() {
        String t = uniqueTable("pb_pg_tx");
        PipelineRespBody first = pipelineOk(null, execute("CREATE TABLE " + t + " (v bigint UNIQUE)"), execute("BEGIN"),
                execute("INSERT INTO " + t + " VALUES (1)"), execute("INSERT INTO " + t + " VALUES (1)"), getAutocommit());
        assertThat(error(first, 3).getMessage()).isNotBlank();
        assertThat(ok(first, 4).getGetAutocommit().getIsAutocommit()).isFalse();

        PipelineRespBody second = pipelineOk(first.getBaton(), execute("COMMIT"), execute("SELECT count(*) FROM " + t),
                execute("DROP TABLE " + t), close());

        assertThat(ok(second, 1).getExecute().getResult().getRows(0).getValues(0)).isEqualTo(integer(1));
        assertThat(second.hasBaton()).isFalse();
    }

    @Test
    void shouldStreamACursorWithAFailingStepAndConditions() {
        HranaHttpProto.CursorReqBody req = HranaHttpProto.CursorReqBody.newBuilder().setBatch(HranaProto.Batch.newBuilder()
                .addSteps(step("SELECT i FROM generate_series(1, 2000) AS s(i)"))
                .addSteps(step("SELECT * FROM no_such_table_pb_pg"))
                .addSteps(step(BatchCond.newBuilder().setStepError(1).build(), "SELECT 'after error'"))
                .addSteps(step(BatchCond.newBuilder().setIsAutocommit(BatchCond.IsAutocommit.getDefaultInstance()).build(), "SELECT 1")))
                .build();

        Response r = post(CURSOR, req.toByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        List<CursorEntry> entries = readCursor(r.asByteArray()).entries();
        assertThat(entries.get(2000).getRow().getValues(0)).isEqualTo(integer(2000));
        assertThat(entries.get(2002).getStepError().getStep()).isEqualTo(1);
        assertThat(entries.get(2004).getRow().getValues(0)).isEqualTo(text("after error"));
        assertThat(entries.get(entries.size() - 1).hasStepEnd()).isTrue();
        assertThat(entries.get(entries.size() - 3).getStepBegin().getStep()).isEqualTo(3);
    }

    @Test
    void shouldRunAConditionalBatchInAPipeline() {
        HranaProto.BatchResult r = ok(pipelineOk(null, batch(HranaProto.Batch.newBuilder()
                .addSteps(step("SELECT 1/0"))
                .addSteps(step(BatchCond.newBuilder().setStepOk(0).build(), "SELECT 'skipped'"))
                .addSteps(step(BatchCond.newBuilder().setNot(BatchCond.newBuilder().setStepOk(0)).build(), "SELECT 'ran'"))
                .build()), close()), 0).getBatch().getResult();

        assertThat(r.getStepErrorsMap()).containsOnlyKeys(0);
        assertThat(r.getStepResultsMap()).containsOnlyKeys(2);
        assertThat(r.getStepResultsOrThrow(2).getRows(0).getValues(0)).isEqualTo(text("ran"));
    }
}
