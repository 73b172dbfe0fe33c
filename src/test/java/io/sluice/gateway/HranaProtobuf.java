package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.restassured.response.Response;
import io.sluice.gateway.proto.HranaHttpProto;
import io.sluice.gateway.proto.HranaHttpProto.CursorRespBody;
import io.sluice.gateway.proto.HranaHttpProto.PipelineReqBody;
import io.sluice.gateway.proto.HranaHttpProto.PipelineRespBody;
import io.sluice.gateway.proto.HranaHttpProto.StreamRequest;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.gateway.proto.HranaProto.CursorEntry;
import io.sluice.gateway.proto.HranaProto.Stmt;
import io.sluice.gateway.proto.HranaProto.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hrana-over-HTTP client for the Protobuf encoding, built on the generated messages only (it shares no
 * code with the server's mapping), for the tests.
 */
final class HranaProtobuf {
    static final String PIPELINE = "/v3-protobuf/pipeline";
    static final String CURSOR = "/v3-protobuf/cursor";
    static final String TYPE = "application/x-protobuf";

    private HranaProtobuf() {
    }

    static Response post(String path, byte[] body) {
        return given().contentType(TYPE).body(body).post(path);
    }

    static PipelineReqBody pipeline(String baton, StreamRequest... requests) {
        PipelineReqBody.Builder b = PipelineReqBody.newBuilder();
        if (baton != null) {
            b.setBaton(baton);
        }
        return b.addAllRequests(List.of(requests)).build();
    }

    /** Posts a pipeline, asserts 200, the content type and one result per request. */
    static PipelineRespBody pipelineOk(String baton, StreamRequest... requests) {
        Response r = post(PIPELINE, pipeline(baton, requests).toByteArray());
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(200);
        assertThat(r.getHeader("Content-Type")).isEqualTo(TYPE);
        PipelineRespBody body = parse(r.asByteArray());
        assertThat(body.getResultsCount()).isEqualTo(requests.length);
        return body;
    }

    static PipelineRespBody parse(byte[] bytes) {
        try {
            return PipelineRespBody.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException("response is not a PipelineRespBody", e);
        }
    }

    /** The ok response of result {@code i}, failing with the error when it is one. */
    static HranaHttpProto.StreamResponse ok(PipelineRespBody body, int i) {
        HranaHttpProto.StreamResult r = body.getResults(i);
        assertThat(r.hasOk()).as("result %d is ok: %s", i, r).isTrue();
        return r.getOk();
    }

    static HranaProto.Error error(PipelineRespBody body, int i) {
        HranaHttpProto.StreamResult r = body.getResults(i);
        assertThat(r.hasError()).as("result %d is an error: %s", i, r).isTrue();
        return r.getError();
    }

    static Stmt stmt(String sql, Value... args) {
        return Stmt.newBuilder().setSql(sql).addAllArgs(List.of(args)).build();
    }

    static StreamRequest execute(String sql, Value... args) {
        return execute(stmt(sql, args));
    }

    static StreamRequest execute(Stmt stmt) {
        return StreamRequest.newBuilder().setExecute(HranaHttpProto.ExecuteStreamReq.newBuilder().setStmt(stmt)).build();
    }

    static StreamRequest batch(HranaProto.Batch batch) {
        return StreamRequest.newBuilder().setBatch(HranaHttpProto.BatchStreamReq.newBuilder().setBatch(batch)).build();
    }

    static StreamRequest close() {
        return StreamRequest.newBuilder().setClose(HranaHttpProto.CloseStreamReq.getDefaultInstance()).build();
    }

    static StreamRequest getAutocommit() {
        return StreamRequest.newBuilder().setGetAutocommit(HranaHttpProto.GetAutocommitStreamReq.getDefaultInstance()).build();
    }

    static Value integer(long v) {
        return Value.newBuilder().setInteger(v).build();
    }

    static Value real(double v) {
        return Value.newBuilder().setFloat(v).build();
    }

    static Value text(String v) {
        return Value.newBuilder().setText(v).build();
    }

    static Value blob(byte[] v) {
        return Value.newBuilder().setBlob(ByteString.copyFrom(v)).build();
    }

    static Value nul() {
        return Value.newBuilder().setNull(Value.Null.getDefaultInstance()).build();
    }

    /** A cursor response: its head and its entries, read as the spec frames them (varint length prefixes). */
    record Cursor(CursorRespBody head, List<CursorEntry> entries) {
    }

    static Cursor readCursor(byte[] body) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(body);
            CursorRespBody head = CursorRespBody.parseFrom(in.readByteArray());
            List<CursorEntry> entries = new ArrayList<>();
            while (!in.isAtEnd()) {
                entries.add(CursorEntry.parseFrom(in.readByteArray()));
            }
            return new Cursor(head, entries);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed cursor body", e);
        }
    }
}
