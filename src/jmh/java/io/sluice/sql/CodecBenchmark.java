package io.sluice.sql;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
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
 * Hrana value encoding and decoding ({@link ValueCodec}) for one typical row of five columns: an integer
 * id, a text e-mail, a float balance, a null and a 16-byte blob.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Object[] ROW = {42L, "alice@example.com", 1234.5, null,
            new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
    private static final byte[] ROW_JSON = ("[{\"type\":\"integer\",\"value\":\"42\"},"
            + "{\"type\":\"text\",\"value\":\"alice@example.com\"},{\"type\":\"float\",\"value\":1234.5},"
            + "{\"type\":\"null\"},{\"type\":\"blob\",\"base64\":\"AQIDBAUGBwgJCgsMDQ4PEA\"}]").getBytes(StandardCharsets.UTF_8);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private JsonNode parsedRow;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        parsedRow = MAPPER.readTree(ROW_JSON);
    }

    /** Encodes the row as Hrana value objects into UTF-8 JSON (the generator is created per row). */
    @Benchmark
    public int encodeRow() throws IOException {
        out.reset();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (Object v : ROW) {
                ValueCodec.encode(g, v);
            }
            g.writeEndArray();
        }
        return out.size();
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
