package io.sluice.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.gateway.StreamManager;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.gateway.proto.HranaProto.BatchCond;
import io.sluice.gateway.proto.HranaProto.Value;
import io.sluice.gateway.proto.HranaWsProto;
import io.sluice.gateway.proto.HranaWsProto.ClientMsg;
import io.sluice.gateway.proto.HranaWsProto.RequestMsg;
import io.sluice.gateway.proto.HranaWsProto.ResponseOkMsg;
import io.sluice.gateway.proto.HranaWsProto.ServerMsg;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Hrana 3 over WebSocket in the Protobuf encoding ({@code hrana3-protobuf}), on a real Vert.x WebSocket
 * against the running server and a real SQLite file: every message a binary frame of the schema's
 * {@code ClientMsg} and {@code ServerMsg}, every request type, every value type, the errors that are a
 * {@code response_error} and the frames that close the connection with a close code. Shares the profile
 * of {@link WebSocketProtocolTest}, so both run in one server start.
 */
@QuarkusTest
@TestProfile(WebSocketProtocolTest.ShortHttpIdle.class)
class WebSocketProtobufTest {
    private static final String PROTOBUF = "hrana3-protobuf";

    @TestHTTPResource("/")
    URL url;

    @Inject
    StreamManager streams;

    private static String table(String prefix) {
        return "wspb_" + prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** Connects offering what the official client offers for Hrana 3, and says hello. */
    private WsClient connect() {
        WsClient c = WsClient.connect(url.getPort(), PROTOBUF, "hrana3", "hrana2", "hrana1");
        assertThat(c.subprotocol()).isEqualTo(PROTOBUF);
        send(c, ClientMsg.newBuilder().setHello(HranaWsProto.HelloMsg.getDefaultInstance()).build());
        assertThat(next(c).getMsgCase()).isEqualTo(ServerMsg.MsgCase.HELLO_OK);
        return c;
    }

    private static void send(WsClient c, ClientMsg msg) {
        c.sendBinary(msg.toByteArray());
    }

    private static void request(WsClient c, int requestId, RequestMsg.Builder request) {
        send(c, ClientMsg.newBuilder().setRequest(request.setRequestId(requestId)).build());
    }

    private static ServerMsg next(WsClient c) {
        try {
            return ServerMsg.parseFrom(c.nextBinary());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("the server sent a binary message that is not a ServerMsg", e);
        }
    }

    /** Sends a request and returns its {@code response_ok}, failing on anything else. */
    private static ResponseOkMsg call(WsClient c, int requestId, RequestMsg.Builder request) {
        request(c, requestId, request);
        ServerMsg answer = next(c);
        assertThat(answer.getMsgCase()).as("answer %s", answer).isEqualTo(ServerMsg.MsgCase.RESPONSE_OK);
        assertThat(answer.getResponseOk().getRequestId()).isEqualTo(requestId);
        // the response is of the request's type (the oneofs share their field numbers)
        assertThat(answer.getResponseOk().getResponseCase().getNumber()).isEqualTo(request.getRequestCase().getNumber());
        return answer.getResponseOk();
    }

    /** Sends a request and returns its {@code response_error}'s error, failing on anything else. */
    private static HranaProto.Error callError(WsClient c, int requestId, RequestMsg.Builder request) {
        request(c, requestId, request);
        ServerMsg answer = next(c);
        assertThat(answer.getMsgCase()).as("answer %s", answer).isEqualTo(ServerMsg.MsgCase.RESPONSE_ERROR);
        assertThat(answer.getResponseError().getRequestId()).isEqualTo(requestId);
        return answer.getResponseError().getError();
    }

    // ---- request builders ----

    private static RequestMsg.Builder openStream(int streamId) {
        return RequestMsg.newBuilder().setOpenStream(HranaWsProto.OpenStreamReq.newBuilder().setStreamId(streamId));
    }

    private static RequestMsg.Builder closeStream(int streamId) {
        return RequestMsg.newBuilder().setCloseStream(HranaWsProto.CloseStreamReq.newBuilder().setStreamId(streamId));
    }

    private static HranaProto.Stmt.Builder stmt(String sql, Value... args) {
        return HranaProto.Stmt.newBuilder().setSql(sql).addAllArgs(Arrays.asList(args));
    }

    private static RequestMsg.Builder execute(int streamId, HranaProto.Stmt.Builder stmt) {
        return RequestMsg.newBuilder().setExecute(HranaWsProto.ExecuteReq.newBuilder().setStreamId(streamId).setStmt(stmt));
    }

    private static RequestMsg.Builder execute(int streamId, String sql) {
        return execute(streamId, stmt(sql));
    }

    private static HranaProto.BatchStep step(BatchCond condition, String sql) {
        HranaProto.BatchStep.Builder s = HranaProto.BatchStep.newBuilder().setStmt(stmt(sql));
        if (condition != null) {
            s.setCondition(condition);
        }
        return s.build();
    }

    private static HranaProto.Batch batch(HranaProto.BatchStep... steps) {
        return HranaProto.Batch.newBuilder().addAllSteps(Arrays.asList(steps)).build();
    }

    private static Value integer(long v) {
        return Value.newBuilder().setInteger(v).build();
    }

    private static Value text(String v) {
        return Value.newBuilder().setText(v).build();
    }

    /** The rows of a result, each value as a readable string ({@code null}, {@code i:..}, {@code f:..}, {@code t:..}, {@code b:hex}). */
    private static List<List<String>> rows(HranaProto.StmtResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (HranaProto.Row row : result.getRowsList()) {
            List<String> values = new ArrayList<>();
            for (Value v : row.getValuesList()) {
                values.add(show(v));
            }
            rows.add(values);
        }
        return rows;
    }

    private static String show(Value v) {
        return switch (v.getValueCase()) {
            case NULL -> "null";
            case INTEGER -> "i:" + v.getInteger();
            case FLOAT -> "f:" + v.getFloat();
            case TEXT -> "t:" + v.getText();
            case BLOB -> "b:" + java.util.HexFormat.of().formatHex(v.getBlob().toByteArray());
            case VALUE_NOT_SET -> "unset";
        };
    }

    // ---- tests ----

    @Test
    void shouldNegotiateHrana3ProtobufAndAnswerOnlyInBinaryFrames() {
        try (WsClient c = connect()) {
            assertThat(call(c, 1, openStream(1)).hasOpenStream()).isTrue();
            assertThat(rows(call(c, 2, execute(1, "SELECT 40 + 2")).getExecute().getResult())).containsExactly(List.of("i:42"));
            call(c, 3, closeStream(1));
            assertThat(c.textMessagesWaiting()).as("no text frame on a Protobuf connection").isZero();
        }
    }

    @Test
    void shouldExecuteWithEveryValueTypeAndAnswerEachTyped() {
        String t = table("values");
        byte[] blob = {0, 1, (byte) 0xfe, (byte) 0xff, 0x7f};
        try (WsClient c = connect()) {
            call(c, 1, openStream(5));
            call(c, 2, execute(5, "CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, n, i INTEGER, f REAL, s TEXT, b BLOB)"));
            Value blobValue = Value.newBuilder().setBlob(ByteString.copyFrom(blob)).build();
            HranaProto.Stmt.Builder insert = stmt("INSERT INTO " + t + " (n, i, f, s, b) VALUES (?, ?, ?, ?, ?)",
                    Value.newBuilder().setNull(Value.Null.getDefaultInstance()).build(), integer(Long.MIN_VALUE),
                    Value.newBuilder().setFloat(-2.5e-300).build(), text("héllo ✓ 𝄞"), blobValue);
            HranaProto.StmtResult inserted = call(c, 3, execute(5, insert)).getExecute().getResult();
            assertThat(inserted.getAffectedRowCount()).isEqualTo(1);
            assertThat(inserted.getLastInsertRowid()).isEqualTo(1);
            // named arguments; the largest rowid comes back as a sint64 unchanged
            HranaProto.StmtResult named = call(c, 4,
                    execute(5, HranaProto.Stmt.newBuilder().setSql("INSERT INTO " + t + " (id, i, b) VALUES (:id, :id, $b)")
                            .addNamedArgs(HranaProto.NamedArg.newBuilder().setName(":id").setValue(integer(Long.MAX_VALUE)))
                            .addNamedArgs(HranaProto.NamedArg.newBuilder().setName("$b").setValue(Value.newBuilder().setBlob(ByteString.EMPTY)))))
                    .getExecute().getResult();
            assertThat(named.getLastInsertRowid()).isEqualTo(Long.MAX_VALUE);

            HranaProto.StmtResult selected = call(c, 5, execute(5, "SELECT n, i, f, s, b FROM " + t + " ORDER BY id")).getExecute().getResult();
            assertThat(selected.getColsList()).extracting(HranaProto.Col::getName).containsExactly("n", "i", "f", "s", "b");
            assertThat(selected.getCols(1).getDecltype()).isEqualTo("INTEGER");
            assertThat(selected.getCols(0).hasDecltype()).as("an untyped column has no decltype").isFalse();
            assertThat(rows(selected)).containsExactly(
                    List.of("null", "i:" + Long.MIN_VALUE, "f:" + -2.5e-300, "t:héllo ✓ 𝄞", "b:0001feff7f"),
                    List.of("null", "i:" + Long.MAX_VALUE, "null", "null", "b:"));
            assertThat(selected.hasLastInsertRowid()).as("a SELECT reports no rowid").isFalse();

            // want_rows=false: the statement runs and no row comes back
            HranaProto.StmtResult noRows = call(c, 6, execute(5, stmt("SELECT * FROM " + t).setWantRows(false))).getExecute().getResult();
            assertThat(noRows.getRowsCount()).isZero();
        }
    }

    @Test
    void shouldAnswerAFailedStatementWithResponseErrorAndKeepTheStream() {
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            HranaProto.Error error = callError(c, 2, execute(1, "SELECT * FROM no_such_table_wspb"));
            assertThat(error.getMessage()).contains("no such table");
            assertThat(error.getCode()).startsWith("SQL");
            assertThat(rows(call(c, 3, execute(1, "SELECT 1")).getExecute().getResult())).containsExactly(List.of("i:1"));
        }
    }

    @Test
    void shouldRunABatchWithConditionsAndKeepStepErrorsInTheResult() {
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            BatchCond okOf0 = BatchCond.newBuilder().setStepOk(0).build();
            BatchCond errorOf1 = BatchCond.newBuilder().setStepError(1).build();
            BatchCond autocommit = BatchCond.newBuilder().setIsAutocommit(BatchCond.IsAutocommit.getDefaultInstance()).build();
            BatchCond notAutocommit = BatchCond.newBuilder().setNot(autocommit).build();
            BatchCond both = BatchCond.newBuilder().setAnd(BatchCond.CondList.newBuilder().addConds(okOf0).addConds(errorOf1)).build();
            BatchCond either = BatchCond.newBuilder().setOr(BatchCond.CondList.newBuilder().addConds(notAutocommit)
                    .addConds(BatchCond.newBuilder().setStepOk(1))).build();
            HranaProto.BatchResult result = call(c, 2, RequestMsg.newBuilder().setBatch(HranaWsProto.BatchReq.newBuilder().setStreamId(1)
                    .setBatch(batch(step(null, "SELECT 1"), step(okOf0, "SELECT * FROM missing_table_wspb"), step(errorOf1, "SELECT 3"),
                            step(autocommit, "SELECT 4"), step(both, "SELECT 5"), step(either, "SELECT 6")))))
                    .getBatch().getResult();
            assertThat(rows(result.getStepResultsOrThrow(0))).containsExactly(List.of("i:1"));
            assertThat(result.containsStepResults(1)).isFalse();
            assertThat(result.getStepErrorsOrThrow(1).getMessage()).contains("no such table");
            assertThat(rows(result.getStepResultsOrThrow(2))).containsExactly(List.of("i:3"));
            assertThat(rows(result.getStepResultsOrThrow(3))).containsExactly(List.of("i:4"));
            assertThat(rows(result.getStepResultsOrThrow(4))).containsExactly(List.of("i:5"));
            // neither in a transaction nor step 1 ok: skipped, so neither a result nor an error
            assertThat(result.containsStepResults(5)).isFalse();
            assertThat(result.containsStepErrors(5)).isFalse();
        }
    }

    @Test
    void shouldRunASequenceAndStopAtItsFirstError() {
        String t = table("seq");
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            call(c, 2, RequestMsg.newBuilder().setSequence(HranaWsProto.SequenceReq.newBuilder().setStreamId(1)
                    .setSql("CREATE TABLE " + t + " (x); INSERT INTO " + t + " VALUES (1); INSERT INTO " + t + " VALUES (2)")));
            HranaProto.Error error = callError(c, 3, RequestMsg.newBuilder().setSequence(HranaWsProto.SequenceReq.newBuilder().setStreamId(1)
                    .setSql("INSERT INTO " + t + " VALUES (3); SELECT * FROM nope_wspb; INSERT INTO " + t + " VALUES (4)")));
            assertThat(error.getMessage()).contains("no such table");
            assertThat(rows(call(c, 4, execute(1, "SELECT x FROM " + t + " ORDER BY x")).getExecute().getResult()))
                    .containsExactly(List.of("i:1"), List.of("i:2"), List.of("i:3"));
        }
    }

    @Test
    void shouldDescribeAStatementGivenAsTextOrStored() {
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            HranaProto.DescribeResult byText = call(c, 2, RequestMsg.newBuilder().setDescribe(HranaWsProto.DescribeReq.newBuilder()
                    .setStreamId(1).setSql("SELECT :a AS first, ? AS second"))).getDescribe().getResult();
            assertThat(byText.getParams(0).getName()).isEqualTo(":a");
            assertThat(byText.getParams(1).hasName()).as("a positional parameter has no name").isFalse();
            assertThat(byText.getColsList()).extracting(HranaProto.DescribeCol::getName).containsExactly("first", "second");
            assertThat(byText.getIsReadonly()).isTrue();
            assertThat(byText.getIsExplain()).isFalse();

            call(c, 3, RequestMsg.newBuilder().setStoreSql(HranaWsProto.StoreSqlReq.newBuilder().setSqlId(8)
                    .setSql("CREATE TABLE wspb_never_made (x)")));
            HranaProto.DescribeResult stored = call(c, 4, RequestMsg.newBuilder().setDescribe(HranaWsProto.DescribeReq.newBuilder()
                    .setStreamId(1).setSqlId(8))).getDescribe().getResult();
            assertThat(stored.getIsReadonly()).isFalse();
            assertThat(stored.getColsCount()).isZero();
        }
    }

    @Test
    void shouldStoreSqlForTheWholeConnectionAndForgetItWhenClosed() {
        try (WsClient c = connect()) {
            call(c, 1, RequestMsg.newBuilder().setStoreSql(HranaWsProto.StoreSqlReq.newBuilder().setSqlId(5).setSql("SELECT 'stored' AS s")));
            call(c, 2, openStream(1));
            call(c, 3, openStream(2));
            HranaProto.Stmt.Builder byId = HranaProto.Stmt.newBuilder().setSqlId(5);
            assertThat(rows(call(c, 4, execute(1, byId)).getExecute().getResult())).containsExactly(List.of("t:stored"));
            assertThat(rows(call(c, 5, execute(2, byId)).getExecute().getResult())).containsExactly(List.of("t:stored"));
            // a stored text in a batch step, and as a sequence
            HranaProto.Batch stored = HranaProto.Batch.newBuilder().addSteps(HranaProto.BatchStep.newBuilder().setStmt(byId)).build();
            assertThat(rows(call(c, 6, RequestMsg.newBuilder().setBatch(HranaWsProto.BatchReq.newBuilder().setStreamId(2).setBatch(stored)))
                    .getBatch().getResult().getStepResultsOrThrow(0))).containsExactly(List.of("t:stored"));
            call(c, 7, RequestMsg.newBuilder().setSequence(HranaWsProto.SequenceReq.newBuilder().setStreamId(1).setSqlId(5)));

            call(c, 8, RequestMsg.newBuilder().setCloseSql(HranaWsProto.CloseSqlReq.newBuilder().setSqlId(5)));
            call(c, 9, RequestMsg.newBuilder().setCloseSql(HranaWsProto.CloseSqlReq.newBuilder().setSqlId(99))); // unknown id: fine
            assertThat(callError(c, 10, execute(1, byId)).getCode()).isEqualTo("SQL_STORE_ERROR");
            // storing under an id in use is a protocol error
            call(c, 11, RequestMsg.newBuilder().setStoreSql(HranaWsProto.StoreSqlReq.newBuilder().setSqlId(6).setSql("SELECT 1")));
            request(c, 12, RequestMsg.newBuilder().setStoreSql(HranaWsProto.StoreSqlReq.newBuilder().setSqlId(6).setSql("SELECT 2")));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldReportAutocommitAcrossATransaction() {
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            RequestMsg.Builder get = RequestMsg.newBuilder().setGetAutocommit(HranaWsProto.GetAutocommitReq.newBuilder().setStreamId(1));
            assertThat(call(c, 2, get).getGetAutocommit().getIsAutocommit()).isTrue();
            call(c, 3, execute(1, "BEGIN"));
            assertThat(call(c, 4, get).getGetAutocommit().getIsAutocommit()).isFalse();
            call(c, 5, execute(1, "ROLLBACK"));
            assertThat(call(c, 6, get).getGetAutocommit().getIsAutocommit()).isTrue();
        }
    }

    @Test
    void shouldHandOutACursorsEntriesInPages() {
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            HranaProto.Batch b = batch(step(null, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i FROM n"),
                    step(null, "SELECT * FROM no_such_cursor_table_wspb"));
            call(c, 2, RequestMsg.newBuilder().setOpenCursor(HranaWsProto.OpenCursorReq.newBuilder().setStreamId(1).setCursorId(9).setBatch(b)));
            StringBuilder seen = new StringBuilder();
            boolean done = false;
            for (int i = 3; !done && i < 20; i++) {
                HranaWsProto.FetchCursorResp page = call(c, i, RequestMsg.newBuilder().setFetchCursor(HranaWsProto.FetchCursorReq.newBuilder()
                        .setCursorId(9).setMaxCount(3))).getFetchCursor();
                assertThat(page.getEntriesCount()).isLessThanOrEqualTo(3);
                for (HranaProto.CursorEntry e : page.getEntriesList()) {
                    seen.append(switch (e.getEntryCase()) {
                        case STEP_BEGIN -> "begin" + e.getStepBegin().getStep() + ":" + e.getStepBegin().getCols(0).getName();
                        case ROW -> "row" + e.getRow().getValues(0).getInteger();
                        case STEP_END -> "end";
                        case STEP_ERROR ->
                            "error" + e.getStepError().getStep() + ":" + e.getStepError().getError().getMessage().contains("no such table");
                        case ERROR -> "batch-error";
                        case ENTRY_NOT_SET -> "unset";
                    }).append(' ');
                }
                done = page.getDone();
            }
            assertThat(done).isTrue();
            assertThat(seen.toString().strip()).isEqualTo("begin0:i row1 row2 row3 row4 row5 end error1:true");
            call(c, 30, RequestMsg.newBuilder().setCloseCursor(HranaWsProto.CloseCursorReq.newBuilder().setCursorId(9)));
            // the stream serves requests again
            assertThat(rows(call(c, 31, execute(1, "SELECT 1")).getExecute().getResult())).containsExactly(List.of("i:1"));
        }
    }

    @Test
    void shouldAnswerEveryPipelinedRequestByItsIdAndCloseStreamsWithTheConnection() {
        WsClient c = WsClient.connect(url.getPort(), PROTOBUF);
        send(c, ClientMsg.newBuilder().setHello(HranaWsProto.HelloMsg.getDefaultInstance()).build());
        request(c, -1, openStream(1));
        request(c, -2, openStream(2));
        for (int i = 0; i < 40; i++) {
            request(c, i, execute(i % 2 + 1, "SELECT " + i));
        }
        assertThat(next(c).getMsgCase()).isEqualTo(ServerMsg.MsgCase.HELLO_OK);
        Set<Integer> answered = new HashSet<>();
        for (int i = 0; i < 42; i++) {
            ServerMsg answer = next(c);
            assertThat(answer.getMsgCase()).as("%s", answer).isEqualTo(ServerMsg.MsgCase.RESPONSE_OK);
            int id = answer.getResponseOk().getRequestId();
            answered.add(id);
            if (id >= 0) {
                assertThat(rows(answer.getResponseOk().getExecute().getResult())).containsExactly(List.of("i:" + id));
            }
        }
        assertThat(answered).hasSize(42);
        c.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> streams.openStreamCount() == 0);
    }

    @Test
    void shouldJoinABinaryMessageSentInSeveralFrames() {
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            byte[] message = ClientMsg.newBuilder().setRequest(execute(1, "SELECT 'joined'").setRequestId(2)).build().toByteArray();
            int cut = message.length / 2;
            c.sendFrame(WebSocketFrame.binaryFrame(Buffer.buffer(Arrays.copyOfRange(message, 0, cut)), false));
            c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(message, cut, message.length)), true));
            ServerMsg answer = next(c);
            assertThat(rows(answer.getResponseOk().getExecute().getResult())).containsExactly(List.of("t:joined"));
        }
    }

    @Test
    void shouldCloseWith1007WhenABinaryMessageIsNotAClientMsg() {
        // not Protobuf at all
        try (WsClient c = WsClient.connect(url.getPort(), PROTOBUF)) {
            c.sendBinary(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertThat(c.awaitClose()).isEqualTo((short) 1007);
            assertThat(c.closeReason()).contains("Malformed Protobuf ClientMsg");
        }
        // well-formed Protobuf, but neither hello nor request (an empty message, a field the schema lacks)
        for (byte[] notAMessage : List.of(new byte[0], new byte[] {(byte) 0xf8, 0x01, 0x01})) {
            try (WsClient c = WsClient.connect(url.getPort(), PROTOBUF)) {
                c.sendBinary(notAMessage);
                assertThat(c.awaitClose()).isEqualTo((short) 1007);
                assertThat(c.closeReason()).contains("message type is missing");
            }
        }
        // a request without its required parts
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            request(c, 2, RequestMsg.newBuilder().setExecute(HranaWsProto.ExecuteReq.newBuilder().setStreamId(1)));
            assertThat(c.awaitClose()).isEqualTo((short) 1007);
            assertThat(c.closeReason()).contains("stmt");
        }
        // a batch condition that refers to a later step
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            request(c, 2, RequestMsg.newBuilder().setBatch(HranaWsProto.BatchReq.newBuilder().setStreamId(1)
                    .setBatch(batch(step(BatchCond.newBuilder().setStepOk(3).build(), "SELECT 1")))));
            assertThat(c.awaitClose()).isEqualTo((short) 1007);
        }
    }

    @Test
    void shouldCloseWith1003WhenAProtobufConnectionGetsATextMessage() {
        try (WsClient c = connect()) {
            c.sendText("{\"type\":\"hello\",\"jwt\":null}");
            assertThat(c.awaitClose()).isEqualTo((short) 1003);
            assertThat(c.closeReason()).contains("hrana3-protobuf");
        }
    }

    @Test
    void shouldCloseWith1008ForARequestBeforeHelloOrOnAnUnknownStream() {
        try (WsClient c = WsClient.connect(url.getPort(), PROTOBUF)) {
            request(c, 1, openStream(1));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
        try (WsClient c = connect()) {
            request(c, 1, execute(42, "SELECT 1"));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldCloseWith1007WhenATextFieldIsNotUtf8() {
        // ClientMsg{request{request_id 2, execute{stream_id 1, stmt{sql "SELECT ?", args[{text: C3 28}]}}}}: the
        // generated builders cannot write invalid UTF-8, so the frame is put together field by field
        byte[] value = lengthDelimited(4, new byte[] {(byte) 0xc3, 0x28});
        byte[] stmt = concat(lengthDelimited(1, "SELECT ?".getBytes(StandardCharsets.UTF_8)), lengthDelimited(3, value));
        byte[] execute = concat(varint(1, 1), lengthDelimited(2, stmt));
        byte[] request = concat(varint(1, 2), lengthDelimited(4, execute));
        byte[] message = lengthDelimited(2, request);
        try (WsClient c = connect()) {
            call(c, 1, openStream(1));
            c.sendBinary(message);
            assertThat(c.awaitClose()).isEqualTo((short) 1007);
            assertThat(c.closeReason()).contains("UTF-8");
        }
    }

    private static byte[] lengthDelimited(int field, byte[] content) {
        return write(out -> out.writeByteArray(field, content));
    }

    private static byte[] varint(int field, int value) {
        return write(out -> out.writeInt32(field, value));
    }

    private interface Writes {
        void to(CodedOutputStream out) throws java.io.IOException;
    }

    private static byte[] write(Writes writes) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writes.to(out);
            out.flush();
            return bytes.toByteArray();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
