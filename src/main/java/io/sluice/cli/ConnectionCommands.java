package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Commands about backend connections and the circuit breaker. */
final class ConnectionCommands {
    private ConnectionCommands() {
    }

    @Command(name = "monitor:connections", mixinStandardHelpOptions = true,
            description = "Show the connection pool: active, idle, awaiting, saturated, limits, acquire times, timeouts, leaks, running statements.",
            footer = {"%nExample:%n  sluice monitor:connections --url http://sluice:8080"})
    static final class Monitor extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get("/admin/v1/connections");
        }
    }

    @Command(name = "debug:connections", mixinStandardHelpOptions = true,
            description = "Show every open lease (holder stream, state, duration, statements), every running statement "
                    + "(age, principal, redacted SQL) and the backend connectivity history; --cancel stops one statement (audited).",
            footer = {"%nExamples:%n  sluice debug:connections --json%n  sluice debug:connections --cancel 42 --reason \"runaway report query\""})
    static final class Debug extends AdminCommand {
        @Option(names = "--cancel", paramLabel = "ID", description = "Cancel the running statement with this id")
        Long cancel;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log (with --cancel)")
        String reason;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            if (cancel != null) {
                return client.post("/admin/v1/connections/statements/" + cancel + "/cancel", Map.of("reason", reason == null ? "" : reason));
            }
            ObjectNode out = AdminClient.json().createObjectNode();
            out.set("leases", client.get("/admin/v1/connections/leases"));
            out.set("statements", client.get("/admin/v1/connections/statements"));
            out.set("connectivity", client.get("/admin/v1/connections/connectivity"));
            return out;
        }
    }

    @Command(name = "debug:circuit-breaker", mixinStandardHelpOptions = true,
            description = "Show the circuit breaker; --reset closes it, --force-open opens it until reset (a reason is required). "
                    + "Both are audited (flags:audit).",
            footer = {"%nExamples:%n  sluice debug:circuit-breaker%n  sluice debug:circuit-breaker --force-open \"database maintenance\"%n"
                    + "  sluice debug:circuit-breaker --reset --reason \"maintenance over\""})
    static final class Breaker extends AdminCommand {
        @Option(names = "--reset", description = "Close the breaker with a fresh failure window")
        boolean reset;

        @Option(names = "--force-open", paramLabel = "REASON",
                description = "Open the breaker until --reset; REASON (required, at most 200 characters) goes into the audit trail")
        String forceOpen;

        @Option(names = "--reason", paramLabel = "TEXT", description = "With --reset: why, for the audit trail")
        String reason;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            if (reset && forceOpen != null) {
                throw new AdminClient.Failure(400, "choose one of --reset and --force-open");
            }
            if (reason != null && !reset) {
                throw new AdminClient.Failure(400, "--reason goes with --reset; give --force-open its reason as its value");
            }
            if (reset) {
                return client.post("/admin/v1/breaker/reset", Map.of("reason", reason == null ? "" : reason));
            }
            if (forceOpen != null) {
                if (forceOpen.isBlank()) {
                    throw new AdminClient.Failure(400, "--force-open needs a reason, e.g. --force-open \"database maintenance\"");
                }
                return client.post("/admin/v1/breaker/force-open", Map.of("reason", forceOpen));
            }
            return client.get("/admin/v1/breaker");
        }
    }
}
