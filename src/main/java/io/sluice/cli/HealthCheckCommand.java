package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The deployment health check (the seed's {@code deployment-health-check}): passes when the health score
 * is at least 85, there are no critical failures, the statement error rate is under 1 % and p95 latency
 * is within its threshold. Once, or repeatedly for a duration. With {@code --enable-rollback} a failure
 * pulls the killswitch, reason recorded. Prints a JSON report; exits 0 pass, 1 fail, 2 unreachable.
 */
@Command(name = "health-check", aliases = "deploy:health", mixinStandardHelpOptions = true,
        description = "Check a deployment's health (score >= 85, no critical failures, error rate < 1 %, p95 within "
                + "threshold); print a JSON report; exit 0 pass, 1 fail, 2 cannot reach the server.",
        footer = {"%nExamples:%n  sluice health-check%n  sluice health-check --continuous --duration=300000 --interval=10000 --enable-rollback"})
final class HealthCheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ServerOptions server;

    @Option(names = "--continuous", description = "Keep checking for --duration; fail at the first failing check")
    boolean continuous;

    @Option(names = "--duration", defaultValue = "60000", description = "With --continuous: how long to watch, ms; default ${DEFAULT-VALUE}")
    long durationMs;

    @Option(names = "--interval", defaultValue = "5000", description = "With --continuous: time between checks, ms; default ${DEFAULT-VALUE}")
    long intervalMs;

    @Option(names = "--timeout", defaultValue = "30000", description = "Give up on an unreachable server after this long, ms; default ${DEFAULT-VALUE}")
    long timeoutMs;

    @Option(names = "--enable-rollback", description = "On failure, pull the killswitch with the failure as its reason")
    boolean rollback;

    @Override
    public Integer call() throws InterruptedException {
        if (durationMs < 0 || intervalMs <= 0 || timeoutMs <= 0) {
            spec.commandLine().getErr().println("error: --duration must be >= 0, --interval and --timeout > 0");
            spec.commandLine().getErr().flush();
            return 2;
        }
        AdminClient client = server.client();
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode report = AdminClient.JSON.createObjectNode();
        report.put("url", server.url);
        report.put("startedAt", Instant.now().toString());
        ArrayNode checks = report.putArray("checks");
        long deadline = System.nanoTime() + Duration.ofMillis(continuous ? durationMs : 0).toNanos();
        List<String> failures = new ArrayList<>();
        int exit = 0;
        do {
            JsonNode health;
            try {
                health = fetch(client);
            } catch (AdminClient.Unreachable | AdminClient.Failure e) {
                report.put("error", e.getMessage());
                exit = 2;
                break;
            }
            failures = failuresOf(health.get("report"));
            ObjectNode check = checks.addObject();
            check.put("at", Instant.now().toString());
            check.put("score", health.at("/report/score").asInt());
            check.put("passed", failures.isEmpty());
            check.set("failures", AdminClient.JSON.valueToTree(failures));
            if (!failures.isEmpty()) {
                exit = 1;
                break;
            }
            if (continuous && System.nanoTime() < deadline) {
                Thread.sleep(Math.min(intervalMs, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } while (continuous && System.nanoTime() < deadline);
        report.put("passed", exit == 0);
        if (exit == 1 && rollback) {
            String reason = "health-check failed: " + String.join("; ", failures);
            try {
                client.post("/admin/v1/flags/killswitch", Map.of("reason", reason));
                report.put("rollback", "killswitch pulled: " + reason);
            } catch (AdminClient.Unreachable | AdminClient.Failure e) {
                report.put("rollback", "killswitch could not be pulled: " + e.getMessage());
            }
        }
        Output.print(out, report, true);
        return exit;
    }

    /** Retries an unreachable server until --timeout, so a check right after a rollout does not fail on a restart. */
    private JsonNode fetch(AdminClient client) throws AdminClient.Unreachable, AdminClient.Failure, InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofMillis(timeoutMs).toNanos();
        while (true) {
            try {
                return client.get("/admin/v1/health");
            } catch (AdminClient.Unreachable e) {
                if (System.nanoTime() > giveUp) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** The seed's success criteria, each failure named with the figure behind it. */
    static List<String> failuresOf(JsonNode report) {
        List<String> failures = new ArrayList<>();
        int score = report.path("score").asInt();
        int threshold = report.path("threshold").asInt(85);
        if (score < threshold) {
            failures.add("health score " + score + " below " + threshold);
        }
        for (JsonNode critical : report.path("criticalFailures")) {
            failures.add("critical: " + critical.asText());
        }
        for (JsonNode check : report.path("checks")) {
            String name = check.path("name").asText();
            boolean full = check.path("score").asInt() == check.path("weight").asInt();
            if (!full && (name.equals("error-rate") || name.equals("latency-p95"))) {
                failures.add(name + ": " + check.path("detail").asText());
            }
        }
        return failures;
    }
}
