package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Empty;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.gateway.ResponseWriter.Result;
import io.sluice.gateway.SocketMessages.BatchError;
import io.sluice.gateway.SocketMessages.CursorEntry;
import io.sluice.gateway.SocketMessages.CursorPage;
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
import io.sluice.sql.DescribeResult;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import io.sluice.sql.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hrana's own JSON writer against Jackson's UTF-8 generator (which the HTTP cursor encoder uses): byte for byte
 * the same on random pipeline responses and WebSocket messages of every kind, with strings of every class of
 * character (quotes, backslashes, control characters, two- and three-byte characters, surrogate pairs and lone
 * halves), numbers at their edges and blobs of every length modulo three.
 */
class HranaJsonWriterTest {
    private static final char[] SPECIAL = {'"', '\\', '/', '\b', '\t', '\n', '\f', '\r', 0, 1, 0x1f, 0x7f, 'é', 'ß', '€', '中',
            '\uffff', '\ud83d', '\ude00', '\u2028'};

    @Test
    void shouldWriteWhatJacksonWritesForRandomResponsesOfEveryKind() {
        Random random = new Random(20261207);
        for (int i = 0; i < 3000; i++) {
            List<Result> results = new ArrayList<>();
            int count = random.nextInt(5);
            for (int r = 0; r < count; r++) {
                results.add(result(random));
            }
            String baton = random.nextInt(3) == 0 ? null : text(random);
            byte[] jackson = ResponseWriter.pipeline(baton, results);

            byte[] ours = HranaJsonWriter.pipeline(baton, results, random.nextInt(3) == 0 ? 0 : jackson.length).getBytes();

            assertThat(new String(ours, StandardCharsets.UTF_8)).as("response %d", i).isEqualTo(new String(jackson, StandardCharsets.UTF_8));
            assertThat(ours).as("response %d", i).isEqualTo(jackson);
        }
    }

    @Test
    void shouldWriteAStringLongerThanOnePieceOfEscapes() {
        String text = "\u0001\"é中\ud83d\ude00".repeat(3000);
        List<Result> results = List.of(new Result("execute", new Executed(new StmtResult(List.of(new Column(text, null)),
                List.<Object[]>of(new Object[] {text, new byte[100_000]}), 0, null)), null));

        assertThat(HranaJsonWriter.pipeline(null, results, 10).getBytes()).isEqualTo(ResponseWriter.pipeline(null, results));
    }

    @Test
    void shouldWriteWhatJacksonWritesForRandomWebSocketMessagesOfEveryKind() {
        Random random = new Random(20261208);
        for (int i = 0; i < 3000; i++) {
            ServerMsg message = serverMessage(random);

            String ours = HranaJsonWriter.socketMessage(message);

            assertThat(ours).as("message %d", i).isEqualTo(new String(jackson(message), StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldSendAWebSocketClientEveryCharacterOfAStringIncludingLoneSurrogateHalves() throws Exception {
        String text = "a\ud83d\ude00b\ud83dc\ude00é中\u0000";
        ServerMsg message = new ResponseError(7, text, null);

        JsonNode read = new ObjectMapper().readTree(HranaJsonWriter.socketMessage(message));

        assertThat(read.at("/error/message").textValue()).isEqualTo(text);
    }

    private static ServerMsg serverMessage(Random random) {
        int requestId = random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(100);
        return switch (random.nextInt(6)) {
            case 0 -> new HelloOk();
            case 1 -> new HelloError(text(random), random.nextBoolean() ? null : text(random));
            case 2 -> new ResponseError(requestId, text(random), random.nextBoolean() ? null : text(random));
            case 3 -> new ResponseOk(requestId, text(random), null, cursorPage(random));
            default -> new ResponseOk(requestId, text(random), random.nextInt(8) == 0 ? null : response(random), null);
        };
    }

    private static CursorPage cursorPage(Random random) {
        List<CursorEntry> entries = new ArrayList<>();
        for (int e = random.nextInt(6); e > 0; e--) {
            entries.add(switch (random.nextInt(5)) {
                case 0 -> new StepBegin(random.nextInt(10), columns(random));
                case 1 -> new StepEnd(random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(100),
                        random.nextBoolean() ? null : random.nextLong());
                case 2 -> new StepError(random.nextInt(10), error(random));
                case 3 -> new BatchError(error(random));
                default -> new RowEntry(stmtResultRow(random));
            });
        }
        return new CursorPage(entries, random.nextBoolean());
    }

    /** A WebSocket message through Jackson's UTF-8 generator and the field writers the HTTP cursor encoder shares. */
    private static byte[] jackson(ServerMsg message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = ResponseWriter.JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (message instanceof HelloOk) {
                g.writeStringField("type", "hello_ok");
            } else if (message instanceof HelloError e) {
                g.writeStringField("type", "hello_error");
                g.writeFieldName("error");
                ResponseWriter.error(g, e.message(), e.code());
            } else if (message instanceof ResponseError e) {
                g.writeStringField("type", "response_error");
                g.writeNumberField("request_id", e.requestId());
                g.writeFieldName("error");
                ResponseWriter.error(g, e.message(), e.code());
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
                    ResponseWriter.responseFields(g, ok.response());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void entry(JsonGenerator g, CursorEntry entry) throws IOException {
        g.writeStartObject();
        if (entry instanceof StepBegin b) {
            g.writeStringField("type", "step_begin");
            g.writeNumberField("step", b.step());
            ResponseWriter.columns(g, b.columns());
        } else if (entry instanceof RowEntry r) {
            g.writeStringField("type", "row");
            g.writeArrayFieldStart("row");
            for (Object v : r.values()) {
                ValueCodec.encode(g, v);
            }
            g.writeEndArray();
        } else if (entry instanceof StepEnd e) {
            g.writeStringField("type", "step_end");
            g.writeNumberField("affected_row_count", e.affectedRowCount());
            ResponseWriter.lastInsertRowid(g, e.lastInsertRowid());
        } else if (entry instanceof StepError e) {
            g.writeStringField("type", "step_error");
            g.writeNumberField("step", e.step());
            g.writeFieldName("error");
            ResponseWriter.error(g, e.error());
        } else if (entry instanceof BatchError e) {
            g.writeStringField("type", "error");
            g.writeFieldName("error");
            ResponseWriter.error(g, e.error());
        }
        g.writeEndObject();
    }

    private static Result result(Random random) {
        String type = random.nextBoolean() ? "execute" : text(random);
        return random.nextInt(7) == 0 ? new Result(type, null, error(random)) : new Result(type, response(random), null);
    }

    private static Response response(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> new Empty();
            case 1 -> new Autocommit(random.nextBoolean());
            case 2 -> new Described(new DescribeResult(strings(random), columns(random), random.nextBoolean(), random.nextBoolean()));
            case 3 -> batched(random);
            default -> new Executed(stmtResult(random));
        };
    }

    private static Response batched(Random random) {
        int steps = random.nextInt(4);
        StmtResult[] results = new StmtResult[steps];
        StatementException[] errors = new StatementException[steps];
        for (int i = 0; i < steps; i++) {
            if (random.nextBoolean()) {
                results[i] = stmtResult(random);
            } else if (random.nextBoolean()) {
                errors[i] = error(random);
            }
        }
        return new Batched(results, errors);
    }

    private static StatementException error(Random random) {
        return new StatementException(random.nextInt(3) == 0 ? null : text(random), text(random));
    }

    private static StmtResult stmtResult(Random random) {
        List<Column> columns = columns(random);
        List<Object[]> rows = new ArrayList<>();
        for (int r = random.nextInt(4); r > 0; r--) {
            rows.add(stmtResultRow(random));
        }
        return new StmtResult(columns, rows, random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(100),
                random.nextBoolean() ? null : random.nextLong());
    }

    private static Object[] stmtResultRow(Random random) {
        Object[] row = new Object[random.nextInt(5)];
        for (int c = 0; c < row.length; c++) {
            row[c] = value(random);
        }
        return row;
    }

    private static Object value(Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> random.nextLong();
            case 2 -> List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L).get(random.nextInt(4));
            case 3 -> Double.longBitsToDouble(random.nextLong()); // NaN and infinities among them, rarely
            case 4 -> List.of(0.0, -0.0, 1.5, 1e21, 1e-7, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY, 100.0, 0.1).get(random.nextInt(12));
            case 5, 6 -> text(random);
            default -> {
                byte[] blob = new byte[random.nextInt(10)];
                random.nextBytes(blob);
                yield blob;
            }
        };
    }

    private static List<Column> columns(Random random) {
        List<Column> columns = new ArrayList<>();
        for (int c = random.nextInt(4); c > 0; c--) {
            columns.add(new Column(text(random), random.nextBoolean() ? null : text(random)));
        }
        return columns;
    }

    private static List<String> strings(Random random) {
        List<String> strings = new ArrayList<>();
        for (int c = random.nextInt(4); c > 0; c--) {
            strings.add(random.nextInt(4) == 0 ? null : text(random));
        }
        return strings;
    }

    private static String text(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            int kind = random.nextInt(4);
            s.append(kind == 0 ? SPECIAL[random.nextInt(SPECIAL.length)]
                    : kind == 1 ? (char) random.nextInt(0x10000) : (char) (' ' + random.nextInt(95)));
        }
        return s.toString();
    }
}
