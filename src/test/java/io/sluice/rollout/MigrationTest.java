package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.flags.FlagService;
import io.sluice.testing.Cli;
import io.sluice.testing.Postgres;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The migration end to end: the CLI against a running Sluice on the real PostgreSQL, with 200 ms soaks. */
@QuarkusTest
@TestProfile(RolloutProfile.class)
@ExtendWith(Postgres.class)
class MigrationTest {

    @TestHTTPResource("/")
    URL server;

    @Inject
    FlagService flags;

    @Inject
    io.sluice.store.StoreService store;

    @Inject
    MigrationService migrations;

    @Inject
    CircuitBreaker breaker;

    private Cli.Run run(String... args) {
        return Cli.run(server, args);
    }

    @AfterEach
    void reset() {
        breaker.reset();
        if (migrations.current().map(m -> m.status().active()).orElse(false)) {
            migrations.rollback("test", "test over");
        }
        clearStore(flags);
    }

    /** Back to a store with no migration and the migrated flags at their configured defaults, killswitch off. */
    static void clearStore(FlagService flags) {
        Map<String, String> defaults = new HashMap<>();
        MigrationPlan.FLAGS.forEach(f -> defaults.put(f, null));
        flags.writeFlags(defaults, "test", "test", "reset", draft -> draft.migration(null));
        if (flags.current().killswitch().active()) {
            flags.restore("test", "reset");
        }
    }

    private Map<String, String> flagValues() {
        Map<String, String> out = new LinkedHashMap<>();
        flags.current().flags().forEach((name, f) -> out.put(name, f.encode()));
        return out;
    }

    @Test
    void shouldMigrateToFullStepByStepShowingProgressAndAFinalReport() {
        Cli.Run r = run("migrate", "--target=full", "--reason", "enterprise layer", "--poll-interval=50ms");

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).contains("started towards full");
        assertThat(r.out()).doesNotContain("started towards").contains("COMPLETED at full 1/1 (100 %)").contains("score 100")
                .contains("completed: every step passed");
        assertThat(flagValues()).containsEntry("ENABLE_CONNECTION_POOL", "enabled=true rollout=100")
                .containsEntry("ENABLE_STATE_MACHINE", "enabled=true rollout=100").containsEntry("ENABLE_CIRCUIT_BREAKER", "enabled=true rollout=100")
                .containsEntry("ENABLE_ENTERPRISE_MONITORING", "enabled=true rollout=100");
        Migration m = migrations.current().orElseThrow();
        assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
        assertThat(m.history()).filteredOn(e -> e.detail().equals("health check passed")).extracting(Migration.Event::step)
                .containsExactly("monitoring 1/1", "canary 1/1 (10 %)", "gradual 1/4 (25 %)", "gradual 2/4 (50 %)", "gradual 3/4 (75 %)",
                        "gradual 4/4 (100 %)", "full 1/1 (100 %)");
        assertThat(store.document().audit()).anyMatch(a -> a.target().equals("ENABLE_CIRCUIT_BREAKER") && a.after().equals("enabled=true rollout=10")
                && a.who().startsWith("rollout:"));
    }

    @Test
    void shouldHoldAfterTheCanaryAndContinueToGradualOnTheNextRun() {
        Cli.Run canary = run("migrate", "--target=canary", "--json", "--poll-interval=50ms");

        assertThat(canary.exit()).as(canary.err()).isZero();
        assertThat(canary.json().get("status").asText()).isEqualTo("HELD");
        assertThat(canary.json().get("step").asText()).isEqualTo("canary 1/1 (10 %)");
        assertThat(canary.err()).contains("canary 1/1 (10 %)");
        assertThat(flagValues()).containsEntry("ENABLE_STATE_MACHINE", "enabled=true rollout=10");

        Cli.Run gradual = run("deploy:migrate", "--target=gradual", "--json", "--poll-interval=50ms");

        assertThat(gradual.exit()).as(gradual.err()).isZero();
        assertThat(gradual.json().get("id").asText()).isEqualTo(canary.json().get("id").asText());
        assertThat(gradual.json().get("step").asText()).isEqualTo("gradual 4/4 (100 %)");
        assertThat(gradual.json().get("status").asText()).isEqualTo("HELD");
    }

    @Test
    void shouldHoldAMigrationMidStepKeepingItsFlagsUntilAResumeBothAudited() throws Exception {
        Cli.Run started = run("migrate", "--target=canary", "--soak=3s", "--detach", "--json");
        assertThat(started.exit()).as(started.err()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> migrations.view().soakUntil() != null);

        io.restassured.response.Response held = io.restassured.RestAssured.given().header("X-Sluice-Operator", "carol")
                .contentType("application/json").body("{\"reason\":\"investigating p95\"}").post("/admin/v1/migration/hold");
        assertThat(held.statusCode()).as(held.asString()).isEqualTo(200);
        assertThat(held.jsonPath().getString("status")).isEqualTo("PAUSED");
        String step = held.jsonPath().getString("step");
        assertThat(held.jsonPath().getString("soakUntil")).isNull();
        Map<String, String> flagsWhileHeld = flagValues();
        io.restassured.response.Response again = io.restassured.RestAssured.given().contentType("application/json").body("{}")
                .post("/admin/v1/migration/hold");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        Cli.Run second = run("migrate", "--target=full");
        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.err()).contains("resume it or roll it back").contains("HTTP 409");

        // longer than the soak: a running migration would have checked and moved on by now
        Thread.sleep(3500);
        Migration paused = migrations.current().orElseThrow();
        assertThat(paused.status()).isEqualTo(MigrationStatus.PAUSED);
        assertThat(paused.currentStep().label()).isEqualTo(step);
        assertThat(paused.history().get(paused.history().size() - 1).detail()).startsWith("held by ");
        assertThat(flagValues()).isEqualTo(flagsWhileHeld);

        Cli.Run resumed = run("migrate", "--resume", "p95 is fine", "--poll-interval=50ms");

        assertThat(resumed.exit()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.err()).contains("resumed towards canary");
        assertThat(resumed.out()).contains("HELD at canary 1/1 (10 %)");
        Migration done = migrations.current().orElseThrow();
        assertThat(done.history()).extracting(Migration.Event::detail).anyMatch(d -> d.startsWith("held by ") && d.contains("carol")
                && d.endsWith("investigating p95")).anyMatch(d -> d.startsWith("resumed by "));
        assertThat(store.document().audit()).anyMatch(a -> a.action().equals("hold") && a.target().equals("migration") && a.who().contains("carol")
                && a.why().equals("investigating p95") && a.before().startsWith("RUNNING") && a.after().startsWith("PAUSED"))
                .anyMatch(a -> a.action().equals("resume") && a.why().equals("p95 is fine") && a.after().startsWith("RUNNING"));
        assertThat(run("migrate", "--resume").err()).contains("HTTP 409");
    }

    @Test
    void shouldResumeAMigrationWhoseDriverWentAwayAndFinishIt() {
        // a replica died (or this one restarted) mid-gradual: its state is in the store, its heartbeat an hour old
        Map<String, String> snapshot = new LinkedHashMap<>();
        MigrationPlan.FLAGS.forEach(f -> snapshot.put(f, null));
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        Migration interrupted = Migration.start(null, "crashed1", new MigrationPlan(200, 10, List.of(25, 50, 75, 100)), Phase.FULL,
                snapshot, "alice", "before the crash", "gone-replica", hourAgo);
        for (int i = 0; i < 3; i++) {
            interrupted = interrupted.onStepApplied(hourAgo).onStepPassed(100, hourAgo);
        }
        Migration midway = interrupted;
        assertThat(midway.currentStep().label()).isEqualTo("gradual 2/4 (50 %)");
        flags.writeFlags(Map.of("ENABLE_CONNECTION_POOL", "enabled=true rollout=25", "ENABLE_STATE_MACHINE", "enabled=true rollout=25",
                "ENABLE_CIRCUIT_BREAKER", "enabled=true rollout=25"), "test", "test", "simulated crash",
                draft -> draft.migration(MigrationService.encode(midway)));

        // the document this replica applied (flags included), not the store's: the write lands there a moment later
        await().atMost(Duration.ofSeconds(20))
                .until(() -> MigrationService.decode(store.document()).orElseThrow().status() == MigrationStatus.COMPLETED);

        Migration done = migrations.current().orElseThrow();
        assertThat(done.id()).isEqualTo("crashed1");
        assertThat(done.history()).anyMatch(e -> e.detail().contains("resumed by replica") && e.step().equals("gradual 2/4 (50 %)"));
        assertThat(flagValues()).containsEntry("ENABLE_CONNECTION_POOL", "enabled=true rollout=100");
        JsonNode status = run("deploy:status", "--json").json();
        assertThat(status.at("/migration/status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void shouldPrintThePlanAndChangeNothingOnADryRun() {
        Map<String, String> before = store.read().entries();

        Cli.Run r = run("migrate", "--dry-run", "--steps=20,60,100", "--canary-percent=5");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("dry run, nothing changed").contains("monitoring").contains("canary").contains("rollout=5")
                .contains("rollout=60").contains("full");
        Cli.Run json = run("migrate", "--dry-run", "--target=canary", "--json");
        assertThat(json.json().get("steps")).hasSize(2);
        assertThat(json.json().get("dryRun").asBoolean()).isTrue();
        assertThat(store.read().entries()).isEqualTo(before);
        assertThat(migrations.current()).isEmpty();
    }

    @Test
    void shouldShowPhaseStepSoakCountdownAndLastCheckWhileSoaking() {
        Cli.Run r = run("migrate", "--target=canary", "--soak=4s", "--poll-interval=100ms", "--progress-interval=1s");

        assertThat(r.exit()).as(r.err()).isZero();
        // not a terminal: plain progress lines on stderr, the report alone on stdout
        java.util.List<String> lines = r.err().lines().toList();
        java.util.List<String> monitoring = lines.stream().filter(l -> l.contains("monitoring, step 1 of 2 (monitoring 1/1): soaking")).toList();
        assertThat(monitoring).as(r.err()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(r.out()).doesNotContain("health check in");
        assertThat(monitoring.stream().map(l -> l.replaceAll(".*health check in (\\d+)s.*", "$1")).distinct().count())
                .as("the countdown moves: " + monitoring).isGreaterThanOrEqualTo(2);
        assertThat(monitoring.get(0)).startsWith("[").endsWith("last check: none yet");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("canary, step 2 of 2 (canary 1/1 (10 %)): soaking, health check in")
                .contains("last check: monitoring 1/1 health check passed, score "));
        assertThat(lines.get(0)).contains("(soak 4s per step)");
    }

    @Test
    void shouldRefuseBadInputPreciselyAndChangeNothing() {
        Map<String, String> before = store.read().entries();

        Cli.Run target = run("migrate", "--target=sideways");
        Cli.Run soak = run("migrate", "--soak=-5");
        Cli.Run steps = run("migrate", "--steps=50,25");

        assertThat(target.exit()).isEqualTo(1);
        assertThat(target.err()).contains("target: must be canary, gradual or full but was 'sideways'").contains("HTTP 400");
        assertThat(soak.exit()).isEqualTo(2);
        assertThat(soak.err()).contains("Invalid value for option '--soak': '-5' has no unit");
        assertThat(steps.exit()).isEqualTo(1);
        assertThat(steps.err()).contains("gradualSteps").contains("HTTP 400");
        assertThat(run("migrate", "--rollback", "--target=full").exit()).isEqualTo(2);
        assertThat(store.read().entries()).isEqualTo(before);
    }

    @Test
    void shouldRefuseASecondMigrationWithConflictAndRollBackToTheSnapshot() {
        flags.disable("ENABLE_CONNECTION_POOL", "test", "legacy path before the migration");
        Cli.Run first = run("migrate", "--soak=5s", "--detach");
        assertThat(first.exit()).as(first.err()).isZero();

        Cli.Run second = run("migrate", "--target=canary");

        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.err()).contains("already running").contains("HTTP 409");
        Cli.Run rolledBack = run("migrate", "--rollback", "--reason", "changed our minds");
        assertThat(rolledBack.exit()).as(rolledBack.err()).isZero();
        assertThat(rolledBack.out()).contains("ROLLED_BACK").contains("changed our minds");
        assertThat(flagValues()).containsEntry("ENABLE_CONNECTION_POOL", "enabled=false rollout=100")
                .containsEntry("ENABLE_ENTERPRISE_MONITORING", "enabled=true rollout=100");
        assertThat(store.read().entries()).doesNotContainKeys("ENABLE_STATE_MACHINE", "ENABLE_ENTERPRISE_MONITORING");
        Cli.Run nothing = run("migrate", "--rollback");
        assertThat(nothing.exit()).isEqualTo(1);
        assertThat(nothing.err()).contains("nothing to roll back").contains("HTTP 409");
    }

    @Test
    void shouldRollBackTheActiveMigrationWhenAContinuousHealthCheckFails() {
        assertThat(run("migrate", "--target=canary", "--poll-interval=50ms").exit()).isZero();
        breaker.forceOpen("injected outage");

        Cli.Run r = run("health-check", "--continuous", "--duration=3s", "--interval=200ms", "--enable-rollback");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().get("rollback").asText()).contains("rolled back to its snapshot").contains("FORCED_OPEN");
        assertThat(migrations.current().orElseThrow().status()).isEqualTo(MigrationStatus.ROLLED_BACK);
        assertThat(migrations.current().orElseThrow().outcome()).contains("health-check failed");
        assertThat(flags.current().killswitch().active()).isFalse();
        assertThat(flagValues()).containsEntry("ENABLE_STATE_MACHINE", "enabled=true rollout=100");
    }

    @Test
    void shouldPullTheKillswitchWhenAContinuousHealthCheckFailsWithNoMigrationActive() {
        Cli.Run healthy = run("health-check", "--continuous", "--duration=600ms", "--interval=200ms", "--enable-rollback");
        assertThat(healthy.exit()).as(healthy.out()).isZero();
        assertThat(healthy.json().get("checks").size()).isGreaterThanOrEqualTo(2);
        breaker.forceOpen("injected outage");

        Cli.Run r = run("health-check", "--continuous", "--duration=3s", "--interval=200ms", "--enable-rollback");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().get("rollback").asText()).startsWith("killswitch pulled: health-check failed").contains("FORCED_OPEN");
        assertThat(flags.current().killswitch().active()).isTrue();
        assertThat(flags.current().killswitch().reason()).startsWith("health-check failed");
    }

    @Test
    void shouldShowTheDeploymentStatusAsATableAndAsJson() {
        assertThat(run("migrate", "--target=canary", "--poll-interval=50ms").exit()).isZero();

        Cli.Run table = run("deploy:status");
        JsonNode json = run("deploy:status", "--json").json();

        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("migration:").contains("HELD").contains("canary 1/1 (10 %)").contains("ENABLE_CONNECTION_POOL")
                .contains("score").contains("version");
        assertThat(json.at("/migration/status").asText()).isEqualTo("HELD");
        assertThat(json.at("/migration/phase").asText()).isEqualTo("canary");
        assertThat(json.at("/health/passed").asBoolean()).isTrue();
        assertThat(json.at("/killswitch/active").asBoolean()).isFalse();
        assertThat(json.get("flags")).anyMatch(f -> f.get("name").asText().equals("ENABLE_CIRCUIT_BREAKER") && f.get("rollout").asInt() == 10);
    }

    @Test
    void shouldRollBackTheActiveMigrationOrElsePullTheKillswitchFromDeployRollback() {
        assertThat(run("migrate", "--target=canary", "--poll-interval=50ms").exit()).isZero();

        Cli.Run migration = run("deploy:rollback", "canary looks wrong");
        Cli.Run killswitch = run("deploy:rollback", "still wrong", "--json");

        assertThat(migration.exit()).as(migration.err()).isZero();
        assertThat(migration.out()).startsWith("migration ").contains("rolled back to its snapshot: canary looks wrong");
        assertThat(killswitch.exit()).isZero();
        assertThat(killswitch.json().get("action").asText()).isEqualTo("killswitch");
        assertThat(killswitch.json().at("/killswitch/reason").asText()).isEqualTo("still wrong");
        assertThat(store.document().audit()).anyMatch(a -> a.action().equals("rollback") && a.why().equals("canary looks wrong"));
    }
}
