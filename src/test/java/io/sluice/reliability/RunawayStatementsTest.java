package io.sluice.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.breaker.BreakerState;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.pool.Backend;
import io.sluice.sql.StopReason;
import io.sluice.testing.Cli;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runaway statements over real HTTP on embedded SQLite (a recursive CTE that never ends); the PostgreSQL
 * subclass runs the same with {@code pg_sleep(3600)}. A statement past the timeout answers
 * {@code STATEMENT_TIMEOUT} and its stream goes on; clients that abort free their leases within seconds;
 * a pool saturated by them is shown as saturated, stays ready and never opens the breaker; an operator
 * can list and cancel a statement, audited.
 */
@QuarkusTest
@TestProfile(RunawayStatementsTest.SmallPool.class)
@Timeout(180)
class RunawayStatementsTest {
    static final int POOL = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    /** A small pool that saturates quickly, a short acquire timeout and statement timeout, a quick breaker. */
    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return governance(Map.of());
        }

        static Map<String, String> governance(Map<String, String> more) {
            Map<String, String> m = new java.util.HashMap<>(Map.of("sluice.auth.mode", "none",
                    "sluice.pool.max-connections", Integer.toString(POOL),
                    "sluice.pool.acquire-timeout", "300ms",
                    "sluice.breaker.failure-threshold", "3",
                    "sluice.breaker.recovery-timeout", "20s",
                    "sluice.gateway.statement-timeout", "1500ms"));
            m.putAll(more);
            return m;
        }
    }

    @Inject
    Backend backend;

    @Inject
    CircuitBreaker breaker;

    @Inject
    RuntimeSettingsService settings;

    @TestHTTPResource("/")
    URL data;

    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        backend.stopStatements(Duration.ofSeconds(5));
        settings.update("gateway", "statementTimeout", "1500", "test", "restore");
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.leases().isEmpty());
        breaker.reset();
    }

    /** A read that would run for an hour. */
    String runaway() {
        return "postgresql".equals(backend.backendName()) ? "SELECT pg_sleep(3600), 'secret-literal'"
                : "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r WHERE 'secret-literal' <> ''";
    }

    String createTable(String name) {
        return "CREATE TABLE " + name + " (id " + ("postgresql".equals(backend.backendName()) ? "bigint" : "INTEGER") + " PRIMARY KEY)";
    }

    static String execute(String sql) {
        return "{\"type\":\"execute\",\"stmt\":{\"sql\":" + JSON.valueToTree(sql) + "}}";
    }

    static String pipeline(String baton, String... requests) {
        return "{\"baton\":" + (baton == null ? "null" : "\"" + baton + "\"") + ",\"requests\":[" + String.join(",", requests) + "]}";
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(data.toString()).resolve(path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode pipelineOk(String baton, String... requests) throws Exception {
        HttpResponse<String> r = post("/v3/pipeline", pipeline(baton, requests));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Sends a pipeline on a raw connection and leaves it open, as a client that will go away without reading. */
    Socket sendAndHold(String path, String body) throws IOException {
        Socket s = new Socket(data.getHost(), data.getPort());
        sockets.add(s);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: " + data.getHost() + "\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return s;
    }

    void longTimeout() {
        settings.update("gateway", "statementTimeout", "600000", "test", "runaway statements run until stopped");
    }

    @Test
    void shouldAnswerStatementTimeoutOnEveryPathAndKeepTheStreamUsable() throws Exception {
        String t = "gov_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pipelineOk(null, execute(createTable(t)), "{\"type\":\"close\"}");

        long start = System.nanoTime();
        JsonNode first = pipelineOk(null, execute("BEGIN"), execute("INSERT INTO " + t + " (id) VALUES (1)"), execute(runaway()));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        JsonNode error = first.get("results").get(2).get("error");
        assertThat(error.get("code").asText()).isEqualTo("STATEMENT_TIMEOUT");
        assertThat(error.get("message").asText()).contains("1500 ms");
        assertThat(took).isBetween(Duration.ofMillis(1400), Duration.ofSeconds(15));
        String baton = first.get("baton").asText();
        JsonNode second = pipelineOk(baton, execute("INSERT INTO " + t + " (id) VALUES (2)"), execute("COMMIT"),
                execute("SELECT count(*) FROM " + t), "{\"type\":\"close\"}");
        for (JsonNode r : second.get("results")) {
            assertThat(r.get("type").asText()).as(r.toString()).isEqualTo("ok");
        }
        assertThat(second.get("results").get(2).at("/response/result/rows/0/0/value").asText()).isEqualTo("2");

        // a sequence, a batch step and a cursor step are stopped alike
        JsonNode sequence = pipelineOk(null, "{\"type\":\"sequence\",\"sql\":" + JSON.valueToTree(runaway()) + "}", "{\"type\":\"close\"}");
        assertThat(sequence.at("/results/0/error/code").asText()).isEqualTo("STATEMENT_TIMEOUT");
        JsonNode batch = pipelineOk(null, "{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":" + JSON.valueToTree(runaway())
                + "}},{\"stmt\":{\"sql\":\"SELECT 1\"}}]}}", "{\"type\":\"close\"}");
        assertThat(batch.at("/results/0/response/result/step_errors/0/code").asText()).isEqualTo("STATEMENT_TIMEOUT");
        assertThat(batch.at("/results/0/response/result/step_results/1/rows/0/0/value").asText()).isEqualTo("1");
        HttpResponse<String> cursor = post("/v3/cursor", "{\"baton\":null,\"batch\":{\"steps\":[{\"stmt\":{\"sql\":"
                + JSON.valueToTree(runaway()) + "}}]}}");
        assertThat(cursor.body()).contains("\"step_error\"").contains("STATEMENT_TIMEOUT");
        String cursorBaton = JSON.readTree(cursor.body().lines().findFirst().orElseThrow()).get("baton").asText();
        pipelineOk(cursorBaton, "{\"type\":\"close\"}");

        assertThat(backend.statements().stoppedCount(StopReason.TIMEOUT)).isGreaterThanOrEqualTo(4);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void shouldRefuseAPipelineBehindAPoolOfRunningPipelinesAfterTheAcquireTimeoutAndServeItOnceOneEnds() throws Exception {
        longTimeout();
        String t = tableBehindAPoolOfRunawayPipelines();
        double waitedBefore = acquireWaitSeconds();
        // a write: SQLite's read fast path would answer a read without a pooled connection
        HttpResponse<String> refused = post("/v2/pipeline", pipeline(null, execute("INSERT INTO " + t + " (id) VALUES (1)"), "{\"type\":\"close\"}"));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).contains("BACKEND_UNAVAILABLE").contains("within 300 ms: every connection is busy");
        // refused in the lease queue in front of the pool on PostgreSQL, in the pool on SQLite: its wait counted either way
        assertThat(acquireWaitSeconds() - waitedBefore).as("the acquire-wait histogram's sum grew by the refused wait").isGreaterThanOrEqualTo(0.29);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);

        sockets.get(0).close(); // its client goes away: its statement stops and its connection comes back
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.statements().count() == POOL - 1);
        JsonNode served = pipelineOk(null, execute("INSERT INTO " + t + " (id) VALUES (2)"), "{\"type\":\"close\"}");
        assertThat(served.at("/results/0/type").asText()).isEqualTo("ok");
    }

    /**
     * A fresh table, then every connection (and, on PostgreSQL, every slot of the lease queue) taken by a
     * stream-less pipeline running away; returns the table's name.
     */
    private String tableBehindAPoolOfRunawayPipelines() throws Exception {
        String t = "gov_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pipelineOk(null, execute(createTable(t)), "{\"type\":\"close\"}");
        for (int i = 0; i < POOL; i++) {
            sendAndHold("/v2/pipeline", pipeline(null, execute(runaway()), "{\"type\":\"close\"}"));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.statements().count() == POOL);
        return t;
    }

    /** The acquire-wait histogram's sum of seconds, as scraped. */
    private double acquireWaitSeconds() {
        String prometheus = given().get(metrics.toString()).then().statusCode(200).extract().asString();
        return prometheus.lines().filter(l -> l.startsWith("sluice_pool_acquire_wait_seconds_sum{")).mapToDouble(
                l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void shouldCountTheWholeWaitOfAPipelineQueuedBehindABusyPoolInTheAcquireWaitHistogram() throws Exception {
        longTimeout();
        settings.update("connectionPool", "acquireTimeout", "20000", "test", "a queued pipeline waits for a connection");
        try {
            String t = tableBehindAPoolOfRunawayPipelines();
            double before = acquireWaitSeconds();
            long asked = System.nanoTime();
            // a write: SQLite's read fast path would answer a read without a pooled connection; on PostgreSQL the
            // pipeline waits in the lease queue in front of the pool, on SQLite in the pool
            CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> {
                try {
                    return post("/v2/pipeline", pipeline(null, execute("INSERT INTO " + t + " (id) VALUES (1)"), "{\"type\":\"close\"}"));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // from when it waits (the request may reach the server a while after it was sent on a busy machine)
            await().atMost(Duration.ofSeconds(20)).until(backend::hasWaiters);
            Thread.sleep(1000);
            sockets.get(0).close(); // its client goes away: its statement stops and its connection comes back

            HttpResponse<String> served = queued.get(30, TimeUnit.SECONDS);
            double waited = (System.nanoTime() - asked) / 1e9;
            assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
            assertThat(acquireWaitSeconds() - before)
                    .as("the histogram's sum grew by the pipeline's wait (it was served %.2f s after it was sent)", waited)
                    .isGreaterThanOrEqualTo(0.9).isLessThanOrEqualTo(waited + 0.1);
        } finally {
            settings.update("connectionPool", "acquireTimeout", "300", "test", "restore");
        }
    }

    @Test
    void shouldShowSaturationNeverOpenTheBreakerAndFreeLeasesOfClientsThatAbort() throws Exception {
        longTimeout();
        String t = "gov_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pipelineOk(null, execute(createTable(t)), "{\"type\":\"close\"}");
        // one cursor (the serverless client's path) and pipelines (@libsql/client's)
        sendAndHold("/v3/cursor", "{\"baton\":null,\"batch\":{\"steps\":[{\"stmt\":{\"sql\":" + JSON.valueToTree(runaway()) + "}}]}}");
        for (int i = 1; i < POOL; i++) {
            sendAndHold("/v2/pipeline", pipeline(null, execute(runaway()), "{\"type\":\"close\"}"));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.statements().count() == POOL);

        // saturated: every further request waits out the acquire timeout, which is not the database's fault
        double waitedBefore = acquireWaitSeconds();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> refused = post("/v2/pipeline", pipeline(null, execute("INSERT INTO " + t + " (id) VALUES (" + (100 + i) + ")"),
                    "{\"type\":\"close\"}"));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("BACKEND_UNAVAILABLE").contains("busy");
        }
        // each waited the 300 ms acquire timeout in the pool
        assertThat(acquireWaitSeconds() - waitedBefore).as("the acquire-wait histogram's sum counts the refused waits")
                .isGreaterThanOrEqualTo(6 * 0.29);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        JsonNode ready = JSON.readTree(given().get(health + "/ready").then().statusCode(200).extract().asString());
        JsonNode database = null;
        for (JsonNode check : ready.get("checks")) {
            if ("database".equals(check.get("name").asText())) {
                database = check;
            }
        }
        assertThat(database).isNotNull();
        assertThat(database.at("/data/saturated").asBoolean()).isTrue();
        assertThat(database.at("/data/runningStatements").asInt()).isEqualTo(POOL);
        String prometheus = given().get(metrics.toString()).then().statusCode(200).extract().asString();
        // every series carries the version and track labels
        assertThat(prometheus).containsPattern("(?m)^sluice_pool_saturated\\{[^}]*\\} 1\\.0$").contains("sluice_pool_acquire_wait_seconds_bucket")
                .containsPattern("(?m)^sluice_statements_running\\{[^}]*\\} " + POOL + "\\.0$");
        JsonNode score = JSON.readTree(given().get(data + "admin/v1/health").then().statusCode(200).extract().asString());
        JsonNode pool = null;
        for (JsonNode check : score.at("/report/checks").isMissingNode() ? score.get("checks") : score.at("/report/checks")) {
            if ("pool".equals(check.get("name").asText())) {
                pool = check;
            }
        }
        assertThat(pool).as(score.toString()).isNotNull();
        assertThat(pool.get("detail").asText()).contains("saturated");
        assertThat(pool.get("score").asInt()).isLessThan(10);
        JsonNode status = Cli.run(data, "monitor:connections", "--json").json();
        assertThat(status.get("saturated").asBoolean()).isTrue();
        assertThat(status.get("runningStatements").asInt()).isEqualTo(POOL);

        // the clients go away: their statements stop and their leases come back within seconds
        long aborted = System.nanoTime();
        for (Socket s : sockets) {
            s.close();
        }
        JsonNode write = null;
        while (System.nanoTime() - aborted < TimeUnit.SECONDS.toNanos(5)) {
            HttpResponse<String> r = post("/v2/pipeline", pipeline(null, execute("INSERT INTO " + t + " (id) VALUES (1)"), "{\"type\":\"close\"}"));
            if (r.statusCode() == 200) {
                write = JSON.readTree(r.body());
                break;
            }
        }
        assertThat(write).as("a write within 5 s of the aborts").isNotNull();
        assertThat(write.at("/results/0/type").asText()).as(write.toString()).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.statements().count() == 0 && backend.leases().isEmpty());
        assertThat(backend.statements().stoppedCount(StopReason.CLIENT_GONE)).isGreaterThanOrEqualTo(POOL);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        assertThat(backend.saturated()).isFalse();
    }

    @Test
    void shouldListAndCancelARunningStatementForAnOperatorAndAuditIt() throws Exception {
        longTimeout();
        CompletableFuture<HttpResponse<String>> client = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/v2/pipeline", pipeline(null, execute(runaway()), execute("SELECT 7"), "{\"type\":\"close\"}"));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.statements().count() == 1);

        JsonNode listed = Cli.run(data, "debug:connections", "--json").json();
        JsonNode statement = listed.get("statements").get(0);
        assertThat(statement.get("sql").asText()).doesNotContain("secret-literal");
        assertThat(statement.get("state").asText()).isEqualTo("running");
        long id = statement.get("id").asLong();
        Cli.Run cancel = Cli.run(data, "debug:connections", "--cancel", Long.toString(id), "--reason", "runaway report");
        assertThat(cancel.exit()).as(cancel.err()).isZero();

        HttpResponse<String> answer = client.get(15, TimeUnit.SECONDS);
        JsonNode results = JSON.readTree(answer.body()).get("results");
        assertThat(results.at("/0/error/code").asText()).isEqualTo("STATEMENT_CANCELED");
        assertThat(results.at("/1/response/result/rows/0/0/value").asText()).as("the pipeline goes on").isEqualTo("7");
        String audit = given().get(data + "admin/v1/flags/audit").then().statusCode(200).extract().asString();
        assertThat(audit).contains("statement:" + id).contains("runaway report").doesNotContain("secret-literal");
        assertThat(Cli.run(data, "debug:connections", "--cancel", Long.toString(id)).exit()).as("no longer running").isEqualTo(1);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
    }
}
