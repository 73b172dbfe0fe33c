package io.sluice.gateway;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.gateway.RequestRunner.Result;
import io.sluice.gateway.SocketMessages.BatchError;
import io.sluice.gateway.SocketMessages.CursorEntry;
import io.sluice.gateway.SocketMessages.HelloError;
import io.sluice.gateway.SocketMessages.HelloOk;
import io.sluice.gateway.SocketMessages.ResponseError;
import io.sluice.gateway.SocketMessages.ResponseOk;
import io.sluice.gateway.SocketMessages.RowEntry;
import io.sluice.gateway.SocketMessages.ServerMsg;
import io.sluice.gateway.SocketMessages.StepBegin;
import io.sluice.gateway.SocketMessages.StepEnd;
import io.sluice.gateway.SocketMessages.StepError;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The reference {@link HranaJsonWriter} is held to: Hrana's JSON answers written through Jackson's UTF-8
 * generator, one JSON token at a time, as the server wrote them before it had its own writer. Used by
 * {@code HranaJsonWriterTest} (byte for byte on random answers) and by {@code HranaBenchmark} (what the
 * writer saves).
 */
final class JacksonHranaWriter {
    private static final JsonFactory JSON = new JsonFactory().setRootValueSeparator(null);

    private JacksonHranaWriter() {
    }

    private interface Writes {
        void to(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Writes writes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            writes.to(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An HTTP pipeline response. */
    static byte[] pipeline(String baton, List<Result> results) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("baton", baton);
            g.writeNullField("base_url");
            g.writeArrayFieldStart("results");
            for (Result r : results) {
                g.writeStartObject();
                if (r.error() != null) {
                    g.writeStringField("type", "error");
                    g.writeFieldName("error");
                    error(g, r.error().getMessage(), r.error().code());
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
        });
    }

    /** A WebSocket server message. */
    static byte[] socketMessage(ServerMsg message) {
        return write(g -> {
            g.writeStartObject();
            if (message instanceof HelloOk) {
                g.writeStringField("type", "hello_ok");
            } else if (message instanceof HelloError e) {
                g.writeStringField("type", "hello_error");
                g.writeFieldName("error");
                error(g, e.message(), e.code());
            } else if (message instanceof ResponseError e) {
                g.writeStringField("type", "response_error");
                g.writeNumberField("request_id", e.requestId());
                g.writeFieldName("error");
                error(g, e.message(), e.code());
            } else if (message instanceof ResponseOk ok) {
                g.writeStringField("type", "response_ok");
                g.writeNumberField("request_id", ok.requestId());
                g.writeObjectFieldStart("response");
                g.writeStringField("type", ok.type());
                if (ok.page() != null) {
                    g.writeArrayFieldStart("entries");
                    for (CursorEntry entry : ok.page().entries()) {
                        entry(g, entry);
                    }
                    g.writeEndArray();
                    g.writeBooleanField("done", ok.page().done());
                } else if (ok.response() != null) {
                    responseFields(g, ok.response());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /** The HTTP cursor's first line. */
    static byte[] cursorHead(String baton) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("baton", baton);
            g.writeNullField("base_url");
            g.writeEndObject();
            g.writeRaw('\n');
        });
    }

    /** One line of the HTTP cursor. */
    static byte[] cursorLine(CursorEntry entry) {
        return write(g -> {
            entry(g, entry);
            g.writeRaw('\n');
        });
    }

    /** A bare error object, the body of a non-200 answer. */
    static byte[] errorBody(String message, String code) {
        return write(g -> error(g, message, code));
    }

    private static void entry(JsonGenerator g, CursorEntry entry) throws IOException {
        g.writeStartObject();
        if (entry instanceof StepBegin b) {
            g.writeStringField("type", "step_begin");
            g.writeNumberField("step", b.step());
            columns(g, b.columns());
        } else if (entry instanceof RowEntry r) {
            g.writeStringField("type", "row");
            g.writeArrayFieldStart("row");
            for (Object v : r.values()) {
                value(g, v);
            }
            g.writeEndArray();
        } else if (entry instanceof StepEnd e) {
            g.writeStringField("type", "step_end");
            g.writeNumberField("affected_row_count", e.affectedRowCount());
            g.writeStringField("last_insert_rowid", e.lastInsertRowid() == null ? null : Long.toString(e.lastInsertRowid()));
        } else if (entry instanceof StepError e) {
            g.writeStringField("type", "step_error");
            g.writeNumberField("step", e.step());
            g.writeFieldName("error");
            error(g, e.error().getMessage(), e.error().code());
        } else if (entry instanceof BatchError e) {
            g.writeStringField("type", "error");
            g.writeFieldName("error");
            error(g, e.error().getMessage(), e.error().code());
        }
        g.writeEndObject();
    }

    private static void responseFields(JsonGenerator g, Response response) throws IOException {
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
                    error(g, e.getMessage(), e.code());
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

    private static void stmtResult(JsonGenerator g, StmtResult r) throws IOException {
        g.writeStartObject();
        columns(g, r.columns());
        g.writeArrayFieldStart("rows");
        for (Object[] row : r.rows()) {
            g.writeStartArray();
            for (Object v : row) {
                value(g, v);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeNumberField("affected_row_count", r.affectedRowCount());
        g.writeStringField("last_insert_rowid", r.lastInsertRowid() == null ? null : Long.toString(r.lastInsertRowid()));
        g.writeEndObject();
    }

    private static void columns(JsonGenerator g, List<Column> cols) throws IOException {
        g.writeArrayFieldStart("cols");
        for (Column c : cols) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("decltype", c.decltype());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void error(JsonGenerator g, String message, String code) throws IOException {
        g.writeStartObject();
        g.writeStringField("message", message);
        if (code != null) {
            g.writeStringField("code", code);
        }
        g.writeEndObject();
    }

    /** One Hrana value object. */
    static void value(JsonGenerator g, Object v) throws IOException {
        g.writeStartObject();
        if (v == null) {
            g.writeStringField("type", "null");
        } else if (v instanceof Long l) {
            g.writeStringField("type", "integer");
            g.writeStringField("value", Long.toString(l));
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                g.writeStringField("type", "null");
            } else {
                g.writeStringField("type", "float");
                g.writeNumberField("value", d);
            }
        } else if (v instanceof String s) {
            g.writeStringField("type", "text");
            g.writeStringField("value", s);
        } else if (v instanceof byte[] b) {
            g.writeStringField("type", "blob");
            g.writeFieldName("base64");
            g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, 0, b.length);
        } else {
            throw new IllegalArgumentException("not a Hrana value: " + v.getClass().getName());
        }
        g.writeEndObject();
    }
}
