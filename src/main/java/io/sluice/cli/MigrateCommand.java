package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The phased migration to the enterprise layer (the seed's {@code migrate-to-enterprise}). The server runs
 * it ({@code POST /admin/v1/migration}); this starts it, shows its progress while polling (on stderr through
 * {@link Progress}: the soak's countdown live on a terminal, plain lines in a log), and prints a final report
 * on stdout. Exit 0 when the target was reached, 1 when it was refused or rolled back, 2 unreachable.
 */
@Command(name = "migrate", aliases = "deploy:migrate", mixinStandardHelpOptions = true,
        description = "Migrate to the enterprise layer in phases: monitoring -> canary -> gradual -> full. Each step sets "
                + "flags on every replica, soaks, and runs the deployment health check; a failed check rolls back to the "
                + "flags from before the migration. The server runs it; this shows progress and a final report.",
        footer = {"%nExamples:%n  sluice migrate --dry-run%n  sluice migrate --target=canary --soak=5m%n"
                + "  sluice migrate --target=full%n  sluice migrate --hold \"investigating p95\"%n  sluice migrate --resume%n"
                + "  sluice migrate --rollback \"p95 too high\""})
final class MigrateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ServerOptions server;

    @Option(names = "--json", description = "Print the final report as JSON")
    boolean json;

    @Option(names = "--target", paramLabel = "PHASE", description = "Stop after this phase: canary, gradual or full (default full)")
    String target;

    @Option(names = "--rollback", description = "Restore the flags from before the migration")
    boolean rollback;

    @Option(names = "--hold", description = "Hold the running migration mid-step: its flags (traffic) stay, nothing soaks, "
            + "checks or advances until --resume")
    boolean hold;

    @Option(names = "--resume", description = "Resume a held migration at its step (which soaks and is checked again) and follow it")
    boolean resume;

    @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "REASON",
            description = "With --rollback, --hold or --resume: why (the same as --reason)")
    String rollbackReason;

    @Option(names = "--dry-run", description = "Print the plan and change nothing")
    boolean dryRun;

    @Option(names = "--soak", paramLabel = "DURATION",
            description = "Soak time of each step before its check, e.g. 5m or 30s (default: the server's sluice.rollout.soak)")
    Duration soak;

    @Option(names = "--canary-percent", paramLabel = "PCT", description = "Canary rollout percentage (default: sluice.rollout.canary-percent)")
    Integer canaryPercent;

    @Option(names = "--steps", split = ",", paramLabel = "PCT",
            description = "Gradual percentages, e.g. 25,50,75,100 (default: sluice.rollout.gradual-steps)")
    List<Integer> steps;

    @Option(names = "--reason", description = "Why, for the audit log and the migration's history")
    String reason;

    @Option(names = "--poll-interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "How often to poll progress; default ${DEFAULT-VALUE}")
    Duration pollInterval;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "While following progress, keep retrying an unreachable server this long (a restarted replica); default ${DEFAULT-VALUE}")
    Duration timeout;

    @Option(names = "--progress-interval", defaultValue = "10s", paramLabel = "DURATION",
            description = "Not on a terminal (where the countdown is live): during a soak, repeat the progress line (time left "
                    + "before the health check) this often; default ${DEFAULT-VALUE}")
    Duration progressInterval;

    @Option(names = "--detach", description = "Start it and return at once; follow it with deploy:status")
    boolean detach;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = Progress.onStderr(err, progressInterval);
        try {
            if (pollInterval.isZero()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--poll-interval must be longer than zero");
            }
            int actions = (rollback ? 1 : 0) + (hold ? 1 : 0) + (resume ? 1 : 0);
            if (actions > 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "choose one of --rollback, --hold and --resume");
            }
            if (rollbackReason != null) {
                if (actions == 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "a REASON argument goes only with --rollback, --hold or --resume; give a migration's reason with --reason");
                }
                if (reason != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "give the reason once: REASON or --reason");
                }
                reason = rollbackReason;
            }
            if (actions > 0 && (dryRun || target != null || soak != null || canaryPercent != null || steps != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--rollback, --hold and --resume cannot be combined with --dry-run, --target, --soak, --canary-percent or --steps");
            }
            AdminClient client = server.client();
            if (rollback) {
                JsonNode v = client.post("/admin/v1/migration/rollback", Map.of("reason", reason == null ? "" : reason));
                report(out, v);
                return 0;
            }
            if (hold) {
                report(out, client.post("/admin/v1/migration/hold", Map.of("reason", reason == null ? "" : reason)));
                return 0;
            }
            JsonNode started = resume ? client.post("/admin/v1/migration/resume", Map.of("reason", reason == null ? "" : reason))
                    : start(client);
            if (dryRun) {
                printPlan(out, started);
                return started.path("refusal").isNull() || started.path("refusal").isMissingNode() ? 0 : 1;
            }
            return follow(client, started, progress, out);
        } catch (AdminClient.Unreachable e) {
            progress.clear();
            err.println("error: " + e.getMessage());
            return 2;
        } catch (AdminClient.Failure e) {
            progress.clear();
            err.println("error: " + e.getMessage() + " (HTTP " + e.status + ")");
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private JsonNode start(AdminClient client) throws AdminClient.Unreachable, AdminClient.Failure {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target", target);
        body.put("soakMs", soak == null ? null : soak.toMillis());
        body.put("canaryPercent", canaryPercent);
        body.put("gradualSteps", steps);
        body.put("reason", reason == null ? "" : reason);
        body.put("dryRun", dryRun);
        return client.post("/admin/v1/migration", body);
    }

    /** Follows a started (or resumed) migration until it stops running; exit 0 when it held at its target or completed. */
    private int follow(AdminClient client, JsonNode started, Progress progress, PrintWriter out)
            throws AdminClient.Unreachable, AdminClient.Failure, InterruptedException {
        String id = started.path("id").asText();
        progress.line(String.format("migration %s %s towards %s (soak %s per step)", id, resume ? "resumed" : "started",
                started.path("target").asText(),
                Units.duration(Duration.ofMillis(started.at("/plan/soakMs").asLong()))));
        JsonNode now = started;
        String shownState = null;
        while (!detach && "RUNNING".equals(now.path("status").asText()) && id.equals(now.path("id").asText())) {
            // a change of step, status or check stays on screen; the countdown in between is the live status
            String state = state(now);
            if (state.equals(shownState)) {
                progress.status(line(now));
            } else {
                progress.line(line(now));
                shownState = state;
            }
            Thread.sleep(pollInterval.toMillis());
            now = poll(client);
        }
        progress.clear();
        report(out, now);
        String status = now.path("status").asText();
        return detach || status.equals("HELD") || status.equals("COMPLETED") ? 0 : 1;
    }

    /** What a progress line says apart from the clock: a change of it is a line that stays. */
    static String state(JsonNode v) {
        return v.path("step").asText() + "|" + v.path("status").asText() + "|" + v.path("soakUntil").isNull() + "|" + v.path("lastCheck");
    }

    /** Phase, step, the soak's countdown (or the check running) and the last check's figures, on one line. */
    static String line(JsonNode v) {
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "[%6.1fs] %s, step %s of %s (%s): ",
                v.path("elapsedMs").asLong() / 1000.0, v.path("phase").asText(), v.path("stepNumber").asText("?"),
                v.path("stepsToTarget").asText("?"), v.path("step").asText()));
        if (!v.path("soakUntil").isNull() && !v.path("soakUntil").isMissingNode()) {
            // the server's own clock: its "now" is startedAt + elapsedMs, so a skewed local clock changes nothing
            java.time.Instant serverNow = java.time.Instant.parse(v.path("startedAt").asText()).plusMillis(v.path("elapsedMs").asLong());
            long left = Math.max(0, Duration.between(serverNow, java.time.Instant.parse(v.path("soakUntil").asText())).toSeconds());
            sb.append("soaking, health check in ").append(Units.duration(Duration.ofSeconds(left)));
        } else {
            sb.append("health check running");
        }
        JsonNode check = v.path("lastCheck");
        sb.append("; last check: ");
        if (check.isNull() || check.isMissingNode()) {
            sb.append("none yet");
        } else {
            sb.append(check.path("step").asText()).append(' ').append(check.path("detail").asText()).append(", score ")
                    .append(check.path("score").asText());
        }
        return sb.toString();
    }

    /** A replica restarting mid-migration is expected (the migration resumes); keep polling through it for a while. */
    private JsonNode poll(AdminClient client) throws AdminClient.Unreachable, AdminClient.Failure, InterruptedException {
        long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeout.toMillis());
        while (true) {
            try {
                return client.get("/admin/v1/migration");
            } catch (AdminClient.Unreachable e) {
                if (System.nanoTime() > giveUp) {
                    throw e;
                }
                Thread.sleep(Math.max(pollInterval.toMillis(), 500));
            }
        }
    }

    private void report(PrintWriter out, JsonNode v) {
        if (json) {
            Output.print(out, v, true);
            return;
        }
        out.printf("migration %s: %s at %s (target %s) after %.1f s, last score %s%n", v.path("id").asText(), v.path("status").asText(),
                v.path("step").asText(), v.path("target").asText(), v.path("elapsedMs").asLong() / 1000.0,
                v.path("lastScore").isNull() ? "-" : v.path("lastScore").asText());
        if (!v.path("outcome").isNull()) {
            out.println(v.path("outcome").asText());
        }
        Output.table(out, v.path("history"));
    }

    private void printPlan(PrintWriter out, JsonNode plan) {
        if (json) {
            Output.print(out, plan, true);
            return;
        }
        out.printf("dry run, nothing changed: migrate towards %s, %s soak per step%n", plan.path("target").asText(),
                Units.duration(Duration.ofMillis(plan.path("soakMs").asLong())));
        if (!plan.path("continues").isNull()) {
            out.println("continues migration " + plan.path("continues").asText());
        }
        if (!plan.path("refusal").isNull()) {
            out.println("would be refused: " + plan.path("refusal").asText());
        }
        ObjectNode snapshot = (ObjectNode) plan.path("snapshot");
        out.println("snapshot a rollback restores (absent = configured default): " + snapshot);
        com.fasterxml.jackson.databind.node.ArrayNode rows = AdminClient.json().createArrayNode();
        for (JsonNode s : plan.path("steps")) {
            rows.addObject().put("step", s.path("index").asInt() + 1).put("phase", s.path("phase").asText().toLowerCase(java.util.Locale.ROOT))
                    .put("percent", s.path("percent").asInt())
                    .put("flags", String.join(", ", iterable(s.path("flags"))));
        }
        Output.table(out, rows);
    }

    private static Iterable<String> iterable(JsonNode flags) {
        List<String> out = new java.util.ArrayList<>();
        flags.fields().forEachRemaining(e -> out.add(e.getKey() + ": " + e.getValue().asText()));
        return out;
    }
}
