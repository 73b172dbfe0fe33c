package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Feature-flag commands: every change goes to the flag store (all replicas) and is audited on the server. */
final class FlagCommands {
    private FlagCommands() {
    }

    private static String flagPath(String flag) {
        return "/admin/v1/flags/" + java.net.URLEncoder.encode(flag, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Command(name = "flags:show", mixinStandardHelpOptions = true,
            description = "Show every flag (enabled, rollout %%), the killswitch and the flag store's state.",
            footer = {"%nExample:%n  sluice flags:show --json"})
    static final class Show extends AdminCommand {
        @Option(names = "--audit", description = "Show the audit log instead")
        boolean audit;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get(audit ? "/admin/v1/flags/audit" : "/admin/v1/flags");
        }
    }

    @Command(name = "flags:audit", mixinStandardHelpOptions = true,
            description = "Page through the audit history of flag and setting changes, newest first. With the file store it "
                    + "reaches beyond the store's last sluice.flags.audit-size entries (a rotated file next to the store); with "
                    + "the Kubernetes store older entries are the server's io.sluice.audit log lines.",
            footer = {"%nExamples:%n  sluice flags:audit%n  sluice flags:audit --offset 50 --limit 50 --json"})
    static final class Audit extends AdminCommand {
        @Option(names = "--offset", defaultValue = "0", description = "Newest entries to skip; default ${DEFAULT-VALUE}")
        int offset;

        @Option(names = "--limit", defaultValue = "50", description = "Entries shown, 1-1000; default ${DEFAULT-VALUE}")
        int limit;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            JsonNode page = client.get("/admin/v1/flags/audit/history?offset=" + offset + "&limit=" + limit);
            if (json) {
                return page;
            }
            com.fasterxml.jackson.databind.node.ObjectNode view = AdminClient.json().createObjectNode();
            view.put("source", page.path("source").asText());
            view.put("entries", (offset + 1) + "-" + (offset + page.path("entries").size()) + (page.path("more").asBoolean()
                    ? " (older: --offset " + (offset + page.path("entries").size()) + ")" : " (no older entries)"));
            view.set("history", page.path("entries").isEmpty() ? com.fasterxml.jackson.databind.node.TextNode.valueOf("(none)")
                    : page.path("entries"));
            return view;
        }
    }

    /** Enable and disable differ only in their verb. */
    abstract static class Toggle extends AdminCommand {
        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REASON")
        String reason;

        abstract String verb();

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.post(flagPath(flag) + "/" + verb(), Map.of("reason", reason == null ? "" : reason));
        }
    }

    @Command(name = "flags:enable", mixinStandardHelpOptions = true, description = "Enable a flag on every replica.",
            footer = {"%nExample:%n  sluice flags:enable ENABLE_CIRCUIT_BREAKER \"incident 42 resolved\""})
    static final class Enable extends Toggle {
        @Override
        String verb() {
            return "enable";
        }
    }

    @Command(name = "flags:disable", mixinStandardHelpOptions = true, description = "Disable a flag on every replica.",
            footer = {"%nExample:%n  sluice flags:disable ENABLE_CONNECTION_POOL \"pool suspected in incident 42\""})
    static final class Disable extends Toggle {
        @Override
        String verb() {
            return "disable";
        }
    }

    @Command(name = "flags:rollout", mixinStandardHelpOptions = true,
            description = "Set a flag's rollout percentage (0-100); raising it only ever adds clients.",
            footer = {"%nExample:%n  sluice flags:rollout ENABLE_STATE_MACHINE 25"})
    static final class Rollout extends AdminCommand {
        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Parameters(index = "1", paramLabel = "PERCENTAGE")
        int percentage;

        @Option(names = "--reason", description = "Why, for the audit log")
        String reason;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.put(flagPath(flag) + "/rollout", Map.of("percentage", percentage, "reason", reason == null ? "" : reason));
        }
    }

    @Command(name = "flags:define", mixinStandardHelpOptions = true,
            description = "Create (or replace) an operator-defined flag on every replica; applications ask whether it applies to "
                    + "a client with the same bucketing as the built-in flags. Built-in flag names are refused.",
            footer = {"%nExamples:%n  sluice flags:define checkout-v2 --rollout 10 --reason \"canary of the new checkout\"%n"
                    + "  sluice flags:define checkout-v2 --disabled"})
    static final class Define extends AdminCommand {
        @Parameters(index = "0", paramLabel = "FLAG", description = "A-Z a-z 0-9 _ . - (at most 200)")
        String flag;

        @Option(names = "--disabled", description = "Define it switched off (default: enabled)")
        boolean disabled;

        @Option(names = "--rollout", paramLabel = "PERCENTAGE", defaultValue = "100",
                description = "Rollout percentage 0-100; default ${DEFAULT-VALUE}")
        int rollout;

        @Option(names = "--reason", description = "Why, for the audit log")
        String reason;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.put(flagPath(flag), Map.of("enabled", !disabled, "rollout", rollout, "reason", reason == null ? "" : reason));
        }
    }

    @Command(name = "flags:delete", mixinStandardHelpOptions = true,
            description = "Delete an operator-defined flag on every replica (audited). Built-in flags and the killswitch cannot be "
                    + "deleted: disable them, or release the killswitch, instead.",
            footer = {"%nExample:%n  sluice flags:delete checkout-v2 \"rolled out everywhere, code path removed\""})
    static final class Delete extends AdminCommand {
        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REASON")
        String reason;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.delete(flagPath(flag) + "?reason=" + java.net.URLEncoder.encode(reason == null ? "" : reason,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Command(name = "flags:killswitch", mixinStandardHelpOptions = true,
            description = "Turn off pool, state machine and breaker on every replica at once (monitoring stays on); "
                    + "persists across restarts. --off restores the flags.",
            footer = {"%nExamples:%n  sluice flags:killswitch \"errors after deploy\"%n  sluice flags:killswitch --off \"fixed\""})
    static final class Killswitch extends AdminCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REASON")
        String reason;

        @Option(names = "--off", description = "Release the killswitch")
        boolean off;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.post(off ? "/admin/v1/flags/killswitch/restore" : "/admin/v1/flags/killswitch",
                    Map.of("reason", reason == null ? "" : reason));
        }
    }
}
