package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code deploy:status} and {@code deploy:rollback}. */
final class DeployCommands {
    private DeployCommands() {
    }

    @Command(name = "deploy:status", mixinStandardHelpOptions = true,
            description = "Show the deployment: version, health score and check, killswitch, migration phase and step, flags.",
            footer = {"%nExample:%n  sluice deploy:status --json"})
    static final class Status extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get("/admin/v1/deploy/status");
        }
    }

    @Command(name = "deploy:rollback", mixinStandardHelpOptions = true,
            description = "Roll back the active migration to the flags from before it; when none is active, pull the killswitch. "
                    + "The reason is recorded either way.",
            footer = {"%nExample:%n  sluice deploy:rollback \"p95 doubled after canary\""})
    static final class Rollback extends AdminCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REASON")
        String reason;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            JsonNode r = client.post("/admin/v1/deploy/rollback", Map.of("reason", reason == null ? "" : reason));
            return json ? r : TextNode.valueOf(describe(r));
        }
    }

    /** One line saying what a rollback did. */
    static String describe(JsonNode outcome) {
        return outcome.path("action").asText().equals("killswitch")
                ? "killswitch pulled: " + outcome.path("reason").asText()
                : "migration " + outcome.at("/migration/id").asText() + " rolled back to its snapshot: " + outcome.path("reason").asText();
    }
}
