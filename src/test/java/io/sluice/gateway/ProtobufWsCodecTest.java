package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.sluice.gateway.SocketMessages.ClientMsg;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.gateway.proto.HranaWsProto;
import io.sluice.gateway.proto.HranaWsProto.RequestMsg;
import io.sluice.sql.Column;
import io.sluice.sql.DescribeResult;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code hrana3-protobuf} WebSocket codec: every client message decodes into its {@link SocketMessages}
 * request, every server message encodes into bytes that the generated schema reads back as the same
 * content, and hostile frames are protocol errors.
 */
class ProtobufWsCodecTest {
    private static final ProtobufWsCodec CODEC = new ProtobufWsCodec();

    private static final HranaProto.Stmt SELECT = HranaProto.Stmt.newBuilder().setSql("SELECT ?")
            .addArgs(HranaProto.Value.newBuilder().setInteger(-7)).build();
    private static final HranaProto.Batch BATCH = HranaProto.Batch.newBuilder()
            .addSteps(HranaProto.BatchStep.newBuilder().setStmt(SELECT))
            .addSteps(HranaProto.BatchStep.newBuilder().setStmt(SELECT)
                    .setCondition(HranaProto.BatchCond.newBuilder().setStepError(0)))
            .build();

    private static ClientMsg roundTrip(RequestMsg.Builder request) {
        return CODEC.decode(HranaWsProto.ClientMsg.newBuilder().setRequest(request).build().toByteArray());
    }

    private static SocketMessages.SocketRequest request(int id, RequestMsg.Builder request) {
        ClientMsg msg = roundTrip(request.setRequestId(id));
        assertThat(msg).isInstanceOf(SocketMessages.Request.class);
        assertThat(((SocketMessages.Request) msg).requestId()).isEqualTo(id);
        return ((SocketMessages.Request) msg).request();
    }

    @Test
    void shouldDecodeHelloWithAndWithoutToken() {
        byte[] withToken = HranaWsProto.ClientMsg.newBuilder().setHello(HranaWsProto.HelloMsg.newBuilder().setJwt("a.b.c")).build().toByteArray();
        byte[] without = HranaWsProto.ClientMsg.newBuilder().setHello(HranaWsProto.HelloMsg.getDefaultInstance()).build().toByteArray();

        assertThat(CODEC.decode(withToken)).isEqualTo(new SocketMessages.Hello("a.b.c"));
        assertThat(CODEC.decode(without)).isEqualTo(new SocketMessages.Hello(null));
    }

    @Test
    void shouldDecodeEveryRequestType() {
        Hrana.Stmt stmt = new Hrana.Stmt("SELECT ?", null, List.of(-7L), List.of(), true);

        assertThat(request(1, RequestMsg.newBuilder().setOpenStream(HranaWsProto.OpenStreamReq.newBuilder().setStreamId(3))))
                .isEqualTo(new SocketMessages.OpenStream(3));
        assertThat(request(2, RequestMsg.newBuilder().setCloseStream(HranaWsProto.CloseStreamReq.newBuilder().setStreamId(3))))
                .isEqualTo(new SocketMessages.CloseStream(3));
        assertThat(request(-3, RequestMsg.newBuilder().setExecute(HranaWsProto.ExecuteReq.newBuilder().setStreamId(3).setStmt(SELECT))))
                .isEqualTo(new SocketMessages.OnStream(3, new Hrana.ExecuteReq(stmt)));
        SocketMessages.OnStream batch = (SocketMessages.OnStream) request(4, RequestMsg.newBuilder()
                .setBatch(HranaWsProto.BatchReq.newBuilder().setStreamId(3).setBatch(BATCH)));
        assertThat(batch.type()).isEqualTo("batch");
        assertThat(((Hrana.BatchReq) batch.request()).batch().steps().get(1).condition()).isEqualTo(new Hrana.ErrorCond(0));
        SocketMessages.OpenCursor cursor = (SocketMessages.OpenCursor) request(5, RequestMsg.newBuilder()
                .setOpenCursor(HranaWsProto.OpenCursorReq.newBuilder().setStreamId(3).setCursorId(9).setBatch(BATCH)));
        assertThat(cursor.cursorId()).isEqualTo(9);
        assertThat(cursor.batch().steps()).hasSize(2);
        assertThat(request(6, RequestMsg.newBuilder().setCloseCursor(HranaWsProto.CloseCursorReq.newBuilder().setCursorId(9))))
                .isEqualTo(new SocketMessages.CloseCursor(9));
        assertThat(request(7, RequestMsg.newBuilder().setFetchCursor(HranaWsProto.FetchCursorReq.newBuilder().setCursorId(9).setMaxCount(-1))))
                .as("max_count is unsigned, clamped to an int").isEqualTo(new SocketMessages.FetchCursor(9, Integer.MAX_VALUE));
        assertThat(request(7, RequestMsg.newBuilder().setFetchCursor(HranaWsProto.FetchCursorReq.newBuilder().setCursorId(9).setMaxCount(100))))
                .isEqualTo(new SocketMessages.FetchCursor(9, 100));
        assertThat(request(8, RequestMsg.newBuilder().setSequence(HranaWsProto.SequenceReq.newBuilder().setStreamId(3).setSql("SELECT 1;"))))
                .isEqualTo(new SocketMessages.OnStream(3, new Hrana.SequenceReq("SELECT 1;", null)));
        assertThat(request(9, RequestMsg.newBuilder().setDescribe(HranaWsProto.DescribeReq.newBuilder().setStreamId(3).setSqlId(4))))
                .isEqualTo(new SocketMessages.OnStream(3, new Hrana.DescribeReq(null, 4)));
        assertThat(request(10, RequestMsg.newBuilder().setStoreSql(HranaWsProto.StoreSqlReq.newBuilder().setSqlId(4).setSql("SELECT 2"))))
                .isEqualTo(new SocketMessages.StoreSql(4, "SELECT 2"));
        assertThat(request(11, RequestMsg.newBuilder().setCloseSql(HranaWsProto.CloseSqlReq.newBuilder().setSqlId(4))))
                .isEqualTo(new SocketMessages.CloseSql(4));
        assertThat(request(12, RequestMsg.newBuilder().setGetAutocommit(HranaWsProto.GetAutocommitReq.newBuilder().setStreamId(3))))
                .isEqualTo(new SocketMessages.OnStream(3, new Hrana.GetAutocommitReq()));
    }

    @Test
    void shouldRefuseFramesThatAreNotClientMessages() {
        assertProtocolError(new byte[] {(byte) 0xff, 0x00}, "Malformed Protobuf ClientMsg");
        assertProtocolError(new byte[0], "the message type is missing");
        assertProtocolError(HranaWsProto.ClientMsg.newBuilder().setRequest(RequestMsg.newBuilder().setRequestId(5)).build().toByteArray(),
                "request 5: the request type is missing");
        assertProtocolError(HranaWsProto.ClientMsg.newBuilder().setRequest(RequestMsg.newBuilder().setRequestId(6)
                .setExecute(HranaWsProto.ExecuteReq.newBuilder().setStreamId(1))).build().toByteArray(), "Missing field 'request 6.stmt'");
        assertProtocolError(HranaWsProto.ClientMsg.newBuilder().setRequest(RequestMsg.newBuilder().setRequestId(7)
                .setSequence(HranaWsProto.SequenceReq.newBuilder().setStreamId(1))).build().toByteArray(), "exactly one of 'sql' and 'sql_id'");
        assertProtocolError(HranaWsProto.ClientMsg.newBuilder().setRequest(RequestMsg.newBuilder().setRequestId(8)
                .setOpenCursor(HranaWsProto.OpenCursorReq.newBuilder().setStreamId(1))).build().toByteArray(), "Missing field 'request 8.batch'");
    }

    /** A frame that is not a client message closes the connection with 1007 (invalid payload), its reason the codec's. */
    private static void assertProtocolError(byte[] frame, String message) {
        assertThatThrownBy(() -> CODEC.decode(frame)).isInstanceOfSatisfying(SocketClose.class, e -> {
            assertThat(e.code()).isEqualTo(SocketClose.INVALID_PAYLOAD);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static HranaWsProto.ServerMsg encodeAndRead(SocketMessages.ServerMsg msg) throws Exception {
        SocketCodec.Encoded encoded = CODEC.encode(msg);
        assertThat(encoded.text()).as("a Protobuf answer goes in a binary frame").isNull();
        return HranaWsProto.ServerMsg.parseFrom(encoded.binary());
    }

    @Test
    void shouldServeHrana3InBinaryFramesUnderItsSubprotocol() {
        assertThat(CODEC.subprotocol()).isEqualTo("hrana3-protobuf");
        assertThat(CODEC.version()).isEqualTo(3);
        assertThat(CODEC.binary()).isTrue();
    }

    @Test
    void shouldEncodeHelloAnswersAndErrors() throws Exception {
        assertThat(encodeAndRead(new SocketMessages.HelloOk()).hasHelloOk()).isTrue();
        HranaWsProto.ServerMsg helloError = encodeAndRead(new SocketMessages.HelloError("bad token", "UNAUTHORIZED"));
        assertThat(helloError.getHelloError().getError().getMessage()).isEqualTo("bad token");
        assertThat(helloError.getHelloError().getError().getCode()).isEqualTo("UNAUTHORIZED");
        HranaWsProto.ServerMsg error = encodeAndRead(new SocketMessages.ResponseError(-42, "no such stream", null));
        assertThat(error.getResponseError().getRequestId()).isEqualTo(-42);
        assertThat(error.getResponseError().getError().hasCode()).isFalse();
    }

    @Test
    void shouldEncodeEveryResponseTypeWithItsResult() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {Long.MIN_VALUE, 1.5, "t", new byte[0], null});
        StmtResult result = new StmtResult(List.of(new Column("a", "INTEGER"), new Column(null, null)), rows, 3, Long.MAX_VALUE);

        HranaWsProto.ResponseOkMsg execute =
                encodeAndRead(new SocketMessages.ResponseOk(1, "execute", new RequestRunner.Executed(result), null)).getResponseOk();
        HranaProto.StmtResult r = execute.getExecute().getResult();
        assertThat(execute.getRequestId()).isEqualTo(1);
        assertThat(r.getCols(0).getDecltype()).isEqualTo("INTEGER");
        assertThat(r.getCols(1).hasName()).isFalse();
        assertThat(r.getRows(0).getValues(0).getInteger()).isEqualTo(Long.MIN_VALUE);
        assertThat(r.getRows(0).getValues(1).getFloat()).isEqualTo(1.5);
        assertThat(r.getRows(0).getValues(2).getText()).isEqualTo("t");
        assertThat(r.getRows(0).getValues(3).getValueCase()).isEqualTo(HranaProto.Value.ValueCase.BLOB);
        assertThat(r.getRows(0).getValues(3).getBlob()).isEqualTo(ByteString.EMPTY);
        assertThat(r.getRows(0).getValues(4).hasNull()).isTrue();
        assertThat(r.getAffectedRowCount()).isEqualTo(3);
        assertThat(r.getLastInsertRowid()).isEqualTo(Long.MAX_VALUE);

        HranaProto.BatchResult batch = encodeAndRead(new SocketMessages.ResponseOk(2, "batch", new RequestRunner.Batched(
                new StmtResult[] {result, null, null}, new StatementException[] {null, new StatementException("SQLITE_ERROR", "boom"), null}), null))
                .getResponseOk().getBatch().getResult();
        assertThat(batch.getStepResultsMap()).containsOnlyKeys(0);
        assertThat(batch.getStepErrorsMap()).containsOnlyKeys(1);
        assertThat(batch.getStepErrorsOrThrow(1).getCode()).isEqualTo("SQLITE_ERROR");

        HranaProto.DescribeResult describe = encodeAndRead(new SocketMessages.ResponseOk(3, "describe", new RequestRunner.Described(
                new DescribeResult(Arrays.asList(null, ":a"), List.of(new Column("x", null)), false, true)), null))
                .getResponseOk().getDescribe().getResult();
        assertThat(describe.getParams(0).hasName()).isFalse();
        assertThat(describe.getParams(1).getName()).isEqualTo(":a");
        assertThat(describe.getIsReadonly()).isTrue();

        assertThat(encodeAndRead(new SocketMessages.ResponseOk(4, "get_autocommit", new RequestRunner.Autocommit(true), null))
                .getResponseOk().getGetAutocommit().getIsAutocommit()).isTrue();
        for (String empty : List.of("open_stream", "close_stream", "open_cursor", "close_cursor", "sequence", "store_sql", "close_sql")) {
            HranaWsProto.ResponseOkMsg ok = encodeAndRead(new SocketMessages.ResponseOk(5, empty, new RequestRunner.Empty(), null)).getResponseOk();
            assertThat(ok.getResponseCase().name()).isEqualTo(empty.toUpperCase(java.util.Locale.ROOT));
        }
    }

    @Test
    void shouldEncodeFetchedCursorEntriesInOrder() throws Exception {
        List<SocketMessages.CursorEntry> items = List.of(
                new SocketMessages.StepBegin(0, List.of(new Column("a", null))),
                new SocketMessages.RowEntry(new Object[] {42L}),
                new SocketMessages.StepEnd(0, null),
                new SocketMessages.StepError(1, new StatementException("SQLITE_CONSTRAINT", "unique")),
                new SocketMessages.BatchError(new StatementException("RESPONSE_TOO_LARGE", "too big")));

        HranaWsProto.FetchCursorResp fetched =
                encodeAndRead(new SocketMessages.ResponseOk(8, "fetch_cursor", null, new SocketMessages.CursorPage(items, true))).getResponseOk()
                        .getFetchCursor();

        assertThat(fetched.getDone()).isTrue();
        assertThat(fetched.getEntriesList()).extracting(e -> e.getEntryCase().name())
                .containsExactly("STEP_BEGIN", "ROW", "STEP_END", "STEP_ERROR", "ERROR");
        assertThat(fetched.getEntries(1).getRow().getValues(0).getInteger()).isEqualTo(42);
        assertThat(fetched.getEntries(2).getStepEnd().hasLastInsertRowid()).isFalse();
        assertThat(fetched.getEntries(3).getStepError().getStep()).isEqualTo(1);
        assertThat(fetched.getEntries(4).getError().getCode()).isEqualTo("RESPONSE_TOO_LARGE");
    }
}
