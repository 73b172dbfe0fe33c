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
            description = "Show the connection pool: active, idle, awaiting, limits, acquire times, timeouts, leaks.",
            footer = {"%nExample:%n  sluice monitor:connections --url http://sluice:8080"})
    static final class Monitor extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get("/admin/v1/connections");
        }
    }

    @Command(name = "debug:connections", mixinStandardHelpOptions = true,
            description = "Show every open lease (holder stream, state, duration, statements) and the backend connectivity history.",
            footer = {"%nExample:%n  sluice debug:connections --json"})
    static final class Debug extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            ObjectNode out = AdminClient.JSON.createObjectNode();
            out.set("leases", client.get("/admin/v1/connections/leases"));
            out.set("connectivity", client.get("/admin/v1/connections/connectivity"));
            return out;
        }
    }

    @Command(name = "debug:circuit-breaker", mixinStandardHelpOptions = true,
            description = "Show the circuit breaker; --reset closes it, --force-open opens it until reset.",
            footer = {"%nExamples:%n  sluice debug:circuit-breaker%n  sluice debug:circuit-breaker --force-open \"database maintenance\"%n"
                    + "  sluice debug:circuit-breaker --reset"})
    static final class Breaker extends AdminCommand {
        @Option(names = "--reset", description = "Close the breaker with a fresh failure window")
        boolean reset;

        @Option(names = "--force-open", paramLabel = "REASON", description = "Open the breaker until --reset")
        String forceOpen;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            if (reset && forceOpen != null) {
                throw new AdminClient.Failure(400, "choose one of --reset and --force-open");
            }
            if (reset) {
                return client.post("/admin/v1/breaker/reset", Map.of());
            }
            if (forceOpen != null) {
                return client.post("/admin/v1/breaker/force-open", Map.of("reason", forceOpen));
            }
            return client.get("/admin/v1/breaker");
        }
    }
}
