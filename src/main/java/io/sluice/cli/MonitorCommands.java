package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Monitoring commands. */
final class MonitorCommands {
    private MonitorCommands() {
    }

    @Command(name = "monitor:health", mixinStandardHelpOptions = true,
            description = "Show the health score (0-100, pass mark 85), its weighted checks and critical failures. "
                    + "Exits 1 when the server is not healthy.",
            footer = {"%nExamples:%n  sluice monitor:health%n  sluice monitor:health --detailed --json"})
    static final class Health extends AdminCommand {
        @Option(names = "--detailed", description = "Add memory, threads, uptime, version and active profile")
        boolean detailed;

        private boolean healthy = true;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            JsonNode answer = client.get("/admin/v1/health?detailed=" + detailed);
            healthy = answer.at("/report/healthy").asBoolean(false);
            return answer;
        }

        @Override
        public Integer call() {
            int exit = super.call();
            return exit == 0 && !healthy ? FAILED : exit;
        }
    }
}
