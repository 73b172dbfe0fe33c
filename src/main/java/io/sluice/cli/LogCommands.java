package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Recent log records from the server's in-memory ring. */
final class LogCommands {
    private LogCommands() {
    }

    @Command(name = "debug:logs", mixinStandardHelpOptions = true,
            description = "Show recent log records at LEVEL or more severe from the last HOURS (default 1), oldest first. "
                    + "Messages have secrets scrubbed and SQL literals redacted; only the exception's class is shown.",
            footer = {"%nLevels: TRACE, DEBUG, INFO, WARN, ERROR. The server keeps the newest sluice.logs.ring-size records "
                    + "(default 2000) since it started.%n%nExamples:%n  sluice debug:logs WARN%n  sluice debug:logs ERROR 24%n"
                    + "  sluice debug:logs INFO 0.25 --limit 50 --json"})
    static final class Logs extends AdminCommand {
        @Parameters(index = "0", paramLabel = "LEVEL", description = "TRACE, DEBUG, INFO, WARN or ERROR")
        String level;

        @Parameters(index = "1", arity = "0..1", paramLabel = "HOURS", defaultValue = "1",
                description = "How far back, in hours (fractions allowed); default ${DEFAULT-VALUE}")
        String hours;

        @Option(names = "--limit", defaultValue = "200", description = "Most records shown, the newest; default ${DEFAULT-VALUE}")
        int limit;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            double h;
            try {
                h = Double.parseDouble(hours);
            } catch (NumberFormatException e) {
                throw new AdminClient.Failure(0, "HOURS must be a number, not '" + hours + "'");
            }
            return client.get("/admin/v1/logs?level=" + URLEncoder.encode(level, StandardCharsets.UTF_8)
                    + "&hours=" + h + "&limit=" + limit);
        }
    }
}
