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
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One definition of failure: an application that inserts and, half the time, hits its own UNIQUE
 * constraint (and catches it) is healthy — {@code health-check} passes, a migration soaks through every
 * step, {@code health-check --enable-rollback} pulls nothing — while a real database outage still fails
 * the health check. A server of its own, so its errors weigh on no other test.
 */
@QuarkusTest
@TestProfile(ClientErrorsVerdictTest.OwnServer.class)
@ExtendWith(Postgres.class)
// the real outage last: its failures stay in the one-minute window the other verdicts read
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientErrorsVerdictTest {

    public static class OwnServer extends RolloutProfile {
    }

    private static final String TABLE = "verdict_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @TestHTTPResource("/")
    URL server;

    @Inject
    FlagService flags;

    @BeforeEach
    void table() throws Exception {
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id bigint PRIMARY KEY)");
        }
    }

    @AfterEach
    void reset() throws Exception {
        ProxiedPostgres.proxy().setMode(FaultProxy.Mode.PASS);
        MigrationTest.clearStore(flags);
        try (Connection c = Postgres.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    /** Inserts id n/2: every second insert violates the primary key, an error the application expects. */
    private Thread traffic(AtomicBoolean running, AtomicLong sqlErrors, AtomicLong okInserts) {
        return new Thread(() -> {
            HttpClient http = HttpClient.newHttpClient();
            URI pipeline = URI.create(server.toString()).resolve("/v2/pipeline");
            long n = 0;
            while (running.get()) {
                long id = n++ / 2;
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(pipeline).header("Content-Type", "application/json")
                            .header("x-sluice-client", "app" + (n % 50)).timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"INSERT INTO "
                                    + TABLE + " VALUES (" + id + ")\"}},{\"type\":\"close\"}]}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.body().contains("\"type\":\"error\"")) {
                        sqlErrors.incrementAndGet();
                    } else if (r.statusCode() == 200) {
                        okInserts.incrementAndGet();
                    }
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // refused while the database is gone: keep sending
                }
            }
        });
    }

    /** What runs while the application's traffic does. */
    interface WhileInserting {
        void run(AtomicLong sqlErrors, AtomicLong okInserts) throws Exception;
    }

    private void whileInserting(WhileInserting body) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong sqlErrors = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        Thread t = traffic(running, sqlErrors, ok);
        t.start();
        try {
            body.run(sqlErrors, ok);
        } finally {
            running.set(false);
            t.interrupt();
            t.join(10_000);
        }
    }

    @Test
    @Order(1)
    void shouldNotCountTheRefusalsOfABreakerAnOperatorForcedOpenAsFailuresOfTheServer() throws Exception {
        double serverWorkBefore = meter("sluice.work", "blame", "server");
        double refusedBefore = meter("sluice.hrana.requests", "outcome", "circuit_forced_open");
        Cli.Run open = Cli.run(server, "debug:circuit-breaker", "--force-open", "planned maintenance");
        assertThat(open.exit()).as(open.err()).isZero();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.toString()).resolve("/v2/pipeline"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}"))
                    .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("CIRCUIT_OPEN");
        }
        Cli.Run reset = Cli.run(server, "debug:circuit-breaker", "--reset", "--reason", "maintenance over");
        assertThat(reset.exit()).as(reset.err()).isZero();

        // the gate a migration runs, just after the maintenance: the refusals are shown apart, not as an error rate
        Cli.Run check = Cli.run(server, "health-check");
        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        Cli.Run metrics = Cli.run(server, "monitor:metrics", "--json");
        var all = metrics.json().at("/windows/1m/statements/all");
        assertThat(all.get("errorRate").asDouble()).as(all.toString()).isZero();
        assertThat(all.get("operatorRefusals").asLong()).as(all.toString()).isGreaterThanOrEqualTo(30);
        assertThat(meter("sluice.hrana.requests", "outcome", "circuit_forced_open") - refusedBefore).isEqualTo(30);
        assertThat(meter("sluice.work", "blame", "server")).isEqualTo(serverWorkBefore);
        HttpResponse<String> gate = http.send(HttpRequest.newBuilder(URI.create(server.toString()).resolve("/admin/v1/health/deployment"))
                .build(), HttpResponse.BodyHandlers.ofString());
        var result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(gate.body());
        assertThat(result.get("passed").asBoolean()).as(gate.body()).isTrue();
        com.fasterxml.jackson.databind.JsonNode errorRate = null;
        for (var c : result.at("/report/checks")) {
            errorRate = c.get("name").asText().equals("error-rate") ? c : errorRate;
        }
        assertThat(errorRate).as(gate.body()).isNotNull();
        assertThat(errorRate.get("score").asInt()).isEqualTo(errorRate.get("weight").asInt());
        assertThat(errorRate.get("detail").asText()).containsPattern("[1-9]\\d* requests refused by the breaker an operator forced open");
        // both actions in the audit listing, with their reasons
        Cli.Run audit = Cli.run(server, "flags:audit");
        assertThat(audit.out()).contains("force-open").contains("planned maintenance").contains("reset").contains("maintenance over");
    }

    /** The sum of a meter's values over the series carrying {@code tag=value}, from the admin API. */
    private double meter(String name, String tag, String value) {
        double sum = 0;
        for (var m : Cli.run(server, "monitor:metrics", "--json").json().get("meters")) {
            if (m.get("name").asText().equals(name) && value.equals(m.at("/tags/" + tag).asText())) {
                sum += m.get("value").asDouble();
            }
        }
        return sum;
    }

    @Test
    @Order(2)
    void shouldPassHealthCheckAndMigrateWhileHalfTheStatementsViolateAUniqueConstraint() throws Exception {
        whileInserting((sqlErrors, ok) -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> sqlErrors.get() >= 100 && ok.get() >= 100);

            Cli.Run check = Cli.run(server, "health-check");
            assertThat(check.exit()).as(check.out() + check.err()).isZero();

            Cli.Run metrics = Cli.run(server, "monitor:metrics", "--json");
            var all = metrics.json().at("/windows/1m/statements/all");
            assertThat(all.get("errorRate").asDouble()).as(all.toString()).isZero();
            assertThat(all.get("clientErrorRate").asDouble()).as(all.toString()).isGreaterThan(0.3);

            Cli.Run guard = Cli.run(server, "health-check", "--continuous", "--duration=600ms", "--interval=200ms", "--enable-rollback");
            assertThat(guard.exit()).as(guard.out()).isZero();
            assertThat(flags.current().killswitch().active()).isFalse();

            Cli.Run migrate = Cli.run(server, "migrate", "--target=full", "--reason", "client errors are not failures", "--poll-interval=50ms");
            assertThat(migrate.exit()).as(migrate.out() + migrate.err()).isZero();
            assertThat(migrate.out()).contains("completed: every step passed");
        });
    }

    @Test
    @Order(3)
    void shouldStillFailTheHealthCheckWhenTheDatabaseIsReallyDown() throws Exception {
        whileInserting((sqlErrors, ok) -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> sqlErrors.get() >= 20);
            ProxiedPostgres.proxy().setMode(FaultProxy.Mode.REFUSE);
            ProxiedPostgres.proxy().cutConnections();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Cli.Run check = Cli.run(server, "health-check");
                assertThat(check.exit()).as(check.out() + check.err()).isEqualTo(1);
                assertThat(check.out()).contains("critical");
            });
        });
    }
}
