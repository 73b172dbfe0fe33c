package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Base of every command that talks to a running server: {@code --url}, {@code --token}, {@code --json},
 * and the exit codes 0 (done), 1 (the server refused or failed), 2 (the server could not be reached).
 */
abstract class AdminCommand implements Callable<Integer> {
    static final int FAILED = 1;
    static final int UNREACHABLE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ServerOptions server;

    @Option(names = "--json", description = "Print the server's JSON instead of a table")
    boolean json;

    /** Does the command's requests and returns what to print. */
    abstract JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable;

    @Override
    public Integer call() {
        try {
            JsonNode result = execute(server.client());
            Output.print(spec.commandLine().getOut(), result, json);
            return 0;
        } catch (AdminClient.Unreachable e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return UNREACHABLE;
        } catch (AdminClient.Failure e) {
            spec.commandLine().getErr().println("error: " + e.getMessage() + " (HTTP " + e.status + ")");
            return FAILED;
        } finally {
            spec.commandLine().getErr().flush();
        }
    }
}
