package io.sluice.gateway;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import io.sluice.sql.ValueCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Encodes Hrana responses as JSON. */
final class ResponseWriter {
    static final JsonFactory JSON = new JsonFactory().setRootValueSeparator(null);

    private ResponseWriter() {
    }

    /** One pipeline result: a {@link Response} for a request that succeeded or the {@link StatementException} it failed with. */
    record Result(String type, Response response, StatementException error) {
    }

    static byte[] pipeline(String baton, List<Result> results) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            pipeline(g, baton, results);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The pipeline response written straight into a buffer sized for it up front ({@code expectedBytes}, the
     * response budget's estimate): a response of many megabytes is held once, not grown and copied
     * three times on its way to the socket.
     */
    static Buffer pipelineBuffer(String baton, List<Result> results, long expectedBytes) {
        ByteBuf buf = Unpooled.buffer((int) Math.min(Math.max(expectedBytes + 256, 256), Integer.MAX_VALUE - 64));
        try (JsonGenerator g = JSON.createGenerator((OutputStream) new ByteBufOutputStream(buf), JsonEncoding.UTF8)) {
            pipeline(g, baton, results);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(buf);
    }

    private static void pipeline(JsonGenerator g, String baton, List<Result> results) throws IOException {
        g.writeStartObject();
        g.writeStringField("baton", baton);
        g.writeNullField("base_url");
        g.writeArrayFieldStart("results");
        for (Result r : results) {
            g.writeStartObject();
            if (r.error() != null) {
                g.writeStringField("type", "error");
                g.writeFieldName("error");
                error(g, r.error());
            } else {
                g.writeStringField("type", "ok");
                g.writeObjectFieldStart("response");
                g.writeStringField("type", r.type());
                responseFields(g, r.response());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    static void responseFields(JsonGenerator g, Response response) throws IOException {
        if (response instanceof Executed e) {
            g.writeFieldName("result");
            stmtResult(g, e.result());
        } else if (response instanceof Batched b) {
            g.writeObjectFieldStart("result");
            g.writeArrayFieldStart("step_results");
            for (StmtResult r : b.results()) {
                if (r == null) {
                    g.writeNull();
                } else {
                    stmtResult(g, r);
                }
            }
            g.writeEndArray();
            g.writeArrayFieldStart("step_errors");
            for (StatementException e : b.errors()) {
                if (e == null) {
                    g.writeNull();
                } else {
                    error(g, e);
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } else if (response instanceof Described d) {
            g.writeObjectFieldStart("result");
            g.writeArrayFieldStart("params");
            for (String name : d.result().params()) {
                g.writeStartObject();
                g.writeStringField("name", name);
                g.writeEndObject();
            }
            g.writeEndArray();
            columns(g, d.result().columns());
            g.writeBooleanField("is_explain", d.result().isExplain());
            g.writeBooleanField("is_readonly", d.result().isReadonly());
            g.writeEndObject();
        } else if (response instanceof Autocommit a) {
            g.writeBooleanField("is_autocommit", a.isAutocommit());
        }
    }

    static void stmtResult(JsonGenerator g, StmtResult r) throws IOException {
        g.writeStartObject();
        columns(g, r.columns());
        g.writeArrayFieldStart("rows");
        for (Object[] row : r.rows()) {
            g.writeStartArray();
            for (Object v : row) {
                ValueCodec.encode(g, v);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeNumberField("affected_row_count", r.affectedRowCount());
        lastInsertRowid(g, r.lastInsertRowid());
        g.writeEndObject();
    }

    static void lastInsertRowid(JsonGenerator g, Long rowid) throws IOException {
        if (rowid == null) {
            g.writeNullField("last_insert_rowid");
        } else {
            g.writeStringField("last_insert_rowid", Long.toString(rowid));
        }
    }

    static void columns(JsonGenerator g, List<Column> cols) throws IOException {
        g.writeArrayFieldStart("cols");
        for (Column c : cols) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("decltype", c.decltype());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void error(JsonGenerator g, StatementException e) throws IOException {
        error(g, e.getMessage(), e.code());
    }

    static void error(JsonGenerator g, String message, String code) throws IOException {
        g.writeStartObject();
        g.writeStringField("message", message);
        if (code != null) {
            g.writeStringField("code", code);
        }
        g.writeEndObject();
    }

    /** A bare Hrana error object, the body of every non-200 answer. */
    static byte[] errorBody(String message, String code) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            error(g, message, code);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
