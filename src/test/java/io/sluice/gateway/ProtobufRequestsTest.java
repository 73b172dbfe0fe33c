package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.sluice.gateway.Hrana.AndCond;
import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.ErrorCond;
import io.sluice.gateway.Hrana.IsAutocommitCond;
import io.sluice.gateway.Hrana.NotCond;
import io.sluice.gateway.Hrana.OkCond;
import io.sluice.gateway.Hrana.OrCond;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.proto.HranaHttpProto.BatchStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.CloseSqlStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.CloseStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.CursorReqBody;
import io.sluice.gateway.proto.HranaHttpProto.DescribeStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.ExecuteStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.GetAutocommitStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.PipelineReqBody;
import io.sluice.gateway.proto.HranaHttpProto.SequenceStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.StoreSqlStreamReq;
import io.sluice.gateway.proto.HranaHttpProto.StreamRequest.Builder;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.gateway.proto.HranaProto.BatchCond;
import io.sluice.gateway.proto.HranaProto.BatchStep;
import io.sluice.gateway.proto.HranaProto.NamedArg;
import io.sluice.gateway.proto.HranaProto.Stmt;
import io.sluice.gateway.proto.HranaProto.Value;
import io.sluice.sql.ArgumentBinder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Protobuf request side: bytes a client encodes with the generated schema decode into exactly the
 * {@link Hrana} requests the JSON parser produces, and hostile bytes are a 400, never a crash.
 */
class ProtobufRequestsTest {

    private static io.sluice.gateway.proto.HranaHttpProto.StreamRequest req(java.util.function.Consumer<Builder> set) {
        Builder b = io.sluice.gateway.proto.HranaHttpProto.StreamRequest.newBuilder();
        set.accept(b);
        return b.build();
    }

    private static List<StreamRequest> decode(PipelineReqBody body) {
        return ProtobufRequests.requests(ProtobufRequests.pipelineBody(body.toByteArray()));
    }

    private static Stmt sql(String sql) {
        return Stmt.newBuilder().setSql(sql).build();
    }

    @Test
    void shouldDecodeEveryStreamRequestType() {
        PipelineReqBody body = PipelineReqBody.newBuilder().setBaton("b1")
                .addRequests(req(b -> b.setExecute(ExecuteStreamReq.newBuilder().setStmt(sql("SELECT 1")))))
                .addRequests(req(b -> b.setBatch(BatchStreamReq.newBuilder().setBatch(HranaProto.Batch.newBuilder()
                        .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 2")))))))
                .addRequests(req(b -> b.setSequence(SequenceStreamReq.newBuilder().setSql("SELECT 1; SELECT 2"))))
                .addRequests(req(b -> b.setDescribe(DescribeStreamReq.newBuilder().setSqlId(7))))
                .addRequests(req(b -> b.setStoreSql(StoreSqlStreamReq.newBuilder().setSqlId(7).setSql("SELECT 3"))))
                .addRequests(req(b -> b.setCloseSql(CloseSqlStreamReq.newBuilder().setSqlId(7))))
                .addRequests(req(b -> b.setGetAutocommit(GetAutocommitStreamReq.getDefaultInstance())))
                .addRequests(req(b -> b.setClose(CloseStreamReq.getDefaultInstance())))
                .build();

        PipelineReqBody parsed = ProtobufRequests.pipelineBody(body.toByteArray());
        List<StreamRequest> requests = ProtobufRequests.requests(parsed);

        assertThat(parsed.getBaton()).isEqualTo("b1");
        assertThat(requests).extracting(StreamRequest::type).containsExactly(
                "execute", "batch", "sequence", "describe", "store_sql", "close_sql", "get_autocommit", "close");
        assertThat(((Hrana.ExecuteReq) requests.get(0)).stmt()).isEqualTo(
                new Hrana.Stmt("SELECT 1", null, List.of(), List.of(), true));
        assertThat(((Hrana.BatchReq) requests.get(1)).batch().steps()).singleElement()
                .satisfies(s -> assertThat(s.condition()).isNull());
        assertThat(requests.get(2)).isEqualTo(new Hrana.SequenceReq("SELECT 1; SELECT 2", null));
        assertThat(requests.get(3)).isEqualTo(new Hrana.DescribeReq(null, 7));
        assertThat(requests.get(4)).isEqualTo(new Hrana.StoreSqlReq(7, "SELECT 3"));
        assertThat(requests.get(5)).isEqualTo(new Hrana.CloseSqlReq(7));
    }

    @Test
    void shouldDecodeEveryValueTypeIncludingEdgeValues() {
        Stmt stmt = Stmt.newBuilder().setSql("SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?")
                .addArgs(Value.newBuilder().setNull(Value.Null.getDefaultInstance()))
                .addArgs(Value.newBuilder().setInteger(Long.MIN_VALUE))
                .addArgs(Value.newBuilder().setInteger(Long.MAX_VALUE))
                .addArgs(Value.newBuilder().setInteger(0))
                .addArgs(Value.newBuilder().setInteger(-1))
                .addArgs(Value.newBuilder().setFloat(-0.5e-300))
                .addArgs(Value.newBuilder().setText("héllo ✓ 😀"))
                .addArgs(Value.newBuilder().setText(""))
                .addArgs(Value.newBuilder().setBlob(ByteString.copyFrom(new byte[] {0, (byte) 0xff, 7})))
                .addArgs(Value.newBuilder().setBlob(ByteString.EMPTY))
                .setWantRows(false)
                .build();

        Hrana.Stmt decoded = ProtobufRequests.stmt(ProtobufRequests.parse(Stmt.parser(), stmt.toByteArray(), "Stmt"), "stmt");

        assertThat(decoded.wantRows()).isFalse();
        List<Object> args = decoded.args();
        assertThat(args.get(0)).isNull();
        assertThat(args.subList(1, 6)).containsExactly(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, -0.5e-300);
        assertThat(args.subList(6, 8)).containsExactly("héllo ✓ 😀", "");
        assertThat((byte[]) args.get(8)).containsExactly(0, 0xff, 7);
        assertThat(args.get(9)).as("an empty blob is a blob, not null").isInstanceOf(byte[].class);
        assertThat((byte[]) args.get(9)).isEmpty();
    }

    @Test
    void shouldDecodeNamedArgumentsAndDefaultWantRowsToTrue() {
        Stmt stmt = Stmt.newBuilder().setSql("SELECT :a")
                .addNamedArgs(NamedArg.newBuilder().setName(":a").setValue(Value.newBuilder().setInteger(5))).build();

        Hrana.Stmt decoded = ProtobufRequests.stmt(stmt, "stmt");

        assertThat(decoded.namedArgs()).containsExactly(new ArgumentBinder.NamedArg(":a", 5L));
        assertThat(decoded.wantRows()).isTrue();
    }

    @Test
    void shouldDecodeEveryConditionType() {
        HranaProto.Batch batch = HranaProto.Batch.newBuilder()
                .addSteps(BatchStep.newBuilder().setStmt(sql("BEGIN")))
                .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 1")).setCondition(BatchCond.newBuilder().setStepOk(0)))
                .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 2")).setCondition(BatchCond.newBuilder()
                        .setAnd(BatchCond.CondList.newBuilder()
                                .addConds(BatchCond.newBuilder().setStepError(1))
                                .addConds(BatchCond.newBuilder().setNot(BatchCond.newBuilder().setStepOk(0)))
                                .addConds(BatchCond.newBuilder().setOr(BatchCond.CondList.newBuilder()
                                        .addConds(BatchCond.newBuilder().setIsAutocommit(BatchCond.IsAutocommit.getDefaultInstance())))))))
                .build();

        Batch decoded = ProtobufRequests.cursorBatch(ProtobufRequests.cursorBody(
                CursorReqBody.newBuilder().setBatch(batch).build().toByteArray()));

        assertThat(decoded.steps().get(1).condition()).isEqualTo(new OkCond(0));
        assertThat(decoded.steps().get(2).condition()).isEqualTo(new AndCond(List.of(
                new ErrorCond(1), new NotCond(new OkCond(0)), new OrCond(List.of(new IsAutocommitCond())))));
    }

    @Test
    void shouldIgnoreUnknownFields() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(99, "from a newer client");
        out.writeUInt64(100, 12345);
        out.flush();
        bytes.write(PipelineReqBody.newBuilder()
                .addRequests(req(b -> b.setClose(CloseStreamReq.getDefaultInstance()))).build().toByteArray());

        List<StreamRequest> requests = ProtobufRequests.requests(ProtobufRequests.pipelineBody(bytes.toByteArray()));

        assertThat(requests).containsExactly(new Hrana.CloseReq());
    }

    @Test
    void shouldRefuseARequestWithNoTypeSet() {
        PipelineReqBody body = PipelineReqBody.newBuilder()
                .addRequests(io.sluice.gateway.proto.HranaHttpProto.StreamRequest.getDefaultInstance()).build();

        assertBadRequest(() -> decode(body), "requests[0]: the request type is missing");
    }

    @Test
    void shouldRefuseAValueWithNoTypeSet() {
        PipelineReqBody body = PipelineReqBody.newBuilder().addRequests(req(b -> b.setExecute(ExecuteStreamReq.newBuilder()
                .setStmt(Stmt.newBuilder().setSql("SELECT ?").addArgs(Value.getDefaultInstance()))))).build();

        assertBadRequest(() -> decode(body), "requests[0].stmt.args[0]: a value needs a type");
    }

    @Test
    void shouldRefuseAConditionWithNoTypeSet() {
        PipelineReqBody body = PipelineReqBody.newBuilder().addRequests(req(b -> b.setBatch(BatchStreamReq.newBuilder()
                .setBatch(HranaProto.Batch.newBuilder()
                        .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 1")))
                        .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 1")).setCondition(BatchCond.getDefaultInstance()))))))
                .build();

        assertBadRequest(() -> decode(body), "the condition type is missing");
    }

    @Test
    void shouldRefuseStatementsWithBothOrNeitherSqlAndSqlId() {
        assertBadRequest(() -> ProtobufRequests.stmt(Stmt.newBuilder().setSql("SELECT 1").setSqlId(1).build(), "stmt"),
                "exactly one of 'sql' and 'sql_id'");
        assertBadRequest(() -> ProtobufRequests.stmt(Stmt.getDefaultInstance(), "stmt"), "exactly one of 'sql' and 'sql_id'");
    }

    @Test
    void shouldRefuseAnExecuteWithoutStatement() {
        PipelineReqBody body = PipelineReqBody.newBuilder()
                .addRequests(req(b -> b.setExecute(ExecuteStreamReq.getDefaultInstance()))).build();

        assertBadRequest(() -> decode(body), "Missing field 'requests[0].stmt'");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, -1})
    void shouldRefuseConditionsOnTheStepItselfOrLater(int offset) {
        int step = 1 + offset; // the condition belongs to step 1
        HranaProto.Batch batch = HranaProto.Batch.newBuilder()
                .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 1")))
                .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 2")).setCondition(BatchCond.newBuilder().setStepOk(step)))
                .build();

        if (step < 1) {
            assertThat(ProtobufRequests.batch(batch, "batch").steps().get(1).condition()).isEqualTo(new OkCond(0));
        } else {
            assertBadRequest(() -> ProtobufRequests.batch(batch, "batch"), "must refer to an earlier step");
        }
    }

    @Test
    void shouldReadStepIndexesAsUnsigned() {
        HranaProto.Batch batch = HranaProto.Batch.newBuilder()
                .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 1")).setCondition(BatchCond.newBuilder().setStepOk(-1)))
                .build();

        assertBadRequest(() -> ProtobufRequests.batch(batch, "batch"), "got 4294967295");
    }

    @Test
    void shouldAcceptConditionsNestedAsDeepAsJsonAllows() {
        BatchCond cond = BatchCond.newBuilder().setStepOk(0).build();
        for (int i = 0; i < RequestParser.MAX_NESTING; i++) {
            cond = BatchCond.newBuilder().setAnd(BatchCond.CondList.newBuilder().addConds(cond)).build();
        }

        Batch decoded = ProtobufRequests.cursorBatch(ProtobufRequests.cursorBody(cursorWithCondition(cond).toByteArray()));

        assertThat(decoded.steps()).hasSize(2);
    }

    @Test
    void shouldRefuseConditionsNestedDeeperThanJsonAllows() {
        BatchCond cond = BatchCond.newBuilder().setStepOk(0).build();
        for (int i = 0; i <= RequestParser.MAX_NESTING; i++) {
            cond = BatchCond.newBuilder().setNot(cond).build();
        }
        byte[] bytes = cursorWithCondition(cond).toByteArray();

        assertBadRequest(() -> ProtobufRequests.cursorBatch(ProtobufRequests.cursorBody(bytes)), "nest too deeply");
    }

    @Test
    void shouldRefuseMessagesNestedDeeperThanTheParserAllowsWithoutExhaustingTheStack() throws IOException {
        // 5,000 nested 'not' conditions, written by hand: each level is a tag and a length prefix
        byte[] inner = BatchCond.newBuilder().setStepOk(0).build().toByteArray();
        for (int i = 0; i < 5_000; i++) {
            ByteArrayOutputStream level = new ByteArrayOutputStream(inner.length + 8);
            CodedOutputStream out = CodedOutputStream.newInstance(level);
            out.writeByteArray(3, inner);
            out.flush();
            inner = level.toByteArray();
        }
        byte[] bytes = cursorWithCondition(BatchCond.getDefaultInstance()).toBuilder().build().toByteArray();
        byte[] hostile = concat(bytes, wrapAsCondition(inner));

        assertBadRequest(() -> ProtobufRequests.cursorBody(hostile), "Malformed Protobuf CursorReqBody");
    }

    @Test
    void shouldRefuseADeclaredLengthBeyondTheBodyWithoutAllocatingIt() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeTag(2, 2); // requests, length-delimited
        out.writeUInt32NoTag(Integer.MAX_VALUE); // declares 2 GiB, sends nothing
        out.flush();

        assertBadRequest(() -> ProtobufRequests.pipelineBody(bytes.toByteArray()), "Malformed Protobuf PipelineReqBody");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff", "0a", "12ffffffffff01", "0a0341", "120a", "0b", "120208ff"})
    void shouldRefuseMalformedBytes(String hex) {
        byte[] bytes = java.util.HexFormat.of().parseHex(hex);

        assertBadRequest(() -> ProtobufRequests.requests(ProtobufRequests.pipelineBody(bytes)), "Protobuf");
    }

    @Test
    void shouldRefuseTextThatIsNotUtf8() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(1, new byte[] {(byte) 0xc3, (byte) 0x28}); // baton, invalid UTF-8
        out.flush();

        assertBadRequest(() -> ProtobufRequests.pipelineBody(bytes.toByteArray()), "Malformed Protobuf");
    }

    private static CursorReqBody cursorWithCondition(BatchCond cond) {
        return CursorReqBody.newBuilder().setBatch(HranaProto.Batch.newBuilder()
                .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 1")))
                .addSteps(BatchStep.newBuilder().setStmt(sql("SELECT 2")).setCondition(cond))).build();
    }

    /** A CursorReqBody field 2 (batch) whose step 0 carries {@code condition} as raw bytes. */
    private static byte[] wrapAsCondition(byte[] condition) throws IOException {
        ByteArrayOutputStream step = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(step);
        s.writeByteArray(1, condition);
        s.writeMessage(2, sql("SELECT 1"));
        s.flush();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        CodedOutputStream b = CodedOutputStream.newInstance(batch);
        b.writeByteArray(1, step.toByteArray());
        b.flush();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(body);
        o.writeByteArray(2, batch.toByteArray());
        o.flush();
        return body.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void assertBadRequest(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("HRANA_PROTO_ERROR");
            assertThat(e.getMessage()).contains(message);
        });
    }
}
