package io.sluice.gateway;

import io.sluice.gateway.SocketMessages.ClientMsg;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding the three Hrana WebSocket messages a client sends for one point read ({@code open_stream},
 * {@code execute} of a statement with one integer argument, {@code close_stream}): as the codec decodes them
 * ({@link SocketJsonCodec#decode}, one streaming pass for these) next to the JSON tree every message went
 * through before ({@link SocketJsonCodec#fromTree}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SocketDecodeBenchmark {
    private static final byte[][] POINT_READ = {
            message("{\"type\":\"request\",\"request_id\":41,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}}"),
            message("{\"type\":\"request\",\"request_id\":42,\"request\":{\"type\":\"execute\",\"stream_id\":7,\"stmt\":"
                    + "{\"sql\":\"SELECT id, v FROM sluice_bench WHERE id = ?\",\"args\":[{\"type\":\"integer\",\"value\":\"31337\"}],"
                    + "\"want_rows\":true}}}"),
            message("{\"type\":\"request\",\"request_id\":43,\"request\":{\"type\":\"close_stream\",\"stream_id\":7}}")};

    private final SocketJsonCodec codec = new SocketJsonCodec("hrana3", 3);

    private static byte[] message(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The three messages as the codec decodes them. */
    @Benchmark
    public void decode(Blackhole bh) {
        for (byte[] m : POINT_READ) {
            ClientMsg msg = codec.decode(m);
            bh.consume(msg);
        }
    }

    /** The same three messages through the JSON tree. */
    @Benchmark
    public void fromTree(Blackhole bh) {
        for (byte[] m : POINT_READ) {
            ClientMsg msg = codec.fromTree(m);
            bh.consume(msg);
        }
    }
}
