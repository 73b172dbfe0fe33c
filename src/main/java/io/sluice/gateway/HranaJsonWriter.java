package io.sluice.gateway;

import io.netty.buffer.Unpooled;
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
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes every Hrana JSON answer straight into one array: an HTTP pipeline response ({@link #pipeline}), a
 * WebSocket server message ({@link #socketMessage}), the HTTP cursor's lines ({@link #cursorLines}) and the
 * error body of a refused request ({@link #errorBody}), the shapes fixed by the protocol: every separator and
 * field name is a constant, so nothing tracks nesting and nothing is looked up per token. It writes what
 * Jackson's UTF-8 generator writes, byte for byte, as {@code HranaJsonWriterTest} checks on random answers
 * against {@code JacksonHranaWriter}: the same escapes in strings ({@code \"}, {@code \\}, the short escapes,
 * {@code \\u00XX} for other control characters and {@code \\uXXXX} for each half of a surrogate pair, so a lone
 * half reaches the client as what it is), numbers as {@link Long#toString(long)} and
 * {@link Double#toString(double)} write them, blobs in padded base64.
 *
 * <p>It exists for speed: Jackson's generator (created per response, with its buffers and a context object per
 * nested object and array) took 1.2 µs for the answer to {@code SELECT 1}, this takes 0.34 µs
 * ({@code HranaBenchmark}), and the server's CPU per {@code SELECT 1} request fell by about a tenth
 * (docs/performance.md).
 */
final class HranaJsonWriter {
    private static final byte[] HEX = ascii("0123456789ABCDEF");
    private static final byte[] BASE64 = ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    /** Characters of a string escaped per piece: the room a piece needs is at most six bytes per character. */
    private static final int PIECE = 4096;
    /** Room for a small answer (a one-row read's is about 270 bytes) without growing. */
    private static final int MIN_CAPACITY = 512;

    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] BATON = ascii("{\"baton\":");
    private static final byte[] BASE_URL_RESULTS = ascii(",\"base_url\":null,\"results\":[");
    /** Closes an array and the object holding it: the results of a pipeline, the step errors of a batch. */
    private static final byte[] END_ARRAY_AND_OBJECT = ascii("]}");
    private static final byte[] ERROR_RESULT = ascii("{\"type\":\"error\",\"error\":");
    private static final byte[] OK_RESULT = ascii("{\"type\":\"ok\",\"response\":{\"type\":");
    private static final byte[] END_TWO_OBJECTS = ascii("}}");
    private static final byte[] RESULT = ascii(",\"result\":");
    private static final byte[] STEP_RESULTS = ascii("{\"step_results\":[");
    private static final byte[] STEP_ERRORS = ascii("],\"step_errors\":[");
    private static final byte[] PARAMS = ascii("{\"params\":[");
    private static final byte[] NAME = ascii("{\"name\":");
    private static final byte[] PARAMS_END = ascii("],");
    private static final byte[] IS_EXPLAIN = ascii(",\"is_explain\":");
    private static final byte[] IS_READONLY = ascii(",\"is_readonly\":");
    private static final byte[] IS_AUTOCOMMIT = ascii(",\"is_autocommit\":");
    private static final byte[] COLS = ascii("\"cols\":[");
    private static final byte[] DECLTYPE = ascii(",\"decltype\":");
    private static final byte[] ROWS = ascii(",\"rows\":[");
    private static final byte[] AFFECTED_ROW_COUNT = ascii("],\"affected_row_count\":");
    private static final byte[] LAST_INSERT_ROWID = ascii(",\"last_insert_rowid\":");
    private static final byte[] MESSAGE = ascii("{\"message\":");
    private static final byte[] CODE = ascii(",\"code\":");
    private static final byte[] VALUE_NULL = ascii("{\"type\":\"null\"}");
    private static final byte[] VALUE_INTEGER = ascii("{\"type\":\"integer\",\"value\":\"");
    private static final byte[] VALUE_FLOAT = ascii("{\"type\":\"float\",\"value\":");
    private static final byte[] VALUE_TEXT = ascii("{\"type\":\"text\",\"value\":");
    private static final byte[] VALUE_BLOB = ascii("{\"type\":\"blob\",\"base64\":\"");
    private static final byte[] END_INTEGER = ascii("\"}");
    private static final byte[] HELLO_OK = ascii("{\"type\":\"hello_ok\"}");
    private static final byte[] HELLO_ERROR = ascii("{\"type\":\"hello_error\",\"error\":");
    private static final byte[] RESPONSE_ERROR = ascii("{\"type\":\"response_error\",\"request_id\":");
    private static final byte[] RESPONSE_OK = ascii("{\"type\":\"response_ok\",\"request_id\":");
    private static final byte[] ERROR_FIELD = ascii(",\"error\":");
    private static final byte[] RESPONSE = ascii(",\"response\":{\"type\":");
    private static final byte[] ENTRIES = ascii(",\"entries\":[");
    private static final byte[] DONE = ascii("],\"done\":");
    private static final byte[] STEP_BEGIN = ascii("{\"type\":\"step_begin\",\"step\":");
    private static final byte[] ROW = ascii("{\"type\":\"row\",\"row\":[");
    private static final byte[] STEP_END = ascii("{\"type\":\"step_end\",\"affected_row_count\":");
    private static final byte[] STEP_ERROR = ascii("{\"type\":\"step_error\",\"step\":");
    private static final byte[] BASE_URL_LINE_END = ascii(",\"base_url\":null}\n");
    /** Bytes of a blob encoded per step (a multiple of three): its base64 is never needed whole in the array. */
    private static final int BASE64_PIECE = 3 * 1024;

    private byte[] buf;
    private int n;
    /**
     * Where a cursor's lines go ({@link #cursorLines}), else null: what the array holds is moved there whenever it
     * is short of room, so the array stays a few pieces long however large a row is.
     */
    private final ByteArrayOutputStream spill;

    private HranaJsonWriter(int capacity) {
        this(capacity, null);
    }

    private HranaJsonWriter(int capacity, ByteArrayOutputStream spill) {
        this.buf = new byte[capacity];
        this.spill = spill;
    }

    /**
     * The pipeline response in an array of {@code expectedBytes} (the response budget's estimate, 0 for none) and
     * some room, at least {@link #MIN_CAPACITY}, grown only when that was short.
     */
    static Buffer pipeline(String baton, List<Result> results, long expectedBytes) {
        HranaJsonWriter w = new HranaJsonWriter((int) Math.min(Math.max(expectedBytes + 256, MIN_CAPACITY), Integer.MAX_VALUE - 64));
        w.raw(BATON);
        w.string(baton);
        w.raw(BASE_URL_RESULTS);
        for (int i = 0; i < results.size(); i++) {
            w.comma(i);
            Result r = results.get(i);
            if (r.error() != null) {
                w.raw(ERROR_RESULT);
                w.error(r.error());
                w.raw('}');
            } else {
                w.raw(OK_RESULT);
                w.string(r.type());
                w.responseFields(r.response());
                w.raw(END_TWO_OBJECTS);
            }
        }
        w.raw(END_ARRAY_AND_OBJECT);
        return Buffer.buffer(Unpooled.wrappedBuffer(w.buf, 0, w.n));
    }

    /**
     * A WebSocket server message of the JSON subprotocols, as text: a valid UTF-8 array (lone surrogates are
     * escaped) decoded once, which for an answer of ASCII characters is one copy.
     */
    static String socketMessage(ServerMsg message) {
        HranaJsonWriter w = new HranaJsonWriter(MIN_CAPACITY);
        w.serverMessage(message);
        return new String(w.buf, 0, w.n, StandardCharsets.UTF_8);
    }

    /** A bare Hrana error object, the body of every non-200 answer. */
    static byte[] errorBody(String message, String code) {
        HranaJsonWriter w = new HranaJsonWriter(MIN_CAPACITY);
        w.error(message, code);
        return Arrays.copyOf(w.buf, w.n);
    }

    /**
     * A writer of the HTTP cursor's lines ({@code /v3/cursor}: one JSON object and a newline per entry, the
     * entries a WebSocket cursor page holds) into {@code out}.
     */
    static HranaJsonWriter cursorLines(ByteArrayOutputStream out) {
        return new HranaJsonWriter(MIN_CAPACITY, out);
    }

    /** The cursor's first line, {@code {"baton":…,"base_url":null}}. */
    void headLine(String baton) {
        raw(BATON);
        string(baton);
        raw(BASE_URL_LINE_END);
        spillAll();
    }

    /** One cursor entry and its newline. */
    void line(CursorEntry entry) {
        entry(entry);
        raw('\n');
        spillAll();
    }

    private void spillAll() {
        spill.write(buf, 0, n);
        n = 0;
    }

    private void serverMessage(ServerMsg message) {
        if (message instanceof HelloOk) {
            raw(HELLO_OK);
        } else if (message instanceof HelloError e) {
            raw(HELLO_ERROR);
            error(e.message(), e.code());
            raw('}');
        } else if (message instanceof ResponseError e) {
            raw(RESPONSE_ERROR);
            number(Integer.toString(e.requestId()));
            raw(ERROR_FIELD);
            error(e.message(), e.code());
            raw('}');
        } else if (message instanceof ResponseOk ok) {
            raw(RESPONSE_OK);
            number(Integer.toString(ok.requestId()));
            raw(RESPONSE);
            string(ok.type());
            if (ok.page() != null) {
                raw(ENTRIES);
                List<CursorEntry> entries = ok.page().entries();
                for (int i = 0; i < entries.size(); i++) {
                    comma(i);
                    entry(entries.get(i));
                }
                raw(DONE);
                raw(ok.page().done() ? TRUE : FALSE);
            } else if (ok.response() != null) {
                responseFields(ok.response());
            }
            raw(END_TWO_OBJECTS);
        }
    }

    /** One entry of a cursor page. */
    private void entry(CursorEntry entry) {
        if (entry instanceof StepBegin b) {
            raw(STEP_BEGIN);
            number(Integer.toString(b.step()));
            raw(',');
            columns(b.columns());
            raw('}');
        } else if (entry instanceof RowEntry r) {
            raw(ROW);
            values(r.values());
            raw(END_ARRAY_AND_OBJECT);
        } else if (entry instanceof StepEnd e) {
            raw(STEP_END);
            number(Long.toString(e.affectedRowCount()));
            lastInsertRowid(e.lastInsertRowid());
            raw('}');
        } else if (entry instanceof StepError e) {
            raw(STEP_ERROR);
            number(Integer.toString(e.step()));
            raw(ERROR_FIELD);
            error(e.error());
            raw('}');
        } else if (entry instanceof BatchError e) {
            raw(ERROR_RESULT);
            error(e.error());
            raw('}');
        }
    }

    private void responseFields(Response response) {
        if (response instanceof Executed e) {
            raw(RESULT);
            stmtResult(e.result());
        } else if (response instanceof Batched b) {
            raw(RESULT);
            raw(STEP_RESULTS);
            elementsOrNull(b.results(), this::stmtResult);
            raw(STEP_ERRORS);
            elementsOrNull(b.errors(), this::error);
            raw(END_ARRAY_AND_OBJECT);
        } else if (response instanceof Described d) {
            raw(RESULT);
            raw(PARAMS);
            List<String> params = d.result().params();
            for (int i = 0; i < params.size(); i++) {
                comma(i);
                raw(NAME);
                string(params.get(i));
                raw('}');
            }
            raw(PARAMS_END);
            columns(d.result().columns());
            raw(IS_EXPLAIN);
            raw(d.result().isExplain() ? TRUE : FALSE);
            raw(IS_READONLY);
            raw(d.result().isReadonly() ? TRUE : FALSE);
            raw('}');
        } else if (response instanceof Autocommit a) {
            raw(IS_AUTOCOMMIT);
            raw(a.isAutocommit() ? TRUE : FALSE);
        }
    }

    private void stmtResult(StmtResult r) {
        raw('{');
        columns(r.columns());
        raw(ROWS);
        List<Object[]> rows = r.rows();
        for (int i = 0; i < rows.size(); i++) {
            comma(i);
            raw('[');
            values(rows.get(i));
            raw(']');
        }
        raw(AFFECTED_ROW_COUNT);
        number(Long.toString(r.affectedRowCount()));
        lastInsertRowid(r.lastInsertRowid());
        raw('}');
    }

    /** The values of a row, without its brackets. */
    private void values(Object[] row) {
        for (int j = 0; j < row.length; j++) {
            comma(j);
            value(row[j]);
        }
    }

    /** {@code ,"last_insert_rowid":"…"} or {@code null}. */
    private void lastInsertRowid(Long rowid) {
        raw(LAST_INSERT_ROWID);
        string(rowid == null ? null : Long.toString(rowid));
    }

    /** {@code "cols":[…]}, without the brace or comma before it. */
    private void columns(List<Column> cols) {
        raw(COLS);
        for (int i = 0; i < cols.size(); i++) {
            comma(i);
            raw(NAME);
            string(cols.get(i).name());
            raw(DECLTYPE);
            string(cols.get(i).decltype());
            raw('}');
        }
        raw(']');
    }

    private void error(StatementException e) {
        error(e.getMessage(), e.code());
    }

    private void error(String message, String code) {
        raw(MESSAGE);
        string(message);
        if (code != null) {
            raw(CODE);
            string(code);
        }
        raw('}');
    }

    /** One Hrana value object: an integer as a decimal string, a non-finite float (which JSON cannot carry) as null. */
    private void value(Object v) {
        if (v == null) {
            raw(VALUE_NULL);
        } else if (v instanceof Long l) {
            raw(VALUE_INTEGER);
            number(Long.toString(l));
            raw(END_INTEGER);
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                raw(VALUE_NULL); // JSON has neither
            } else {
                raw(VALUE_FLOAT);
                number(Double.toString(d));
                raw('}');
            }
        } else if (v instanceof String s) {
            raw(VALUE_TEXT);
            string(s);
            raw('}');
        } else if (v instanceof byte[] b) {
            raw(VALUE_BLOB);
            base64(b);
            raw(END_INTEGER);
        } else {
            throw new IllegalArgumentException("not a Hrana value: " + v.getClass().getName());
        }
    }

    /** The elements of a JSON array (without its brackets), {@code null} for a null one. */
    private <T> void elementsOrNull(T[] items, Consumer<T> write) {
        for (int i = 0; i < items.length; i++) {
            comma(i);
            if (items[i] == null) {
                raw(NULL);
            } else {
                write.accept(items[i]);
            }
        }
    }

    private void comma(int index) {
        if (index > 0) {
            raw(',');
        }
    }

    /** A JSON string, or {@code null}; escaped piece by piece so that a long string never needs six times its length at once. */
    private void string(String s) {
        if (s == null) {
            raw(NULL);
            return;
        }
        int length = s.length();
        room(2);
        buf[n++] = '"';
        for (int from = 0; from < length; from += PIECE) {
            int to = Math.min(length, from + PIECE);
            room((to - from) * 6 + 1);
            byte[] b = buf;
            int at = n;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (c >= 0x20 && c != '"' && c != '\\') {
                        b[at++] = (byte) c;
                    } else {
                        at = escape(b, at, c);
                    }
                } else if (c < 0x800) {
                    b[at++] = (byte) (0xC0 | c >> 6);
                    b[at++] = (byte) (0x80 | c & 0x3F);
                } else if (Character.isSurrogate(c)) {
                    at = unicodeEscape(b, at, c); // each half on its own, as Jackson's UTF-8 generator writes it
                } else {
                    b[at++] = (byte) (0xE0 | c >> 12);
                    b[at++] = (byte) (0x80 | c >> 6 & 0x3F);
                    b[at++] = (byte) (0x80 | c & 0x3F);
                }
            }
            n = at;
        }
        buf[n++] = '"';
    }

    private static int escape(byte[] b, int at, char c) {
        byte shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
        };
        if (shortForm == 0) {
            return unicodeEscape(b, at, c);
        }
        b[at] = '\\';
        b[at + 1] = shortForm;
        return at + 2;
    }

    private static int unicodeEscape(byte[] b, int at, char c) {
        b[at] = '\\';
        b[at + 1] = 'u';
        b[at + 2] = HEX[c >> 12 & 0xF];
        b[at + 3] = HEX[c >> 8 & 0xF];
        b[at + 4] = HEX[c >> 4 & 0xF];
        b[at + 5] = HEX[c & 0xF];
        return at + 6;
    }

    /** Padded base64 of {@code data}, written straight into the response a piece at a time. */
    private void base64(byte[] data) {
        int whole = data.length - data.length % 3;
        for (int from = 0; from < whole; from += BASE64_PIECE) {
            int to = Math.min(whole, from + BASE64_PIECE);
            room((to - from) / 3 * 4);
            byte[] b = buf;
            int at = n;
            for (int i = from; i < to; i += 3) {
                int bits = (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8 | data[i + 2] & 0xFF;
                b[at++] = BASE64[bits >>> 18];
                b[at++] = BASE64[bits >>> 12 & 0x3F];
                b[at++] = BASE64[bits >>> 6 & 0x3F];
                b[at++] = BASE64[bits & 0x3F];
            }
            n = at;
        }
        int rest = data.length - whole;
        if (rest > 0) {
            room(4);
            int bits = (data[whole] & 0xFF) << 16 | (rest == 2 ? (data[whole + 1] & 0xFF) << 8 : 0);
            buf[n] = BASE64[bits >>> 18];
            buf[n + 1] = BASE64[bits >>> 12 & 0x3F];
            buf[n + 2] = rest == 2 ? BASE64[bits >>> 6 & 0x3F] : (byte) '=';
            buf[n + 3] = '=';
            n += 4;
        }
    }

    /** Text known to be ASCII (a number). */
    private void number(String text) {
        int length = text.length();
        room(length);
        for (int i = 0; i < length; i++) {
            buf[n + i] = (byte) text.charAt(i);
        }
        n += length;
    }

    private void raw(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buf, n, bytes.length);
        n += bytes.length;
    }

    private void raw(char c) {
        room(1);
        buf[n++] = (byte) c;
    }

    private void room(int bytes) {
        if (buf.length - n < bytes) {
            if (spill != null && n > 0) {
                spill.write(buf, 0, n);
                n = 0;
                if (buf.length >= bytes) {
                    return;
                }
            }
            // the response budget keeps a response far below the largest array
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max((long) n + bytes, 2L * buf.length), Integer.MAX_VALUE - 64));
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
