package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.flags.FlagService;
import io.sluice.reliability.ProxiedPostgres;
import io.sluice.testing.Cli;
import io.sluice.testing.FaultProxy;
import io.sluice.testing.Postgres;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A migration while the database fails under traffic: the canary's health check fails and the migration
 * rolls itself back to the flags from before it began, with no human involved. Its own application (a
 * profile of its own), so the errors it causes do not weigh on other tests' health checks.
 */
@QuarkusTest
@TestProfile(MigrationFaultTest.Faults.class)
@ExtendWith(Postgres.class)
class MigrationFaultTest {

    /** The rollout profile with a longer soak, so the faults land inside the canary step. */
    public static class Faults extends RolloutProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            java.util.Map<String, String> config = new java.util.HashMap<>(super.getConfigOverrides());
            config.put("sluice.rollout.soak", "1500ms");
            return config;
        }
    }

    @TestHTTPResource("/")
    URL server;

    @Inject
    FlagService flags;

    @Inject
    io.sluice.store.StoreService store;

    @Inject
    MigrationService migrations;

    @AfterEach
    void reset() {
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
        MigrationTest.clearStore(flags);
    }

    @Test
    void shouldRollItselfBackToTheSnapshotWhenTheDatabaseFailsDuringTheCanary() throws Exception {
        flags.disable("ENABLE_CIRCUIT_BREAKER", "test", "breaker off before the migration");
        flags.rollout("ENABLE_STATE_MACHINE", 40, "test", "partly on before the migration");
        Cli.Run started = Cli.run(server, "migrate", "--detach", "--reason", "migration under faults");
        assertThat(started.exit()).as(started.err()).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() -> migrations.current().orElseThrow().currentStep().phase() == Phase.CANARY);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        Thread traffic = new Thread(() -> {
            HttpClient http = HttpClient.newHttpClient();
            URI pipeline = URI.create(server.toString()).resolve("/v2/pipeline");
            long n = 0;
            while (running.get()) {
                try {
                    http.send(HttpRequest.newBuilder(pipeline).header("Content-Type", "application/json").header("x-sluice-client", "c" + n++)
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},"
                                    + "{\"type\":\"close\"}]}"))
                            .build(), HttpResponse.BodyHandlers.discarding());
                    answered.incrementAndGet();
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the gateway may refuse while the database is gone; keep sending
                }
            }
        });
        try {
            ProxiedPostgres.proxy().setMode(FaultProxy.Mode.REFUSE);
            ProxiedPostgres.proxy().cutConnections();
            traffic.start();

            // the document this replica applied (flags included), not the store's: the write lands there a moment later
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> MigrationService.decode(store.document()).orElseThrow().status() != MigrationStatus.RUNNING);
        } finally {
            running.set(false);
            traffic.interrupt();
            traffic.join(10_000);
        }

        Migration m = migrations.current().orElseThrow();
        assertThat(m.status()).isEqualTo(MigrationStatus.ROLLED_BACK);
        assertThat(m.outcome()).startsWith("rolled back automatically: health check failed at canary 1/1 (10 %)");
        assertThat(flags.current().flag("ENABLE_CIRCUIT_BREAKER").orElseThrow().encode()).isEqualTo("enabled=false rollout=100");
        assertThat(flags.current().flag("ENABLE_STATE_MACHINE").orElseThrow().encode()).isEqualTo("enabled=true rollout=40");
        assertThat(flags.current().flag("ENABLE_CONNECTION_POOL").orElseThrow().encode()).isEqualTo("enabled=true rollout=100");
        assertThat(store.read().entries()).doesNotContainKeys("ENABLE_CONNECTION_POOL", "ENABLE_ENTERPRISE_MONITORING");
        assertThat(answered.get()).isPositive();
        Cli.Run status = Cli.run(server, "deploy:status", "--json");
        assertThat(status.json().at("/migration/status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(status.json().at("/migration/outcome").asText()).contains("health check failed");
    }
}
