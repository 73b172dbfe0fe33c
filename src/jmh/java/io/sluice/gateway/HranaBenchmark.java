package io.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.Hrana.Version;
import io.sluice.gateway.RequestRunner.Empty;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.RequestRunner.Result;
import io.sluice.sql.Column;
import io.sluice.sql.StmtResult;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The gateway's JSON work for one Hrana pipeline request, without HTTP or a database: parsing the body of
 * {@code execute SELECT 1} + {@code close} ({@link RequestParser}, as the handler does it: tree, baton,
 * requests), and encoding the pipeline response for that request and for a ten-row, five-column result, by
 * the server's writer ({@link HranaJsonWriter}) and by Jackson's generator ({@link JacksonHranaWriter}, the
 * reference the writer is tested against).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HranaBenchmark {
    private static final byte[] EXECUTE_CLOSE = ("{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},"
            + "{\"type\":\"close\"}]}").getBytes(StandardCharsets.UTF_8);

    /** {@code bench/select1.lua}'s body. */
    private static final byte[] CLIENT_EXECUTE_CLOSE = ("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\",\"args\":[],"
            + "\"named_args\":[],\"want_rows\":true}},{\"type\":\"close\"}]}").getBytes(StandardCharsets.UTF_8);

    private static final List<Result> SELECT1_RESULTS = List.of(
            new Result("execute", new Executed(new StmtResult(List.of(new Column("1", null)),
                    List.<Object[]>of(new Object[] {1L}), 0, null)), null),
            new Result("close", new Empty(), null));

    private static final List<Result> TEN_ROWS_RESULTS = List.of(
            new Result("execute", new Executed(tenRows()), null),
            new Result("close", new Empty(), null));

    private final RequestParser parser = new RequestParser(Version.V2);

    private static StmtResult tenRows() {
        List<Column> columns = List.of(new Column("id", "INTEGER"), new Column("email", "TEXT"),
                new Column("balance", "REAL"), new Column("note", "TEXT"), new Column("avatar", "BLOB"));
        List<Object[]> rows = new ArrayList<>();
        for (long i = 1; i <= 10; i++) {
            rows.add(new Object[] {i, "user" + i + "@example.com", i * 10.25, null, new byte[16]});
        }
        return new StmtResult(columns, rows, 0, null);
    }

    /** Parses the {@code execute SELECT 1} + {@code close} body into typed requests. */
    @Benchmark
    public List<StreamRequest> parseExecuteClose() {
        JsonNode root = RequestParser.readTree(EXECUTE_CLOSE);
        if (RequestParser.baton(root) != null) {
            throw new AssertionError("a fresh stream has no baton");
        }
        return parser.requests(root);
    }

    /** The same body as {@code @libsql/client} sends it, read in one streaming pass as the server does first. */
    @Benchmark
    public RequestParser.SimplePipeline parseExecuteCloseStreaming() {
        return RequestParser.simplePipeline(CLIENT_EXECUTE_CLOSE);
    }

    /** The same response as {@link #writeSelect1Response} (Jackson's generator), by the writer the HTTP pipeline uses. */
    @Benchmark
    public Buffer writeSelect1ResponseBuffer() {
        return HranaJsonWriter.pipeline(null, SELECT1_RESULTS, 64);
    }

    /** Encodes the response to {@code execute SELECT 1} + {@code close} through Jackson's generator. */
    @Benchmark
    public byte[] writeSelect1Response() {
        return JacksonHranaWriter.pipeline(null, SELECT1_RESULTS);
    }

    /** The same response as {@link #writeTenRowResponse}, by the writer the HTTP pipeline uses. */
    @Benchmark
    public Buffer writeTenRowResponseBuffer() {
        return HranaJsonWriter.pipeline(null, TEN_ROWS_RESULTS, 64);
    }

    /** Encodes the response to an {@code execute} returning ten rows of five columns, + {@code close}, through Jackson's generator. */
    @Benchmark
    public byte[] writeTenRowResponse() {
        return JacksonHranaWriter.pipeline(null, TEN_ROWS_RESULTS);
    }
}
