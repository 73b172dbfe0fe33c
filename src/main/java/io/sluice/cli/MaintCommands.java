package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Maintenance commands. */
final class MaintCommands {
    private MaintCommands() {
    }

    @Command(name = "maint:cleanup", mixinStandardHelpOptions = true,
            description = "Expire idle streams past their timeout now and close idle pooled connections.")
    static final class Cleanup extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.post("/admin/v1/maintenance/cleanup", Map.of());
        }
    }

    @Command(name = "maint:optimize", mixinStandardHelpOptions = true,
            description = "Suggest settings from measured figures (lease waits, pool use, breaker flapping, leaks), each with its figure.")
    static final class Optimize extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get("/admin/v1/maintenance/optimize");
        }
    }

    @Command(name = "maint:backup", mixinStandardHelpOptions = true,
            description = "Save the runtime settings to a properties file (secrets redacted), or --restore one.",
            footer = {"%nExamples:%n  sluice maint:backup%n  sluice maint:backup settings.properties%n"
                    + "  sluice maint:backup --restore settings.properties"})
    static final class Backup extends AdminCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE")
        Path file;

        @Option(names = "--restore", description = "Restore the runtime settings from FILE instead")
        boolean restore;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            if (restore) {
                if (file == null) {
                    throw new AdminClient.Failure(0, "--restore needs the backup FILE");
                }
                Properties props = new Properties();
                try {
                    props.load(new StringReader(Files.readString(file)));
                } catch (IOException e) {
                    throw new AdminClient.Failure(0, "cannot read " + file + ": " + e.getMessage());
                }
                Map<String, String> backup = new TreeMap<>();
                props.stringPropertyNames().forEach(k -> backup.put(k, props.getProperty(k)));
                return client.post("/admin/v1/maintenance/restore", backup);
            }
            Path target = file != null ? file
                    : Path.of("sluice-backup-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".properties");
            String text = client.getText("/admin/v1/config/export?format=properties");
            try {
                Files.writeString(target, text);
            } catch (IOException e) {
                throw new AdminClient.Failure(0, "cannot write " + target + ": " + e.getMessage());
            }
            return TextNode.valueOf("runtime settings saved to " + target);
        }
    }
}
