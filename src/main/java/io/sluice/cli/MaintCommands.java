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

    @Command(name = "config:backup", mixinStandardHelpOptions = true,
            description = "Save the runtime settings (not the data: see maint:backup-data) to a properties file, secrets "
                    + "redacted, or --restore one.",
            footer = {"%nExamples:%n  sluice config:backup%n  sluice config:backup settings.properties%n"
                    + "  sluice config:backup --restore settings.properties"})
    static class Backup extends AdminCommand {
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
                    : Path.of("sluice-settings-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".properties");
            String text = client.getText("/admin/v1/config/export?format=properties");
            try {
                Files.writeString(target, text);
            } catch (IOException e) {
                throw new AdminClient.Failure(0, "cannot write " + target + ": " + e.getMessage());
            }
            return TextNode.valueOf("runtime settings saved to " + target);
        }
    }

    /** The old name of {@code config:backup}, kept working for scripts; hidden from help and completion. */
    @Command(name = "maint:backup", hidden = true, mixinStandardHelpOptions = true,
            description = "Deprecated: renamed config:backup (it saves the runtime settings, not the data; see maint:backup-data).")
    static final class DeprecatedBackup extends Backup {
        @Override
        public Integer call() {
            spec.commandLine().getErr().println("warning: 'maint:backup' is deprecated and saves only the runtime settings; it is "
                    + "now 'config:backup'. A backup of the data is 'maint:backup-data'.");
            return super.call();
        }
    }

    @Command(name = "maint:backup-data", mixinStandardHelpOptions = true,
            description = {"Back up the data. On SQLite the server copies the live database online (VACUUM INTO: a consistent "
                    + "snapshot while clients go on) into NAME in its backup directory (sluice.admin.backup-dir, default "
                    + "<data-dir>/backups); NAME is a file name, never a path. On PostgreSQL it prints how to use pg_dump and exits 1."},
            footer = {"%nExamples:%n  sluice maint:backup-data%n  sluice maint:backup-data before-upgrade.db --timeout 2h"})
    static final class BackupData extends AdminCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
                description = "File name in the backup directory; default sluice-<UTC timestamp>.db")
        String name;

        @Option(names = "--timeout", defaultValue = "1h", paramLabel = "DURATION",
                description = "How long to wait for the server to finish the copy; default ${DEFAULT-VALUE}")
        java.time.Duration timeout;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            JsonNode r = client.post("/admin/v1/maintenance/backup", java.util.Collections.singletonMap("name", name),
                    timeout.isZero() ? java.time.Duration.ofHours(1) : timeout);
            return json ? r : TextNode.valueOf(String.format(java.util.Locale.ROOT, "%s backed up to %s on the server: %s in %s",
                    r.path("backend").asText(), r.path("file").asText(), Units.bytes(r.path("bytes").asLong()),
                    Units.duration(java.time.Duration.ofMillis(r.path("tookMs").asLong()))));
        }
    }
}
