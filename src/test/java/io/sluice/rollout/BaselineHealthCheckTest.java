package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.reliability.ProxiedPostgres;
import io.sluice.testing.Cli;
import io.sluice.testing.FaultProxy;
import io.sluice.testing.Postgres;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code health-check --baseline} against a saved {@code monitor:metrics --json} snapshot, on the real
 * PostgreSQL: the same traffic passes; the database slowed down by the fault proxy fails on latency.
 */
@QuarkusTest
@TestProfile(BaselineHealthCheckTest.OwnServer.class)
@ExtendWith(Postgres.class)
class BaselineHealthCheckTest {

    /**
     * The rollout profile in a server of its own: the slowed database leaves a minute of slow statements
     * in the windows, which would fail the health checks of the migration tests sharing a server.
     */
    public static class OwnServer extends RolloutProfile {
    }

    @TestHTTPResource("/")
    URL server;

    @AfterEach
    void reset() {
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
    }

    private void traffic(int statements) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI pipeline = URI.create(server.toString()).resolve("/v2/pipeline");
        for (int i = 0; i < statements; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(pipeline).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},"
                            + "{\"type\":\"close\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void shouldPassAgainstItsOwnBaselineAndFailWhenTheDatabaseSlowsDown(@TempDir Path dir) throws Exception {
        traffic(60);
        Cli.Run snapshot = Cli.run(server, "monitor:metrics", "--json");
        assertThat(snapshot.exit()).as(snapshot.err()).isZero();
        Path baseline = dir.resolve("baseline.json");
        Files.writeString(baseline, snapshot.out());

        // nothing ran since the snapshot, so the figures match; the margin only absorbs a window boundary moving
        Cli.Run same = Cli.run(server, "health-check", "--baseline=" + baseline, "--max-latency-regression=100%");

        assertThat(same.exit()).as(same.out()).isZero();
        assertThat(same.json().at("/checks/0/baseline/window").asText()).isEqualTo("1m");

        ProxiedPostgres.proxy().setMode(FaultProxy.delay(Duration.ofMillis(60)));
        traffic(80);

        Cli.Run slow = Cli.run(server, "health-check", "--baseline=" + baseline);

        assertThat(slow.exit()).as(slow.out()).isEqualTo(1);
        assertThat(slow.json().at("/checks/0/failures").toString()).contains("baseline: p95Ms regressed");
        assertThat(slow.json().get("passed").asBoolean()).isFalse();
    }

    @Test
    void shouldRefuseABadToleranceOrAFileThatIsNoSnapshotWithExitTwo(@TempDir Path dir) throws Exception {
        Path notMetrics = dir.resolve("flags.json");
        Files.writeString(notMetrics, "{\"flags\":[]}");

        Cli.Run tolerance = Cli.run(server, "health-check", "--baseline=" + notMetrics, "--max-latency-regression=fast");
        Cli.Run wrongFile = Cli.run(server, "health-check", "--baseline=" + notMetrics);

        assertThat(tolerance.exit()).isEqualTo(2);
        assertThat(tolerance.err()).contains("--max-latency-regression must be a percentage").contains("'fast'");
        assertThat(wrongFile.exit()).isEqualTo(2);
        assertThat(wrongFile.json().get("error").asText()).contains("baseline has no windows.1m.statements.all entry");
    }
}
