package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.rollout.Baseline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The deployment health check (the seed's {@code deployment-health-check}): the server judges its health
 * score by the one set of criteria ({@code GET /admin/v1/health/deployment}: score at least 85, no critical
 * failures, server-side error rate under 1 %, p95 within threshold); with {@code --baseline} the current statement
 * figures ({@code GET /admin/v1/metrics}) must also not regress beyond the tolerances against a saved
 * {@code monitor:metrics --json} snapshot. Once, or repeatedly for a duration. With
 * {@code --enable-rollback} a failure rolls back the active migration, or pulls the killswitch when none is
 * active, reason recorded. Prints a JSON report; exits 0 pass, 1 fail, 2 unreachable.
 */
@Command(name = "health-check", aliases = "deploy:health", mixinStandardHelpOptions = true,
        description = "Check a deployment's health (score >= 85, no critical failures, server-side error rate < 1 %%, p95 within "
                + "threshold; optionally no regression against a baseline); print a JSON report; exit 0 pass, 1 fail, "
                + "2 cannot reach the server.",
        footer = {"%nExamples:%n  sluice health-check%n  sluice health-check --continuous --duration=300000 --interval=10000 --enable-rollback",
                "  sluice monitor:metrics --json > baseline.json   # before the change",
                "  sluice health-check --baseline=baseline.json --max-latency-regression=50%% --max-error-rate-increase=1pp"})
final class HealthCheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ServerOptions server;

    @Option(names = "--continuous", description = "Keep checking for --duration; fail at the first failing check")
    boolean continuous;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "DURATION",
            description = "With --continuous: how long to watch (e.g. 60s, 5m); default ${DEFAULT-VALUE}")
    Duration duration;

    @Option(names = "--interval", defaultValue = "5s", paramLabel = "DURATION",
            description = "With --continuous: time between checks; default ${DEFAULT-VALUE}")
    Duration interval;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "Give up on an unreachable server after this long; default ${DEFAULT-VALUE}")
    Duration timeout;

    @Option(names = "--enable-rollback", description = "On failure, roll back the active migration, or pull the killswitch when none is active")
    boolean rollback;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "A saved 'monitor:metrics --json' snapshot to compare latency percentiles and error rate with")
    Path baseline;

    @Option(names = "--window", defaultValue = "1m",
            description = "The metrics window compared with the baseline: 1m, 5m or 15m; default ${DEFAULT-VALUE}")
    String window;

    // the default has no % sign: picocli formats help text, and a bare % in it is a format error
    @Option(names = "--max-latency-regression", defaultValue = "50", paramLabel = "PCT",
            description = "With --baseline: allowed rise of p50/p95/p99 over the baseline, percent (50 or 50%%); default ${DEFAULT-VALUE}")
    String maxLatencyRegression;

    @Option(names = "--max-error-rate-increase", defaultValue = "1pp", paramLabel = "PP",
            description = "With --baseline: allowed rise of the error rate, percentage points; default ${DEFAULT-VALUE}")
    String maxErrorRateIncrease;

    @Override
    public Integer call() throws InterruptedException {
        if (interval.isZero() || timeout.isZero()) {
            return usage("--interval and --timeout must be longer than zero");
        }
        JsonNode baselineDoc = null;
        Baseline.Tolerances tolerances = null;
        if (baseline != null) {
            if (!List.of("1m", "5m", "15m").contains(window)) {
                return usage("--window must be 1m, 5m or 15m but was '" + window + "'");
            }
            try {
                tolerances = new Baseline.Tolerances(Baseline.parsePercent("--max-latency-regression", maxLatencyRegression),
                        Baseline.parsePoints("--max-error-rate-increase", maxErrorRateIncrease));
                baselineDoc = AdminClient.json().readTree(Files.readString(baseline));
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            } catch (IOException e) {
                return usage("cannot read the baseline " + baseline + ": " + e.getMessage());
            }
        }
        AdminClient client = server.client();
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode report = AdminClient.json().createObjectNode();
        report.put("url", server.url);
        report.put("startedAt", Instant.now().toString());
        ArrayNode checks = report.putArray("checks");
        long deadline = System.nanoTime() + (continuous ? duration : Duration.ZERO).toNanos();
        List<String> failures = new ArrayList<>();
        int exit = 0;
        do {
            JsonNode health;
            Baseline.Comparison comparison = null;
            try {
                health = fetch(client, "/admin/v1/health/deployment");
                if (baselineDoc != null) {
                    comparison = Baseline.compare(baselineDoc, fetch(client, "/admin/v1/metrics"), window, tolerances);
                }
            } catch (AdminClient.Unreachable | AdminClient.Failure e) {
                report.put("error", e.getMessage());
                exit = 2;
                break;
            } catch (IllegalArgumentException e) {
                report.put("error", e.getMessage());
                exit = 2;
                break;
            }
            failures = new ArrayList<>();
            for (JsonNode f : health.path("failures")) {
                failures.add(f.asText());
            }
            ObjectNode check = checks.addObject();
            check.put("at", Instant.now().toString());
            check.put("score", health.path("score").asInt());
            if (comparison != null) {
                failures.addAll(comparison.failures().stream().map(f -> "baseline: " + f).toList());
                check.set("baseline", AdminClient.json().valueToTree(comparison));
            }
            check.put("passed", failures.isEmpty());
            check.set("failures", AdminClient.json().valueToTree(failures));
            if (!failures.isEmpty()) {
                exit = 1;
                break;
            }
            if (continuous && System.nanoTime() < deadline) {
                Thread.sleep(Math.min(interval.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } while (continuous && System.nanoTime() < deadline);
        report.put("passed", exit == 0);
        if (exit == 1 && rollback) {
            String reason = "health-check failed: " + String.join("; ", failures);
            try {
                report.put("rollback", DeployCommands.describe(client.post("/admin/v1/deploy/rollback", Map.of("reason", reason))));
            } catch (AdminClient.Unreachable | AdminClient.Failure e) {
                report.put("rollback", "rollback failed: " + e.getMessage());
            }
        }
        Output.print(out, report, true);
        return exit;
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("error: " + message);
        spec.commandLine().getErr().flush();
        return 2;
    }

    /** Retries an unreachable server until --timeout, so a check right after a rollout does not fail on a restart. */
    private JsonNode fetch(AdminClient client, String path) throws AdminClient.Unreachable, AdminClient.Failure, InterruptedException {
        long giveUp = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return client.get(path);
            } catch (AdminClient.Unreachable e) {
                if (System.nanoTime() > giveUp) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }
}
