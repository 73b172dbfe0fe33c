package io.sluice.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Hrana value decoding ({@link ValueCodec}) for one typical row of five columns: an integer id, a text e-mail,
 * a float balance, a null and a 16-byte blob (encoding: {@code HranaBenchmark}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] ROW_JSON = ("[{\"type\":\"integer\",\"value\":\"42\"},"
            + "{\"type\":\"text\",\"value\":\"alice@example.com\"},{\"type\":\"float\",\"value\":1234.5},"
            + "{\"type\":\"null\"},{\"type\":\"blob\",\"base64\":\"AQIDBAUGBwgJCgsMDQ4PEA\"}]").getBytes(StandardCharsets.UTF_8);

    private JsonNode parsedRow;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        parsedRow = MAPPER.readTree(ROW_JSON);
    }

    /** Decodes the row's five value objects from an already-parsed JSON tree. */
    @Benchmark
    public void decodeRow(Blackhole bh) {
        for (JsonNode n : parsedRow) {
            bh.consume(ValueCodec.decode(n));
        }
    }

    /** Parses the row's JSON bytes with Jackson and decodes the values: what a request's arguments cost. */
    @Benchmark
    public void parseAndDecodeRow(Blackhole bh) throws IOException {
        for (JsonNode n : MAPPER.readTree(ROW_JSON)) {
            bh.consume(ValueCodec.decode(n));
        }
    }
}
