package io.sluice.bench;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.cli.SluiceCommand;
import io.sluice.gateway.StreamManager;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code sluice bench} against the test server (embedded SQLite; {@link BenchCommandPostgresTest} repeats it
 * on PostgreSQL), each workload briefly.
 */
@QuarkusTest
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL server;

    @Inject
    StreamManager streams;

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    static Run sluice(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SluiceCommand.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    private Run bench(String workload, String... more) {
        String[] args = new String[more.length + 8];
        args[0] = "bench";
        args[1] = workload;
        args[2] = "--url=" + server;
        args[3] = "--requests=200";
        args[4] = "--warmup=0";
        args[5] = "--concurrency=4";
        args[6] = "--rows=1000";
        args[7] = "--json";
        System.arraycopy(more, 0, args, 8, more.length);
        return sluice(args);
    }

    /** Counts rows on the server through the data API, as a client would see them. */
    private static long rowsOfRun(long runId) throws IOException {
        String body = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT count(*) FROM " + Schema.WRITE_TABLE
                + " WHERE run = " + runId + "\"}},{\"type\":\"close\"}]}";
        byte[] answer = given().contentType("application/json").body(body).post("/v2/pipeline").then().statusCode(200).extract().asByteArray();
        return JSON.readTree(answer).at("/results/0/response/result/rows/0/0/value").asLong();
    }

    @ParameterizedTest
    @CsvSource({"select1, 1, 0", "point-read, 1, 0", "insert, 1, 1", "batch, 1, 10", "transaction, 4, 2"})
    void shouldRunEachWorkloadForTheGivenNumberOfOperationsWithoutErrors(String workload, int requestsPerOp, int rowsPerOp) throws Exception {
        Run r = bench(workload);

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode result = r.json();
        assertThat(result.get("workload").asText()).isEqualTo(workload);
        assertThat(result.get("target").asText()).isEqualTo("sluice");
        assertThat(result.get("concurrency").asInt()).isEqualTo(4);
        assertThat(result.get("operations").asLong()).isEqualTo(200);
        assertThat(result.get("httpRequestsPerOperation").asInt()).isEqualTo(requestsPerOp);
        assertThat(result.at("/errors/total").asLong()).as(result.toString()).isZero();
        assertThat(result.get("operationsPerSecond").asDouble()).isPositive();
        JsonNode latency = result.get("latencyMs");
        assertThat(latency.get("p50").asDouble()).isPositive();
        assertThat(latency.get("p90").asDouble()).isGreaterThanOrEqualTo(latency.get("p50").asDouble());
        assertThat(latency.get("p99").asDouble()).isGreaterThanOrEqualTo(latency.get("p90").asDouble());
        assertThat(latency.get("max").asDouble()).isGreaterThanOrEqualTo(latency.get("p99").asDouble());
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(200L * rowsPerOp);
        if (rowsPerOp > 0) {
            assertThat(rowsOfRun(result.get("runId").asLong())).as("rows the run wrote, read back").isEqualTo(200L * rowsPerOp);
        }
    }

    @ParameterizedTest
    @CsvSource({"select1, 0", "point-read, 0", "insert, 1", "batch, 10", "transaction, 2"})
    void shouldRunEachWorkloadOverWebSocketForTheGivenNumberOfOperationsWithoutErrors(String workload, int rowsPerOp) throws Exception {
        Run r = bench(workload, "--transport=websocket");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode result = r.json();
        assertThat(result.get("engine").asText()).endsWith(", WebSocket");
        assertThat(result.get("operations").asLong()).isEqualTo(200);
        assertThat(result.at("/errors/total").asLong()).as(result.toString()).isZero();
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(200L * rowsPerOp);
        if (rowsPerOp > 0) {
            assertThat(rowsOfRun(result.get("runId").asLong())).as("rows the run wrote, read back").isEqualTo(200L * rowsPerOp);
        }
        // every operation's stream was closed, the transactions' included
        assertThat(streams.openStreamCount()).isZero();
    }

    @Test
    void shouldRunAtAConstantRateForADurationAndReportCorrectedLatenciesAsOneJsonDocument() throws Exception {
        Run r = sluice("bench", "select1", "--url=" + server, "--duration=2s", "--warmup=500ms", "-c", "4", "--threads=2", "--rate=200", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode result = r.json();
        assertThat(result.get("mode").asText()).isEqualTo("constant-rate");
        assertThat(result.get("latencyFrom").asText()).isEqualTo("due");
        assertThat(result.get("targetOperationsPerSecond").asDouble()).isEqualTo(200);
        assertThat(result.get("engine").asText()).isEqualTo("2 event loops");
        assertThat(result.get("elapsedSeconds").asDouble()).isEqualTo(2.0);
        assertThat(result.at("/errors/total").asLong()).as(result.toString()).isZero();
        // the schedule never runs early: at most 200/s x 2 s fall due in the window
        assertThat(result.get("operations").asLong()).isBetween(1L, 400L);
        assertThat(result.get("operationsPerSecond").asDouble()).isPositive().isLessThanOrEqualTo(200);
        JsonNode latency = result.get("latencyMs");
        assertThat(latency.get("p50").asDouble()).isPositive();
        assertThat(latency.get("p999").asDouble()).isGreaterThanOrEqualTo(latency.get("p99").asDouble());
        assertThat(latency.get("max").asDouble()).isGreaterThanOrEqualTo(latency.get("p999").asDouble());
        // not a terminal: stdout is the JSON document alone; the progress (a start line) went to stderr
        assertThat(r.out().strip()).startsWith("{").endsWith("}");
        assertThat(r.err()).contains("sluice: select1, 4 connections (2 event loops), 2.0 s at 200 operations/s after 0.5 s warm-up");
    }

    @Test
    void shouldWriteEachRunsOwnRowsWhenRunsStartAtTheSameMoment() throws Exception {
        int runs = 4;
        // the table exists first: PostgreSQL refuses concurrent CREATE TABLE IF NOT EXISTS of one new table
        sql(Schema.CREATE_WRITE);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(runs);
        List<CompletableFuture<Run>> started = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            started.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return sluice("bench", "insert", "--url=" + server, "-n", "50", "--warmup=0", "-c", "2", "--json");
            }, threads));
        }
        go.countDown();

        Set<Long> runIds = new HashSet<>();
        try {
            for (CompletableFuture<Run> f : started) {
                Run r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.exit()).as(r.err()).isZero();
                JsonNode result = r.json();
                assertThat(result.at("/errors/total").asLong()).as(result.toString()).isZero();
                long runId = result.get("runId").asLong();
                runIds.add(runId);
                assertThat(rowsOfRun(runId)).as("rows of run %d", runId).isEqualTo(50);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(runIds).hasSize(runs);
    }

    @ParameterizedTest
    @CsvSource({"http", "websocket"})
    void shouldCloseTheStreamOfATransactionThatFailedHalfWay(String transport) throws Exception {
        // every fourth insert breaks a CHECK: sometimes the first request of a transaction (BEGIN + INSERT),
        // sometimes its second; either way the failed transaction's stream must not stay open (holding the
        // write lock) until the idle timeout
        sql("DROP TABLE IF EXISTS " + Schema.WRITE_TABLE);
        sql(Schema.CREATE_WRITE.replace("PRIMARY KEY (run, worker, seq)", "PRIMARY KEY (run, worker, seq), CHECK (seq % 4 <> 0)"));
        try {
            Run r = sluice("bench", "transaction", "--url=" + server, "-n", "40", "--warmup=0", "-c", "2", "--transport=" + transport, "--json");

            JsonNode result = r.json();
            assertThat(result.at("/errors/total").asLong()).as(result.toString()).isPositive();
            assertThat(result.get("operations").asLong()).as(result.toString()).isPositive();
            assertThat(streams.openStreamCount()).as("streams left open").isZero();
        } finally {
            sql("DROP TABLE " + Schema.WRITE_TABLE);
        }
    }

    private static void sql(String statement) throws IOException {
        String body = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":" + JSON.writeValueAsString(statement)
                + "}},{\"type\":\"close\"}]}";
        byte[] answer = given().contentType("application/json").body(body).post("/v2/pipeline").then().statusCode(200).extract().asByteArray();
        assertThat(JSON.readTree(answer).at("/results/0/type").asText()).as(new String(answer, StandardCharsets.UTF_8)).isEqualTo("ok");
    }

    @Test
    void shouldPrintAReadableSummaryWithoutJson() {
        Run r = sluice("bench", "select1", "--url=" + server, "-n", "50", "--warmup=0", "-c", "2");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("sluice, select1: 2 connections").contains("closed loop").contains("operations   50")
                .contains("operations/s").contains("p50").contains("p99.9").contains("max").contains("errors       0");
        assertThat(r.out()).as("progress is not part of the result").doesNotContain("...");
    }

    @Test
    void shouldRunTheSameWorkloadOverDirectJdbcAndGiveTheRatio() throws Exception {
        Path db = Files.createTempFile("sluice-bench-direct", ".db");
        try {
            Run r = bench("batch", "--direct-jdbc=jdbc:sqlite:" + db);

            assertThat(r.exit()).as(r.err() + r.out()).isZero();
            JsonNode result = r.json();
            JsonNode direct = result.get("directJdbc");
            assertThat(direct.get("target").asText()).isEqualTo("direct-jdbc");
            assertThat(direct.get("operations").asLong()).isEqualTo(200);
            assertThat(direct.at("/errors/total").asLong()).as(direct.toString()).isZero();
            assertThat(result.get("ratioToDirectJdbc").asDouble()).isPositive();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Schema.WRITE_TABLE + " WHERE run = " + direct.get("runId").asLong())) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2_000);
            }
        } finally {
            Files.deleteIfExists(db);
        }
    }

    @Test
    void shouldExitTwoWithAClearMessageWhenTheServerIsUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = sluice("bench", "select1", "--url=http://127.0.0.1:" + port, "-n", "10");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot reach Sluice at http://127.0.0.1:" + port).contains("Connection refused");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "nosuch                              | unknown workload 'nosuch'; expected one of select1, point-read, insert, batch, transaction",
            "select1 --concurrency=0             | --concurrency must be between 1 and 10000, was 0",
            "select1 --duration=5s --requests=10 | --duration and --requests exclude each other",
            "select1 --requests=0                | --requests must be at least 1, was 0",
            "select1 --duration=soon             | Invalid value for option '--duration': 'soon' is not a duration like 500ms, 5s, 2m, 1h or PT5S",
            "select1 --warmup=-PT1S              | Invalid value for option '--warmup': '-PT1S' is negative",
            "point-read --rows=0                 | --rows must be at least 1, was 0",
            "select1 --url=ftp://x               | --url must be an http:// or https:// URL with a host, was 'ftp://x'",
            "select1 --direct-jdbc=postgres://x  | --direct-jdbc must be a JDBC URL starting with jdbc:",
            "select1 --concurrency=many          | Invalid value for option '--concurrency': 'many' is not an int",
            "select1 --rate=0                    | --rate must be more than 0 and at most 10000000 operations/s, was 0.0",
            "select1 --threads=0                 | --threads must be between 1 and 256, was 0",
            "select1 --transport=grpc            | --transport must be http or websocket, was 'grpc'"})
    void shouldRefuseBadOptionsNamingTheOption(String args, String message) {
        String[] words = ("bench " + args).split(" ");

        Run r = sluice(words);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }
}
