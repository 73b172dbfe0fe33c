package io.sluice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Postgres;
import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the packaged jar while a runaway statement runs (an hour-long timeout, a client still
 * waiting): the process stops the statement and exits within seconds instead of waiting on it.
 * Needs {@code target/quarkus-app} ({@code ./mvnw package -DskipTests}).
 */
@Timeout(180)
class ShutdownDuringRunawayStatementIT {
    /**
     * The drain's grace period (3 s here) runs first, then statements still running are stopped and given
     * 3 s to answer; the rest is the JVM and Quarkus stopping on a loaded machine.
     */
    static final Duration EXITS_WITHIN = Duration.ofSeconds(20);
    private static final String ADMIN_TOKEN = "shutdown-test-admin";

    @TempDir
    Path dir;

    @Test
    void shouldExitPromptlyOnSigtermWhileARunawaySqliteStatementRuns() throws Exception {
        exitsWhileRunning("shutdown-runaway-sqlite", Map.of("sluice.data-dir", dir.toString()),
                "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r");
    }

    @Test
    void shouldExitPromptlyOnSigtermWhileARunawayPostgresStatementRuns() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Postgres.isReachable(), "PostgreSQL not reachable");
        exitsWhileRunning("shutdown-runaway-postgres", Postgres.sluiceConfig(), "SELECT pg_sleep(3600)");
    }

    private void exitsWhileRunning(String name, Map<String, String> backend, String runaway) throws Exception {
        Map<String, String> config = new HashMap<>(backend);
        config.put("sluice.auth.mode", "none");
        config.put("sluice.gateway.statement-timeout", "1h");
        config.put("sluice.flags.dir", Files.createDirectories(dir.resolve("flags")).toString());
        config.put("sluice.admin.token", ADMIN_TOKEN);
        config.put("sluice.shutdown.grace", "3s");
        try (SluiceProcess sluice = SluiceProcess.start(name, config); Socket client = send(sluice, runaway)) {
            awaitRunning(sluice);
            long start = System.nanoTime();

            OptionalInt exit = sluice.terminate(EXITS_WITHIN);

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(exit).as("exited within %s of SIGTERM (took %s)", EXITS_WITHIN, took).isPresent();
        }
    }

    private static void awaitRunning(SluiceProcess sluice) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest list = HttpRequest.newBuilder(URI.create(sluice.url() + "/admin/v1/connections/statements"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(list, HttpResponse.BodyHandlers.ofString());
            body = r.body();
            if (r.statusCode() == 200 && body.contains("\"state\":\"running\"")) {
                Thread.sleep(500); // well inside the statement
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the runaway statement never showed as running: " + body);
    }

    private static Socket send(SluiceProcess sluice, String sql) throws IOException {
        URI url = URI.create(sluice.url());
        Socket s = new Socket(url.getHost(), url.getPort());
        byte[] body = ("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}},{\"type\":\"close\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST /v2/pipeline HTTP/1.1\r\nHost: " + url.getHost() + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return s;
    }
}
