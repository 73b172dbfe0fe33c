package io.sluice.gateway;

import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.SocketMessages.BatchError;
import io.sluice.gateway.SocketMessages.ClientMsg;
import io.sluice.gateway.SocketMessages.CursorEntry;
import io.sluice.gateway.SocketMessages.HelloError;
import io.sluice.gateway.SocketMessages.HelloOk;
import io.sluice.gateway.SocketMessages.OnStream;
import io.sluice.gateway.SocketMessages.ResponseError;
import io.sluice.gateway.SocketMessages.ResponseOk;
import io.sluice.gateway.SocketMessages.RowEntry;
import io.sluice.gateway.SocketMessages.ServerMsg;
import io.sluice.gateway.SocketMessages.SocketRequest;
import io.sluice.gateway.SocketMessages.StepBegin;
import io.sluice.gateway.SocketMessages.StepEnd;
import io.sluice.gateway.SocketMessages.StepError;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.gateway.proto.HranaWsProto;

/**
 * The {@code hrana3-protobuf} WebSocket subprotocol (Hrana 3 in binary frames): one message holds one
 * {@code ClientMsg} or {@code ServerMsg} of the generated schema ({@code src/main/proto/hrana_ws.proto}).
 * Decoding maps onto {@link SocketMessages} with the rules and bounds of the HTTP Protobuf encoding
 * ({@link ProtobufRequests}); a message that is not a valid client message closes the connection with 1007,
 * as a malformed message does on the JSON subprotocols. Stateless, as every {@link SocketCodec}.
 */
final class ProtobufWsCodec implements SocketCodec {
    static final String SUBPROTOCOL = "hrana3-protobuf";

    @Override
    public String subprotocol() {
        return SUBPROTOCOL;
    }

    @Override
    public int version() {
        return 3;
    }

    @Override
    public boolean binary() {
        return true;
    }

    @Override
    public ClientMsg decode(byte[] message) {
        try {
            return decodeClient(message);
        } catch (ProtocolException e) {
            throw SocketClose.invalid(e.getMessage());
        }
    }

    @Override
    public Encoded encode(ServerMsg message) {
        return new Encoded(null, encodeServer(message));
    }

    /** Decodes one binary message from the client; what is not a client message is a {@link ProtocolException}. */
    static ClientMsg decodeClient(byte[] frame) {
        HranaWsProto.ClientMsg msg = ProtobufRequests.parse(HranaWsProto.ClientMsg.parser(), frame, "ClientMsg");
        return switch (msg.getMsgCase()) {
            case HELLO -> new SocketMessages.Hello(msg.getHello().hasJwt() ? msg.getHello().getJwt() : null);
            case REQUEST -> new SocketMessages.Request(msg.getRequest().getRequestId(), request(msg.getRequest()));
            case MSG_NOT_SET -> throw ProtocolException.badRequest("ClientMsg: the message type is missing or unknown");
        };
    }

    private static SocketRequest request(HranaWsProto.RequestMsg r) {
        String at = "request " + r.getRequestId();
        return switch (r.getRequestCase()) {
            case OPEN_STREAM -> new SocketMessages.OpenStream(r.getOpenStream().getStreamId());
            case CLOSE_STREAM -> new SocketMessages.CloseStream(r.getCloseStream().getStreamId());
            case EXECUTE -> {
                if (!r.getExecute().hasStmt()) {
                    throw ProtocolException.badRequest("Missing field '" + at + ".stmt'");
                }
                yield new OnStream(r.getExecute().getStreamId(),
                        new Hrana.ExecuteReq(ProtobufRequests.stmt(r.getExecute().getStmt(), at + ".stmt")));
            }
            case BATCH -> new OnStream(r.getBatch().getStreamId(),
                    new Hrana.BatchReq(batch(r.getBatch().hasBatch(), r.getBatch().getBatch(), at)));
            case OPEN_CURSOR -> new SocketMessages.OpenCursor(r.getOpenCursor().getStreamId(), r.getOpenCursor().getCursorId(),
                    batch(r.getOpenCursor().hasBatch(), r.getOpenCursor().getBatch(), at));
            case CLOSE_CURSOR -> new SocketMessages.CloseCursor(r.getCloseCursor().getCursorId());
            case FETCH_CURSOR -> new SocketMessages.FetchCursor(r.getFetchCursor().getCursorId(),
                    (int) Math.min(Integer.toUnsignedLong(r.getFetchCursor().getMaxCount()), Integer.MAX_VALUE));
            case SEQUENCE -> {
                HranaWsProto.SequenceReq q = r.getSequence();
                requireOneSql(q.hasSql(), q.hasSqlId(), at);
                yield new OnStream(q.getStreamId(), new Hrana.SequenceReq(q.hasSql() ? q.getSql() : null, q.hasSqlId() ? q.getSqlId() : null));
            }
            case DESCRIBE -> {
                HranaWsProto.DescribeReq d = r.getDescribe();
                requireOneSql(d.hasSql(), d.hasSqlId(), at);
                yield new OnStream(d.getStreamId(), new Hrana.DescribeReq(d.hasSql() ? d.getSql() : null, d.hasSqlId() ? d.getSqlId() : null));
            }
            case STORE_SQL -> new SocketMessages.StoreSql(r.getStoreSql().getSqlId(), r.getStoreSql().getSql());
            case CLOSE_SQL -> new SocketMessages.CloseSql(r.getCloseSql().getSqlId());
            case GET_AUTOCOMMIT -> new OnStream(r.getGetAutocommit().getStreamId(), new Hrana.GetAutocommitReq());
            case REQUEST_NOT_SET -> throw ProtocolException.badRequest(at + ": the request type is missing or unknown");
        };
    }

    private static Hrana.Batch batch(boolean present, HranaProto.Batch batch, String at) {
        if (!present) {
            throw ProtocolException.badRequest("Missing field '" + at + ".batch'");
        }
        return ProtobufRequests.batch(batch, at + ".batch");
    }

    private static void requireOneSql(boolean hasSql, boolean hasSqlId, String at) {
        if (hasSql == hasSqlId) {
            throw ProtocolException.badRequest(at + ": exactly one of 'sql' and 'sql_id' must be given");
        }
    }

    /** Encodes one message to the client, for one binary frame. */
    static byte[] encodeServer(ServerMsg msg) {
        return serverMsg(msg).toByteArray();
    }

    static HranaWsProto.ServerMsg serverMsg(ServerMsg msg) {
        HranaWsProto.ServerMsg.Builder b = HranaWsProto.ServerMsg.newBuilder();
        if (msg instanceof HelloOk) {
            b.setHelloOk(HranaWsProto.HelloOkMsg.getDefaultInstance());
        } else if (msg instanceof HelloError e) {
            b.setHelloError(HranaWsProto.HelloErrorMsg.newBuilder().setError(ProtobufResponses.error(e.message(), e.code())));
        } else if (msg instanceof ResponseError e) {
            b.setResponseError(HranaWsProto.ResponseErrorMsg.newBuilder().setRequestId(e.requestId())
                    .setError(ProtobufResponses.error(e.message(), e.code())));
        } else if (msg instanceof ResponseOk ok) {
            b.setResponseOk(responseOk(ok));
        } else {
            throw new IllegalArgumentException("unhandled server message " + msg);
        }
        return b.build();
    }

    private static HranaWsProto.ResponseOkMsg responseOk(ResponseOk ok) {
        HranaWsProto.ResponseOkMsg.Builder b = HranaWsProto.ResponseOkMsg.newBuilder().setRequestId(ok.requestId());
        switch (ok.type()) {
            case "open_stream" -> b.setOpenStream(HranaWsProto.OpenStreamResp.getDefaultInstance());
            case "close_stream" -> b.setCloseStream(HranaWsProto.CloseStreamResp.getDefaultInstance());
            case "execute" -> b.setExecute(HranaWsProto.ExecuteResp.newBuilder()
                    .setResult(ProtobufResponses.stmtResult(((Executed) ok.response()).result())));
            case "batch" -> b.setBatch(HranaWsProto.BatchResp.newBuilder().setResult(ProtobufResponses.batchResult((Batched) ok.response())));
            case "open_cursor" -> b.setOpenCursor(HranaWsProto.OpenCursorResp.getDefaultInstance());
            case "close_cursor" -> b.setCloseCursor(HranaWsProto.CloseCursorResp.getDefaultInstance());
            case "fetch_cursor" -> {
                HranaWsProto.FetchCursorResp.Builder fetched = HranaWsProto.FetchCursorResp.newBuilder().setDone(ok.page().done());
                for (CursorEntry entry : ok.page().entries()) {
                    fetched.addEntries(cursorEntry(entry));
                }
                b.setFetchCursor(fetched);
            }
            case "sequence" -> b.setSequence(HranaWsProto.SequenceResp.getDefaultInstance());
            case "describe" -> b.setDescribe(HranaWsProto.DescribeResp.newBuilder()
                    .setResult(ProtobufResponses.describeResult(((Described) ok.response()).result())));
            case "store_sql" -> b.setStoreSql(HranaWsProto.StoreSqlResp.getDefaultInstance());
            case "close_sql" -> b.setCloseSql(HranaWsProto.CloseSqlResp.getDefaultInstance());
            case "get_autocommit" -> b.setGetAutocommit(HranaWsProto.GetAutocommitResp.newBuilder()
                    .setIsAutocommit(((Autocommit) ok.response()).isAutocommit()));
            default -> throw new IllegalArgumentException("no WebSocket response for request type " + ok.type());
        }
        return b.build();
    }

    static HranaProto.CursorEntry cursorEntry(CursorEntry item) {
        if (item instanceof StepBegin s) {
            return ProtobufResponses.stepBegin(s.step(), s.columns());
        }
        if (item instanceof RowEntry r) {
            return ProtobufResponses.rowEntry(r.values());
        }
        if (item instanceof StepEnd e) {
            return ProtobufResponses.stepEnd(e.affectedRowCount(), e.lastInsertRowid());
        }
        if (item instanceof StepError e) {
            return ProtobufResponses.stepError(e.step(), e.error());
        }
        if (item instanceof BatchError e) {
            return ProtobufResponses.errorEntry(e.error());
        }
        throw new IllegalArgumentException("unhandled cursor entry " + item);
    }
}
