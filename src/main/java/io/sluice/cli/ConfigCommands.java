package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runtime configuration commands (components and keys as in docs/architecture.md "Configuration"). */
final class ConfigCommands {
    private ConfigCommands() {
    }

    @Command(name = "config:show", mixinStandardHelpOptions = true,
            description = "Show the runtime settings, or one component's (connectionPool, circuitBreaker, gateway, monitoring).",
            footer = {"%nExamples:%n  sluice config:show%n  sluice config:show connectionPool"})
    static final class Show extends AdminCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "COMPONENT")
        String component;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get(component == null ? "/admin/v1/config" : "/admin/v1/config/" + component);
        }
    }

    @Command(name = "config:update", mixinStandardHelpOptions = true,
            description = "Change one runtime setting live on every replica (validated; a concurrent update is refused).",
            footer = {"%nExamples:%n  sluice config:update connectionPool maxConnections 20%n"
                    + "  sluice config:update circuitBreaker recoveryTimeout 10s"})
    static final class Update extends AdminCommand {
        @Parameters(index = "0", paramLabel = "COMPONENT")
        String component;

        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Parameters(index = "2", paramLabel = "VALUE")
        String value;

        @Option(names = "--reason", description = "Why, for the audit log")
        String reason;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.put("/admin/v1/config/" + component + "/" + key, Map.of("value", value, "reason", reason == null ? "" : reason));
        }
    }

    @Command(name = "config:validate", mixinStandardHelpOptions = true,
            description = "Validate the effective settings and list what a production deployment should not run without.")
    static final class Validate extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get("/admin/v1/config/validate");
        }
    }

    @Command(name = "config:export", mixinStandardHelpOptions = true,
            description = "Export the configuration as json, yaml or properties, secrets redacted; to a file or stdout.",
            footer = {"%nExample:%n  sluice config:export yaml sluice-config.yaml"})
    static final class Export extends AdminCommand {
        @Parameters(index = "0", paramLabel = "FORMAT", description = "json, yaml or properties")
        String format;

        @Parameters(index = "1", arity = "0..1", paramLabel = "FILE")
        Path file;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            String text = client.getText("/admin/v1/config/export?format=" + format);
            if (file == null) {
                return TextNode.valueOf(text);
            }
            try {
                Files.writeString(file, text);
            } catch (IOException e) {
                throw new AdminClient.Failure(0, "cannot write " + file + ": " + e.getMessage());
            }
            return TextNode.valueOf("written to " + file);
        }
    }
}
