package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client commands against a running test server, in table and JSON form. */
@QuarkusTest
class CliCommandsTest {

    @TestHTTPResource("/")
    URL server;

    private Cli.Run run(String... args) {
        return Cli.run(server, args);
    }

    @AfterEach
    void restore() {
        run("debug:circuit-breaker", "--reset");
        run("flags:killswitch", "--off", "test over");
        run("flags:rollout", "ENABLE_STATE_MACHINE", "100");
        run("config:update", "connectionPool", "maxConnections", "5");
    }

    @Test
    void shouldChangeARolloutAndShowItWithTheAuditTrail() throws Exception {
        Cli.Run changed = run("flags:rollout", "ENABLE_STATE_MACHINE", "25", "--reason", "canary", "--json");
        assertThat(changed.exit()).as(changed.err()).isZero();

        JsonNode flags = AdminClient.json().readTree(run("flags:show", "--json").out());
        JsonNode sm = null;
        for (JsonNode f : flags.get("flags")) {
            if (f.get("name").asText().equals("ENABLE_STATE_MACHINE")) {
                sm = f;
            }
        }
        assertThat(sm).isNotNull();
        assertThat(sm.get("rollout").asInt()).isEqualTo(25);
        assertThat(run("flags:show", "--audit").out()).contains("ENABLE_STATE_MACHINE").contains("canary");
    }

    @Test
    void shouldDefineAndDeleteAnOperatorFlagAuditedWhileRefusingBuiltInsAndUnknownFlags() throws Exception {
        Cli.Run defined = run("flags:define", "checkout-v2", "--rollout", "10", "--reason", "canary of the new checkout", "--json");
        assertThat(defined.exit()).as(defined.err()).isZero();
        assertThat(flagNamed(defined.json(), "checkout-v2")).isNotNull();
        assertThat(flagNamed(defined.json(), "checkout-v2").get("rollout").asInt()).isEqualTo(10);
        assertThat(flagNamed(defined.json(), "checkout-v2").get("enabled").asBoolean()).isTrue();

        Cli.Run deleted = run("flags:delete", "checkout-v2", "code path removed", "--json");
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        assertThat(flagNamed(run("flags:show", "--json").json(), "checkout-v2")).isNull();
        JsonNode audit = run("flags:show", "--audit", "--json").json();
        assertThat(audit.findValuesAsText("action")).contains("define", "delete");
        assertThat(audit.findValuesAsText("why")).contains("canary of the new checkout", "code path removed");

        JsonNode page = run("flags:audit", "--limit", "2", "--json").json();
        assertThat(page.get("entries").get(0).get("action").asText()).isEqualTo("delete");
        assertThat(page.get("entries").get(1).get("action").asText()).isEqualTo("define");
        assertThat(run("flags:audit", "--limit", "0").err()).contains("limit must be 1..1000").contains("HTTP 400");

        Cli.Run again = run("flags:delete", "checkout-v2");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("unknown flag 'checkout-v2'").contains("HTTP 404");
        Cli.Run killswitch = run("flags:delete", "killswitch");
        assertThat(killswitch.exit()).isEqualTo(1);
        assertThat(killswitch.err()).contains("the killswitch cannot be deleted").contains("HTTP 400");
        Cli.Run builtIn = run("flags:delete", "ENABLE_CONNECTION_POOL");
        assertThat(builtIn.err()).contains("built-in flag and cannot be deleted").contains("HTTP 400");
        assertThat(flagNamed(run("flags:show", "--json").json(), "ENABLE_CONNECTION_POOL")).isNotNull();
        assertThat(run("flags:define", "ENABLE_CONNECTION_POOL", "--disabled").err()).contains("built-in name").contains("HTTP 400");
        assertThat(run("flags:enable", "no-such-flag").err()).contains("unknown flag 'no-such-flag'").contains("HTTP 404");
    }

    private static JsonNode flagNamed(JsonNode view, String name) {
        for (JsonNode f : view.get("flags")) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        return null;
    }

    @Test
    void shouldShowEveryDurationInWholeMillisecondsInEveryConfigViewAndAdminAnswer() {
        JsonNode all = run("config:show", "--json").json().get("settings");
        JsonNode pool = run("config:show", "connectionPool", "--json").json();
        JsonNode breakerView = run("config:show", "circuitBreaker", "--json").json();
        JsonNode connections = run("monitor:connections", "--json").json();
        JsonNode breaker = run("debug:circuit-breaker", "--json").json();

        for (JsonNode d : new JsonNode[] {all.at("/connectionPool/acquireTimeout"), pool.get("acquireTimeout"), pool.get("maxConnections"),
                connections.get("acquireTimeout"), connections.get("statementTimeout"), connections.get("acquireAverage"),
                breaker.get("recoveryTimeout"), breakerView.get("recoveryTimeout")}) {
            assertThat(d.isIntegralNumber()).as(d.toString()).isTrue();
        }
        assertThat(pool.get("acquireTimeout").asLong()).isEqualTo(all.at("/connectionPool/acquireTimeout").asLong())
                .isEqualTo(connections.get("acquireTimeout").asLong()).isGreaterThanOrEqualTo(100);
        assertThat(breaker.get("recoveryTimeout").asLong()).isEqualTo(all.at("/circuitBreaker/recoveryTimeout").asLong())
                .isEqualTo(breakerView.get("recoveryTimeout").asLong());
        assertThat(connections.get("statementTimeout").asLong()).isEqualTo(all.at("/gateway/statementTimeout").asLong());
        assertThat(connections.get("maxUsed").asLong()).isNotNegative();
        Cli.Run table = run("config:show", "connectionPool");
        assertThat(table.out()).containsPattern("acquireTimeout\\s+" + all.at("/connectionPool/acquireTimeout").asLong() + "\\n");
    }

    @Test
    void shouldRefuseARolloutOutsideZeroToHundredNamingTheField() {
        Cli.Run r = run("flags:rollout", "ENABLE_STATE_MACHINE", "150");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("rollout").contains("150").contains("HTTP 400");
    }

    @Test
    void shouldPullAndReleaseTheKillswitch() throws Exception {
        JsonNode on = AdminClient.json().readTree(run("flags:killswitch", "errors after deploy", "--json").out());
        assertThat(on.at("/killswitch/active").asBoolean()).isTrue();
        assertThat(on.at("/killswitch/reason").asText()).isEqualTo("errors after deploy");

        JsonNode off = AdminClient.json().readTree(run("flags:killswitch", "--off", "fixed", "--json").out());
        assertThat(off.at("/killswitch/active").asBoolean()).isFalse();
    }

    @Test
    void shouldUpdateThePoolSizeLiveThroughConfigUpdate() throws Exception {
        Cli.Run r = run("config:update", "connectionPool", "maxConnections", "7");
        assertThat(r.exit()).as(r.err()).isZero();

        JsonNode pool = AdminClient.json().readTree(run("monitor:connections", "--json").out());
        assertThat(pool.get("maxConnections").asInt()).isEqualTo(7);
        assertThat(run("config:show", "connectionPool").out()).contains("maxConnections").contains("7");
    }

    @Test
    void shouldRefuseANonNumericSettingNamingTheField() {
        Cli.Run r = run("config:update", "connectionPool", "maxConnections", "many");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("maxConnections");
    }

    @Test
    void shouldExportTheConfigurationWithoutSecrets() {
        Cli.Run r = run("config:export", "properties");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("connectionPool.maxConnections");
        Cli.Run v = run("config:validate");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).contains("valid");
    }

    @Test
    void shouldPrintThePoolAsATable() {
        Cli.Run r = run("monitor:connections");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("maxConnections").contains("connectivity").contains("CONNECTED");
    }

    @Test
    void shouldPrintThePoolAsJsonWithJsonFlag() throws Exception {
        Cli.Run r = run("monitor:connections", "--json");

        JsonNode json = AdminClient.json().readTree(r.out());
        assertThat(json.get("backend").asText()).isEqualTo("sqlite");
        assertThat(json.get("maxConnections").asInt()).isEqualTo(5);
    }

    @Test
    void shouldShowLeasesAndConnectivityHistory() throws Exception {
        Cli.Run r = run("debug:connections", "--json");

        JsonNode json = AdminClient.json().readTree(r.out());
        assertThat(json.get("leases").isArray()).isTrue();
        assertThat(json.at("/connectivity/state").asText()).isEqualTo("CONNECTED");
        assertThat(json.at("/connectivity/history/0/to").asText()).isEqualTo("CONNECTED");
    }

    @Test
    void shouldForceOpenAndResetTheBreaker() throws Exception {
        Cli.Run open = run("debug:circuit-breaker", "--force-open", "maintenance", "--json");
        assertThat(AdminClient.json().readTree(open.out()).get("state").asText()).isEqualTo("FORCED_OPEN");

        Cli.Run shown = run("debug:circuit-breaker");
        assertThat(shown.out()).contains("FORCED_OPEN").contains("maintenance");

        Cli.Run reset = run("debug:circuit-breaker", "--reset", "--json");
        assertThat(AdminClient.json().readTree(reset.out()).get("state").asText()).isEqualTo("CLOSED");
    }

    @Test
    void shouldRefuseToForceTheBreakerOpenWithoutAReasonAndAuditBothActions() throws Exception {
        Cli.Run blank = run("debug:circuit-breaker", "--force-open", " ");
        Cli.Run tooLong = run("debug:circuit-breaker", "--force-open", "x".repeat(201));

        assertThat(blank.exit()).isEqualTo(1);
        assertThat(blank.err()).contains("--force-open needs a reason");
        assertThat(tooLong.exit()).isEqualTo(1);
        assertThat(tooLong.err()).contains("reason: at most 200 characters").contains("HTTP 400");
        assertThat(AdminClient.json().readTree(run("debug:circuit-breaker", "--json").out()).get("state").asText()).isEqualTo("CLOSED");

        assertThat(run("debug:circuit-breaker", "--force-open", "reindex").exit()).isZero();
        assertThat(run("debug:circuit-breaker", "--reset", "--reason", "reindex done").exit()).isZero();
        assertThat(run("flags:audit").out()).contains("force-open").contains("reindex").contains("reindex done").contains("circuit-breaker");
    }

    @Test
    void shouldReportAHealthyScoreWhenEverythingWorks() throws Exception {
        Cli.Run r = run("monitor:health", "--detailed", "--json");

        assertThat(r.exit()).as(r.err() + r.out()).isZero();
        JsonNode json = AdminClient.json().readTree(r.out());
        assertThat(json.at("/report/score").asInt()).isGreaterThanOrEqualTo(85);
        assertThat(json.at("/report/criticalFailures")).isEmpty();
        assertThat(json.at("/runtime/threads").asInt()).isPositive();
    }

    @Test
    void shouldDropTheScoreBelowThePassMarkAndExitOneWhileTheBreakerIsOpen() throws Exception {
        run("debug:circuit-breaker", "--force-open", "injected failure");

        Cli.Run r = run("monitor:health", "--json");

        assertThat(r.exit()).isEqualTo(1);
        JsonNode json = AdminClient.json().readTree(r.out());
        assertThat(json.at("/report/score").asInt()).isLessThan(85);
        assertThat(json.at("/report/criticalFailures/0").asText()).contains("FORCED_OPEN");
        Cli.Run table = run("monitor:health");
        assertThat(table.out()).contains("circuit-breaker").contains("criticalFailures");
    }

    @Test
    void shouldPassTheHealthCheckWithAJsonReport() throws Exception {
        Cli.Run r = run("health-check");

        assertThat(r.exit()).as(r.err() + r.out()).isZero();
        JsonNode report = AdminClient.json().readTree(r.out());
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.at("/checks/0/score").asInt()).isGreaterThanOrEqualTo(85);
    }

    @Test
    void shouldFailTheHealthCheckAndPullTheKillswitchWhenRollbackIsEnabled() throws Exception {
        run("debug:circuit-breaker", "--force-open", "injected outage");

        Cli.Run r = run("health-check", "--enable-rollback");

        assertThat(r.exit()).isEqualTo(1);
        JsonNode report = AdminClient.json().readTree(r.out());
        assertThat(report.get("passed").asBoolean()).isFalse();
        assertThat(report.get("rollback").asText()).contains("killswitch pulled").contains("FORCED_OPEN");
        JsonNode flags = AdminClient.json().readTree(run("flags:show", "--json").out());
        assertThat(flags.at("/killswitch/active").asBoolean()).isTrue();
        assertThat(flags.at("/killswitch/reason").asText()).startsWith("health-check failed");
    }

    @Test
    void shouldExitTwoFromTheHealthCheckWhenTheServerCannotBeReached() throws Exception {
        StringWriter out = new StringWriter();
        int exit = SluiceCommand.run(new String[] {"health-check", "--url", "http://127.0.0.1:1", "--timeout", "600ms"},
                new PrintWriter(out), new PrintWriter(new StringWriter()));

        assertThat(exit).isEqualTo(2);
        assertThat(AdminClient.json().readTree(out.toString()).get("error").asText()).contains("cannot reach");
    }

    @Test
    void shouldCleanUpIdleStreamsAndConnections() throws Exception {
        Cli.Run r = run("maint:cleanup", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = AdminClient.json().readTree(r.out());
        assertThat(json.has("openStreams")).isTrue();
        assertThat(json.get("idleConnectionsClosed").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void shouldSuggestARaisedBreakerThresholdWithItsFigureWhenTheBreakerFlaps() throws Exception {
        for (int i = 0; i < 3; i++) {
            run("debug:circuit-breaker", "--force-open", "flap");
            run("debug:circuit-breaker", "--reset");
        }

        JsonNode json = AdminClient.json().readTree(run("maint:optimize", "--json").out());

        JsonNode breakerAdvice = null;
        for (JsonNode s : json.get("suggestions")) {
            if (s.get("key").asText().equals("failureThreshold")) {
                breakerAdvice = s;
            }
        }
        assertThat(breakerAdvice).as(json.toString()).isNotNull();
        assertThat(breakerAdvice.get("because").asText()).contains("breaker state changes");
    }

    @Test
    void shouldBackUpAndRestoreTheRuntimeSettings(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("backup.properties");
        Cli.Run saved = run("config:backup", file.toString());
        assertThat(saved.exit()).as(saved.err()).isZero();
        assertThat(java.nio.file.Files.readString(file)).contains("connectionPool.maxConnections=5");

        run("config:update", "connectionPool", "maxConnections", "9");
        // the old name still works, says it is deprecated, and is not offered in help
        Cli.Run restored = run("maint:backup", "--restore", file.toString(), "--json");
        assertThat(restored.err()).contains("'maint:backup' is deprecated").contains("config:backup").contains("maint:backup-data");
        assertThat(run("--help").out()).contains("config:backup").contains("maint:backup-data").doesNotContainPattern("maint:backup\\s");

        assertThat(restored.exit()).as(restored.err()).isZero();
        JsonNode pool = AdminClient.json().readTree(run("monitor:connections", "--json").out());
        assertThat(pool.get("maxConnections").asInt()).isEqualTo(5);
    }

    @Test
    void shouldRefuseContradictoryOptionsWithExitCodeOne() {
        Cli.Run r = run("debug:circuit-breaker", "--reset", "--force-open", "x");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("choose one of");
    }

    @Test
    void shouldExitWithTwoAndSaySoWhenTheServerCannotBeReached() {
        StringWriter err = new StringWriter();
        int exit = SluiceCommand.run(new String[] {"monitor:connections", "--url", "http://127.0.0.1:1"},
                new PrintWriter(new StringWriter()), new PrintWriter(err));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("cannot reach Sluice at http://127.0.0.1:1");
    }

    @Test
    void shouldRejectAnUnknownCommandWithAUsageError() {
        StringWriter err = new StringWriter();
        int exit = SluiceCommand.run(new String[] {"flags:frobnicate"}, new PrintWriter(new StringWriter()), new PrintWriter(err));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("flags:frobnicate");
    }
    @Test
    void shouldShowRecentWarningsAsATableAndAsJson() throws Exception {
        org.jboss.logging.Logger.getLogger("io.sluice.cli.test").warn("disk nearly full on the test replica");
        org.jboss.logging.Logger.getLogger("io.sluice.cli.test").info("an info line debug:logs WARN must skip");

        Cli.Run table = run("debug:logs", "WARN");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("TIME", "LEVEL", "LOGGER", "MESSAGE").contains("disk nearly full on the test replica")
                .doesNotContain("an info line debug:logs WARN must skip");

        Cli.Run json = run("debug:logs", "warn", "0.5", "--limit", "10", "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode records = AdminClient.json().readTree(json.out());
        assertThat(records.isArray()).isTrue();
        assertThat(records.size()).isBetween(1, 10);
        JsonNode last = records.get(records.size() - 1);
        assertThat(last.get("message").asText()).isEqualTo("disk nearly full on the test replica");
        assertThat(last.get("level").asText()).isEqualTo("WARN");
        assertThat(last.get("logger").asText()).isEqualTo("io.sluice.cli.test");
    }

    @Test
    void shouldRefuseAnUnknownLogLevelOrBadHoursWithExitCodeOne() {
        Cli.Run level = run("debug:logs", "LOUD");
        assertThat(level.exit()).isEqualTo(1);
        assertThat(level.err()).contains("unknown log level 'LOUD': use one of TRACE, DEBUG, INFO, WARN, ERROR").contains("HTTP 400");

        Cli.Run hours = run("debug:logs", "WARN", "yesterday");
        assertThat(hours.exit()).isEqualTo(1);
        assertThat(hours.err()).contains("HOURS must be a number, not 'yesterday'");

        Cli.Run negative = run("debug:logs", "WARN", "-2");
        assertThat(negative.exit()).isNotZero();
    }

    @Test
    void shouldShowExamplesInTheHelpOfDebugLogs() {
        StringWriter out = new StringWriter();
        int exit = SluiceCommand.run(new String[] {"debug:logs", "--help"}, new PrintWriter(out), new PrintWriter(new StringWriter()));

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("Examples:").contains("sluice debug:logs ERROR 24").contains("LEVEL").contains("[HOURS]");
    }
}
