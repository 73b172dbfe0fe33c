package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.gateway.RequestRunner.Autocommit;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Described;
import io.sluice.gateway.RequestRunner.Empty;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.gateway.ResponseWriter.Result;
import io.sluice.sql.Column;
import io.sluice.sql.DescribeResult;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The HTTP pipeline's own JSON writer against Jackson's generator (which the WebSocket and cursor encoders use):
 * byte for byte the same on random responses of every kind, with strings of every class of character (quotes,
 * backslashes, control characters, two- and three-byte characters, surrogate pairs and lone halves), numbers at
 * their edges and blobs of every length modulo three.
 */
class PipelineJsonWriterTest {
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

            byte[] ours = PipelineJsonWriter.pipeline(baton, results, random.nextInt(3) == 0 ? 0 : jackson.length).getBytes();

            assertThat(new String(ours, StandardCharsets.UTF_8)).as("response %d", i).isEqualTo(new String(jackson, StandardCharsets.UTF_8));
            assertThat(ours).as("response %d", i).isEqualTo(jackson);
        }
    }

    @Test
    void shouldWriteAStringLongerThanOnePieceOfEscapes() {
        String text = "\u0001\"é中\ud83d\ude00".repeat(3000);
        List<Result> results = List.of(new Result("execute", new Executed(new StmtResult(List.of(new Column(text, null)),
                List.<Object[]>of(new Object[] {text, new byte[100_000]}), 0, null)), null));

        assertThat(PipelineJsonWriter.pipeline(null, results, 10).getBytes()).isEqualTo(ResponseWriter.pipeline(null, results));
    }

    private static Result result(Random random) {
        String type = random.nextBoolean() ? "execute" : text(random);
        return switch (random.nextInt(7)) {
            case 0 -> new Result(type, null, error(random));
            case 1 -> new Result(type, new Empty(), null);
            case 2 -> new Result(type, new Autocommit(random.nextBoolean()), null);
            case 3 -> new Result(type, new Described(new DescribeResult(strings(random), columns(random), random.nextBoolean(),
                    random.nextBoolean())), null);
            case 4 -> new Result(type, batched(random), null);
            default -> new Result(type, new Executed(stmtResult(random)), null);
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
            Object[] row = new Object[random.nextInt(5)];
            for (int c = 0; c < row.length; c++) {
                row[c] = value(random);
            }
            rows.add(row);
        }
        return new StmtResult(columns, rows, random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(100),
                random.nextBoolean() ? null : random.nextLong());
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
