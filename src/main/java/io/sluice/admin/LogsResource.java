package io.sluice.admin;

import io.sluice.logs.LogEntry;
import io.sluice.logs.RecentLogs;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Recent log records from the in-memory ring ({@code debug:logs}): {@code level} and more severe, from the
 * last {@code hours}, the newest {@code limit}, oldest first. An unknown level or a bad number is a 400.
 */
@Path("/admin/v1/logs")
@Produces(MediaType.APPLICATION_JSON)
public class LogsResource {
    private final RecentLogs logs;

    LogsResource(RecentLogs logs) {
        this.logs = logs;
    }

    @GET
    public List<LogEntry> recent(@QueryParam("level") @DefaultValue("INFO") String level,
            @QueryParam("hours") @DefaultValue("1") String hours, @QueryParam("limit") @DefaultValue("200") String limit) {
        // parsed here rather than by JAX-RS, which answers a malformed query parameter with a bare 404
        return logs.recent(level, number("hours", hours), (int) Math.min(number("limit", limit), logs.capacity()));
    }

    private static double number(String name, String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
        }
    }
}
