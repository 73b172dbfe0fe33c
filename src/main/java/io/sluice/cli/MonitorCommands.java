package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Command(name = "monitor:metrics", mixinStandardHelpOptions = true,
            description = {"Show statement throughput, error rate and latency percentiles (p50/p95/p99) by statement kind over the "
                    + "last 1, 5 and 15 minutes, and every Sluice meter's current value.",
                    "With 'performance' only the rolling windows. Save --json output as a baseline for 'health-check --baseline'."},
            footer = {"%nExamples:%n  sluice monitor:metrics%n  sluice monitor:metrics performance%n"
                    + "  sluice monitor:metrics --json > baseline.json"})
    static final class Metrics extends AdminCommand {
        @Parameters(arity = "0..1", paramLabel = "performance", description = "Show only the rolling performance windows")
        String view;

        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            if (view != null && !view.equals("performance")) {
                throw new AdminClient.Failure(400, "unknown view '" + view + "': the only view is 'performance'");
            }
            ObjectNode answer = (ObjectNode) client.get("/admin/v1/metrics");
            if (view != null) {
                answer.remove("meters");
            }
            if (json) {
                return answer;
            }
            ObjectNode table = AdminClient.json().createObjectNode();
            table.put("at", answer.path("at").asText());
            if (!answer.path("latencyRecorded").asBoolean()) {
                table.put("note", "no latency recorded: enable the enterprise-monitoring flag for percentiles");
            }
            ArrayNode rows = table.putArray("windows");
            answer.path("windows").fields().forEachRemaining(w -> w.getValue().path("statements").fields().forEachRemaining(k -> {
                ObjectNode row = rows.addObject();
                row.put("window", w.getKey());
                row.put("kind", k.getKey());
                JsonNode f = k.getValue();
                row.put("count", f.path("count").asLong());
                row.put("perSecond", String.format("%.1f", f.path("perSecond").asDouble()));
                // the server's failures (what verdicts count) and the application's own SQL errors, apart
                row.put("errorRate", String.format("%.2f%%", f.path("errorRate").asDouble() * 100));
                row.put("clientErrorRate", String.format("%.2f%%", f.path("clientErrorRate").asDouble() * 100));
                row.set("p50Ms", f.path("p50Ms"));
                row.set("p95Ms", f.path("p95Ms"));
                row.set("p99Ms", f.path("p99Ms"));
            }));
            if (answer.has("meters")) {
                ArrayNode meters = table.putArray("meters");
                for (JsonNode m : answer.path("meters")) {
                    ObjectNode row = meters.addObject();
                    row.put("name", m.path("name").asText());
                    StringBuilder tags = new StringBuilder();
                    m.path("tags").fields().forEachRemaining(
                            t -> tags.append(tags.length() == 0 ? "" : ",").append(t.getKey()).append('=').append(t.getValue().asText()));
                    row.put("tags", tags.toString());
                    row.set("value", m.path("value"));
                }
            }
            return table;
        }
    }

    @Command(name = "debug:performance", mixinStandardHelpOptions = true,
            description = "Show where time goes: statement kinds over the last 5 minutes slowest first, pool acquire waits, "
                    + "heap, GC, CPU and threads, and findings, each with the figure that triggered it.",
            footer = {"%nExamples:%n  sluice debug:performance%n  sluice debug:performance --json"})
    static final class Performance extends AdminCommand {
        @Override
        JsonNode execute(AdminClient client) throws AdminClient.Failure, AdminClient.Unreachable {
            return client.get("/admin/v1/metrics/performance");
        }
    }
}
