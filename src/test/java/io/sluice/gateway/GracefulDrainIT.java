package io.sluice.gateway;

import static io.sluice.testing.SluiceProcess.CLOSE;
import static io.sluice.testing.SluiceProcess.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.SluiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on the packaged jar with an interactive transaction open: readiness goes DOWN, new streams get
 * a retryable 503, the open transaction still commits, and the process exits within the grace period.
 */
class GracefulDrainIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GRACE = Duration.ofSeconds(8);

    @TempDir
    Path data;

    private SluiceProcess start(String name, int managementPort) throws Exception {
        return SluiceProcess.start(name, Map.of("sluice.auth.mode", "none", "sluice.data-dir", data.toString(),
                "sluice.flags.store", "none", "sluice.shutdown.grace", GRACE.toSeconds() + "s",
                "sluice.gateway.stream-idle-timeout", "60s", "quarkus.management.port", Integer.toString(managementPort)));
    }

    @Test
    void shouldCommitAnOpenTransactionAfterSigtermAndRefuseNewStreamsRetryably() throws Exception {
        int management = SluiceProcess.freeLoopbackPort();
        SluiceProcess sluice = start("drain-commit", management);
        try {
            pipeline(sluice, null, execute("CREATE TABLE t (x INTEGER)"), CLOSE);
            JsonNode open = pipeline(sluice, null, execute("BEGIN"), execute("INSERT INTO t VALUES (1)"));
            String baton = open.get("baton").asText();

            long signalled = System.nanoTime();
            sluice.terminate();

            HttpResponse<String> refused = sluice.awaitNewStreamRefused(Duration.ofSeconds(10));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("SHUTTING_DOWN");
            HttpResponse<String> ready = sluice.get("http://127.0.0.1:" + management + "/q/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
            assertThat(sluice.awaitExit(Duration.ofMillis(200))).as("still draining while a transaction is open").isNull();

            JsonNode committed = pipeline(sluice, baton, execute("COMMIT"), CLOSE);
            assertThat(committed.at("/results/0/type").asText()).isEqualTo("ok");
            assertThat(committed.get("baton").isNull()).isTrue();

            assertThat(sluice.awaitExit(GRACE.plusSeconds(5))).as("exits once nothing is left to drain").isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(GRACE.plusSeconds(5));
        } finally {
            sluice.close();
        }

        SluiceProcess again = start("drain-commit-restarted", SluiceProcess.freeLoopbackPort());
        try {
            JsonNode count = pipeline(again, null, execute("SELECT count(*) FROM t"), CLOSE);
            assertThat(count.at("/results/0/response/result/rows/0/0/value").asText()).isEqualTo("1");
        } finally {
            again.close();
        }
    }

    @Test
    void shouldRollBackAnAbandonedTransactionAndExitWithinTheGracePeriod() throws Exception {
        SluiceProcess sluice = start("drain-abandoned", SluiceProcess.freeLoopbackPort());
        try {
            pipeline(sluice, null, execute("CREATE TABLE t (x INTEGER)"), CLOSE);
            pipeline(sluice, null, execute("BEGIN"), execute("INSERT INTO t VALUES (1)"));
            long signalled = System.nanoTime();
            sluice.terminate();
            Integer exit = sluice.awaitExit(GRACE.plusSeconds(10));
            Duration took = Duration.ofNanos(System.nanoTime() - signalled);
            assertThat(exit).as("exited").isNotNull();
            assertThat(took).as("waited for the open transaction").isGreaterThanOrEqualTo(GRACE.minusSeconds(1));
            assertThat(took).as("but not much beyond the grace period").isLessThan(GRACE.plusSeconds(10));
        } finally {
            sluice.close();
        }
        SluiceProcess again = start("drain-abandoned-restarted", SluiceProcess.freeLoopbackPort());
        try {
            JsonNode count = pipeline(again, null, execute("SELECT count(*) FROM t"), CLOSE);
            assertThat(count.at("/results/0/response/result/rows/0/0/value").asText()).as("rolled back").isEqualTo("0");
        } finally {
            again.close();
        }
    }

    private static JsonNode pipeline(SluiceProcess sluice, String baton, String... requests) throws Exception {
        HttpResponse<String> r = sluice.pipeline(baton, requests);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
