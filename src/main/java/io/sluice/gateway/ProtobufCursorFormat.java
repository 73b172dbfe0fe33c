package io.sluice.gateway;

import io.sluice.gateway.proto.HranaHttpProto;
import io.sluice.gateway.proto.HranaProto;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The framing of {@code /v3-protobuf/cursor}: a {@code CursorRespBody}, then one {@code CursorEntry} per
 * item, each preceded by its length as a varint (Protobuf's own delimited form).
 */
final class ProtobufCursorFormat implements CursorWriter.Format {
    private final ByteArrayOutputStream out;

    ProtobufCursorFormat(ByteArrayOutputStream out) {
        this.out = out;
    }

    @Override
    public String contentType() {
        return BodyEncoding.PROTOBUF_TYPE;
    }

    @Override
    public void head(String baton) throws IOException {
        HranaHttpProto.CursorRespBody.Builder b = HranaHttpProto.CursorRespBody.newBuilder();
        if (baton != null) {
            b.setBaton(baton);
        }
        b.build().writeDelimitedTo(out);
    }

    @Override
    public void stepBegin(int step, List<Column> columns) throws IOException {
        write(ProtobufResponses.stepBegin(step, columns));
    }

    @Override
    public void row(Object[] values) throws IOException {
        write(ProtobufResponses.rowEntry(values));
    }

    @Override
    public void stepEnd(long affectedRowCount, Long lastInsertRowid) throws IOException {
        write(ProtobufResponses.stepEnd(affectedRowCount, lastInsertRowid));
    }

    @Override
    public void stepError(int step, StatementException error) throws IOException {
        write(ProtobufResponses.stepError(step, error));
    }

    @Override
    public void error(StatementException error) throws IOException {
        write(ProtobufResponses.errorEntry(error));
    }

    private void write(HranaProto.CursorEntry entry) throws IOException {
        entry.writeDelimitedTo(out);
    }
}
