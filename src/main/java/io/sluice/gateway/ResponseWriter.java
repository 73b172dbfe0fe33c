package io.sluice.gateway;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import io.sluice.sql.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Encodes Hrana responses as JSON. */
final class ResponseWriter {
    static final JsonFactory JSON = new JsonFactory().setRootValueSeparator(null);
    /* Names and constant values pre-quoted once: the generator copies their bytes instead of escaping them per response. */
    private static final SerializedString BATON = new SerializedString("baton");
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString NAME = new SerializedString("name");
    private static final SerializedString LAST_INSERT_ROWID = new SerializedString("last_insert_rowid");
    private static final SerializedString DECLTYPE = new SerializedString("decltype");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final SerializedString CODE = new SerializedString("code");
    private static final SerializedString BASE_URL = new SerializedString("base_url");
    private static final SerializedString RESULTS = new SerializedString("results");
    private static final SerializedString ERROR = new SerializedString("error");
    private static final SerializedString RESPONSE = new SerializedString("response");
    private static final SerializedString RESULT = new SerializedString("result");
    private static final SerializedString STEP_RESULTS = new SerializedString("step_results");
    private static final SerializedString STEP_ERRORS = new SerializedString("step_errors");
    private static final SerializedString PARAMS = new SerializedString("params");
    private static final SerializedString IS_EXPLAIN = new SerializedString("is_explain");
    private static final SerializedString IS_READONLY = new SerializedString("is_readonly");
    private static final SerializedString IS_AUTOCOMMIT = new SerializedString("is_autocommit");
    private static final SerializedString ROWS = new SerializedString("rows");
    private static final SerializedString AFFECTED_ROW_COUNT = new SerializedString("affected_row_count");
    private static final SerializedString COLS = new SerializedString("cols");
    private static final SerializedString VALUE_OK = new SerializedString("ok");
    private static final SerializedString VALUE_ERROR = new SerializedString("error");

    private ResponseWriter() {
    }

    /** One pipeline result: a {@link Response} for a request that succeeded or the {@link StatementException} it failed with. */
    record Result(String type, Response response, StatementException error) {
    }

    /**
     * The pipeline response through Jackson's generator, with the same field writers the HTTP cursor encoder
     * uses: the reference {@link HranaJsonWriter} is held to byte for byte ({@code HranaJsonWriterTest}).
     */
    static byte[] pipeline(String baton, List<Result> results) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            pipeline(g, baton, results);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void pipeline(JsonGenerator g, String baton, List<Result> results) throws IOException {
        g.writeStartObject();
        string(g, BATON, baton);
        g.writeFieldName(BASE_URL);
        g.writeNull();
        g.writeFieldName(RESULTS);
        g.writeStartArray();
        for (Result r : results) {
            g.writeStartObject();
            if (r.error() != null) {
                g.writeFieldName(TYPE);
                g.writeString(VALUE_ERROR);
                g.writeFieldName(ERROR);
                error(g, r.error());
            } else {
                g.writeFieldName(TYPE);
                g.writeString(VALUE_OK);
                g.writeFieldName(RESPONSE);
                g.writeStartObject();
                string(g, TYPE, r.type());
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
            g.writeFieldName(RESULT);
            stmtResult(g, e.result());
        } else if (response instanceof Batched b) {
            g.writeFieldName(RESULT);
            g.writeStartObject();
            g.writeFieldName(STEP_RESULTS);
            g.writeStartArray();
            for (StmtResult r : b.results()) {
                if (r == null) {
                    g.writeNull();
                } else {
                    stmtResult(g, r);
                }
            }
            g.writeEndArray();
            g.writeFieldName(STEP_ERRORS);
            g.writeStartArray();
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
            g.writeFieldName(RESULT);
            g.writeStartObject();
            g.writeFieldName(PARAMS);
            g.writeStartArray();
            for (String name : d.result().params()) {
                g.writeStartObject();
                string(g, NAME, name);
                g.writeEndObject();
            }
            g.writeEndArray();
            columns(g, d.result().columns());
            g.writeFieldName(IS_EXPLAIN);
            g.writeBoolean(d.result().isExplain());
            g.writeFieldName(IS_READONLY);
            g.writeBoolean(d.result().isReadonly());
            g.writeEndObject();
        } else if (response instanceof Autocommit a) {
            g.writeFieldName(IS_AUTOCOMMIT);
            g.writeBoolean(a.isAutocommit());
        }
    }

    static void stmtResult(JsonGenerator g, StmtResult r) throws IOException {
        g.writeStartObject();
        columns(g, r.columns());
        g.writeFieldName(ROWS);
        g.writeStartArray();
        for (Object[] row : r.rows()) {
            g.writeStartArray();
            for (Object v : row) {
                ValueCodec.encode(g, v);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeFieldName(AFFECTED_ROW_COUNT);
        g.writeNumber(r.affectedRowCount());
        lastInsertRowid(g, r.lastInsertRowid());
        g.writeEndObject();
    }

    static void lastInsertRowid(JsonGenerator g, Long rowid) throws IOException {
        if (rowid == null) {
            g.writeFieldName(LAST_INSERT_ROWID);
            g.writeNull();
        } else {
            string(g, LAST_INSERT_ROWID, Long.toString(rowid));
        }
    }

    static void columns(JsonGenerator g, List<Column> cols) throws IOException {
        g.writeFieldName(COLS);
        g.writeStartArray();
        for (Column c : cols) {
            g.writeStartObject();
            string(g, NAME, c.name());
            string(g, DECLTYPE, c.decltype());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void error(JsonGenerator g, StatementException e) throws IOException {
        error(g, e.getMessage(), e.code());
    }

    static void error(JsonGenerator g, String message, String code) throws IOException {
        g.writeStartObject();
        string(g, MESSAGE, message);
        if (code != null) {
            string(g, CODE, code);
        }
        g.writeEndObject();
    }

    /** A string field whose name is pre-quoted; a null value is written as JSON null. */
    private static void string(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
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
