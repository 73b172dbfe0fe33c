package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Empty;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.gateway.RequestRunner.Result;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hrana's own JSON writer: the exact shapes the official clients read, and byte for byte what Jackson's UTF-8
 * generator writes ({@link JacksonHranaWriter}) on random pipeline responses, WebSocket messages and HTTP cursor
 * lines of every kind, with strings of every class of
 * character (quotes, backslashes, control characters, two- and three-byte characters, surrogate pairs and lone
 * halves), numbers at their edges and blobs of every length modulo three.
 */
class HranaJsonWriterTest {
    private static final char[] SPECIAL = {'"', '\\', '/', '\b', '\t', '\n', '\f', '\r', 0, 1, 0x1f, 0x7f, 'é', 'ß', '€', '中',
            '\uffff', '\ud83d', '\ude00', '\u2028'};
    private static final ObjectMapper JSON = new ObjectMapper();

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
            byte[] jackson = JacksonHranaWriter.pipeline(baton, results);

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

        assertThat(HranaJsonWriter.pipeline(null, results, 10).getBytes()).isEqualTo(JacksonHranaWriter.pipeline(null, results));
    }

    @Test
    void shouldWriteWhatJacksonWritesForRandomWebSocketMessagesOfEveryKind() {
        Random random = new Random(20261208);
        for (int i = 0; i < 3000; i++) {
            ServerMsg message = serverMessage(random);

            String ours = HranaJsonWriter.socketMessage(message);

            assertThat(ours).as("message %d", i).isEqualTo(new String(JacksonHranaWriter.socketMessage(message), StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldWriteWhatJacksonWritesForRandomCursorLinesOfEveryKind() {
        Random random = new Random(20261209);
        for (int i = 0; i < 300; i++) {
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            HranaJsonWriter lines = HranaJsonWriter.cursorLines(ours);
            ByteArrayOutputStream jackson = new ByteArrayOutputStream();
            String baton = random.nextInt(3) == 0 ? null : text(random);
            lines.headLine(baton);
            jackson.writeBytes(JacksonHranaWriter.cursorHead(baton));
            for (int e = random.nextInt(12); e > 0; e--) {
                // now and then a row far larger than the writer's array, which it writes out as it goes
                CursorEntry entry =
                        random.nextInt(30) == 0 ? new RowEntry(new Object[] {"\u0001é".repeat(50_000), new byte[100_000 + random.nextInt(3)]})
                                : cursorEntry(random);
                lines.line(entry);
                jackson.writeBytes(JacksonHranaWriter.cursorLine(entry));
            }

            assertThat(ours.toString(StandardCharsets.UTF_8)).as("cursor %d", i).isEqualTo(jackson.toString(StandardCharsets.UTF_8));
            assertThat(ours.toByteArray()).as("cursor %d", i).isEqualTo(jackson.toByteArray());
        }
    }

    @Test
    void shouldWriteAnExecuteResultWithIntegersAndRowidsAsStrings() throws Exception {
        StmtResult oneRow = new StmtResult(List.of(new Column("id", "INTEGER"), new Column("body", null)),
                List.<Object[]>of(new Object[] {Long.MAX_VALUE, "hello"}), 1, 42L);

        JsonNode root = parse(HranaJsonWriter.pipeline("baton-1", List.of(new Result("execute", new Executed(oneRow), null)), 0).getBytes());

        assertThat(root.get("baton").asText()).isEqualTo("baton-1");
        assertThat(root.get("base_url").isNull()).isTrue();
        JsonNode result = root.get("results").get(0);
        assertThat(result.get("type").asText()).isEqualTo("ok");
        assertThat(result.get("response").get("type").asText()).isEqualTo("execute");
        JsonNode stmt = result.get("response").get("result");
        assertThat(stmt.get("cols").get(0).get("name").asText()).isEqualTo("id");
        assertThat(stmt.get("cols").get(1).get("decltype").isNull()).isTrue();
        // 64-bit integers travel as strings so JavaScript clients do not round them
        assertThat(stmt.get("rows").get(0).get(0).get("type").asText()).isEqualTo("integer");
        assertThat(stmt.get("rows").get(0).get(0).get("value").asText()).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(stmt.get("rows").get(0).get(1).get("value").asText()).isEqualTo("hello");
        assertThat(stmt.get("affected_row_count").asLong()).isEqualTo(1);
        assertThat(stmt.get("last_insert_rowid").isTextual()).isTrue();
        assertThat(stmt.get("last_insert_rowid").asText()).isEqualTo("42");
    }

    @Test
    void shouldWriteAFailedRequestAsAnErrorResultAndANullBatonWhenTheStreamClosed() throws Exception {
        StatementException failure = new StatementException("SQLITE_CONSTRAINT", "UNIQUE constraint failed: t.id");

        JsonNode root = parse(HranaJsonWriter.pipeline(null, List.of(new Result("execute", null, failure),
                new Result("close", new Empty(), null)), 0).getBytes());

        assertThat(root.get("baton").isNull()).isTrue();
        JsonNode error = root.get("results").get(0);
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(error.get("error").get("message").asText()).isEqualTo("UNIQUE constraint failed: t.id");
        assertThat(root.get("results").get(1).get("response").get("type").asText()).isEqualTo("close");
    }

    @Test
    void shouldWriteABatchWithNullsForSkippedAndFailedSteps() throws Exception {
        StmtResult oneRow = new StmtResult(List.of(new Column("id", "INTEGER")), List.<Object[]>of(new Object[] {1L}), 0, null);
        Batched batched = new Batched(new StmtResult[] {oneRow, null, null},
                new StatementException[] {null, new StatementException("SQL_PARSE_ERROR", "near \"SELEC\": syntax error"), null});

        JsonNode result = parse(HranaJsonWriter.pipeline("b", List.of(new Result("batch", batched, null)), 0).getBytes())
                .get("results").get(0).get("response").get("result");

        assertThat(result.get("step_results")).hasSize(3);
        assertThat(result.get("step_results").get(0).get("rows")).hasSize(1);
        assertThat(result.get("step_results").get(1).isNull()).isTrue();
        assertThat(result.get("step_results").get(2).isNull()).isTrue();
        assertThat(result.get("step_errors").get(0).isNull()).isTrue();
        assertThat(result.get("step_errors").get(1).get("code").asText()).isEqualTo("SQL_PARSE_ERROR");
        assertThat(result.get("step_errors").get(2).isNull()).isTrue();
    }

    @Test
    void shouldWriteAnErrorBodyWithoutACodeWhenThereIsNone() throws Exception {
        assertThat(new String(HranaJsonWriter.errorBody("no", null), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"no\"}");
        assertThat(HranaJsonWriter.errorBody("Stream expired", "STREAM_EXPIRED"))
                .isEqualTo(JacksonHranaWriter.errorBody("Stream expired", "STREAM_EXPIRED"));
    }

    @Test
    void shouldWriteEveryValueTypeExactly() {
        assertThat(written(null)).isEqualTo("{\"type\":\"null\"}");
        assertThat(written(Long.MIN_VALUE)).isEqualTo("{\"type\":\"integer\",\"value\":\"-9223372036854775808\"}");
        assertThat(written(42L)).isEqualTo("{\"type\":\"integer\",\"value\":\"42\"}");
        assertThat(written(0.5)).isEqualTo("{\"type\":\"float\",\"value\":0.5}");
        assertThat(written(1.0)).isEqualTo("{\"type\":\"float\",\"value\":1.0}");
        assertThat(written("a\"b")).isEqualTo("{\"type\":\"text\",\"value\":\"a\\\"b\"}");
        assertThat(written(new byte[] {1, 2, (byte) 255})).isEqualTo("{\"type\":\"blob\",\"base64\":\"AQL/\"}");
        assertThat(written(new byte[] {1})).isEqualTo("{\"type\":\"blob\",\"base64\":\"AQ==\"}");
        assertThat(written(new byte[0])).isEqualTo("{\"type\":\"blob\",\"base64\":\"\"}");
    }

    @Test
    void shouldWriteANonFiniteFloatAsNullBecauseJsonCannotCarryIt() {
        assertThat(written(Double.NaN)).isEqualTo("{\"type\":\"null\"}");
        assertThat(written(Double.POSITIVE_INFINITY)).isEqualTo("{\"type\":\"null\"}");
    }

    @Test
    void shouldReadBackEveryValueItWrites() throws Exception {
        for (Object v : new Object[] {null, 0L, -1L, Long.MAX_VALUE, 3.25, -0.0, 1e-300, "", "héllo ✓ \ud83d\ude00", new byte[0],
                new byte[] {0, -1, 7}}) {
            Object back = ValueCodec.decode(JSON.readTree(written(v)));

            if (v instanceof byte[] b) {
                assertThat((byte[]) back).containsExactly(b);
            } else {
                assertThat(back).isEqualTo(v);
            }
        }
    }

    @Test
    void shouldRefuseToWriteAValueThatIsNotAHranaType() {
        assertThatThrownBy(() -> written(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSendAWebSocketClientEveryCharacterOfAStringIncludingLoneSurrogateHalves() throws Exception {
        String text = "a\ud83d\ude00b\ud83dc\ude00é中\u0000";
        ServerMsg message = new ResponseError(7, text, null);

        JsonNode read = JSON.readTree(HranaJsonWriter.socketMessage(message));

        assertThat(read.at("/error/message").textValue()).isEqualTo(text);
    }

    private static JsonNode parse(byte[] body) throws Exception {
        return JSON.readTree(body);
    }

    /** One value as the cursor writes it in a row: the text between the row's brackets. */
    private static String written(Object v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HranaJsonWriter.cursorLines(out).line(new RowEntry(new Object[] {v}));
        String line = out.toString(StandardCharsets.UTF_8);
        String prefix = "{\"type\":\"row\",\"row\":[";
        assertThat(line).startsWith(prefix).endsWith("]}\n");
        return line.substring(prefix.length(), line.length() - "]}\n".length());
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
            entries.add(cursorEntry(random));
        }
        return new CursorPage(entries, random.nextBoolean());
    }

    private static CursorEntry cursorEntry(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> new StepBegin(random.nextInt(10), columns(random));
            case 1 -> new StepEnd(random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(100),
                    random.nextBoolean() ? null : random.nextLong());
            case 2 -> new StepError(random.nextInt(10), error(random));
            case 3 -> new BatchError(error(random));
            default -> new RowEntry(stmtResultRow(random));
        };
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
