package io.sluice.admin;

import io.sluice.breaker.BreakerStatus;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.gateway.StreamManager;
import io.sluice.pool.Backend;
import io.sluice.pool.DataBackup;
import io.sluice.pool.PoolStatus;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Maintenance ({@code maint:*}): cleanup, optimisation suggestions from measured figures, restore of a settings backup, data backup. */
@Path("/admin/v1/maintenance")
@Produces(MediaType.APPLICATION_JSON)
public class MaintenanceResource {
    /** Breaker transitions since start above which the breaker is called flapping. */
    static final long FLAPPING_TRANSITIONS = 6;

    private final Backend backend;
    private final StreamManager streams;
    private final CircuitBreaker breaker;
    private final RuntimeSettingsService settings;

    private final AdminCaller caller;
    private final DataBackup dataBackup;

    MaintenanceResource(Backend backend, StreamManager streams, CircuitBreaker breaker, RuntimeSettingsService settings, AdminCaller caller,
            DataBackup dataBackup) {
        this.caller = caller;
        this.dataBackup = dataBackup;
        this.backend = backend;
        this.streams = streams;
        this.breaker = breaker;
        this.settings = settings;
    }

    /** Expires idle streams past their timeout now and closes idle pooled connections. */
    @POST
    @Path("/cleanup")
    public Cleanup cleanup() {
        int open = streams.expireIdleNow();
        long flushed = backend.flushIdle();
        return new Cleanup(open, flushed);
    }

    /** Suggestions computed from the pool's and the breaker's own figures, each with the figure behind it. */
    @GET
    @Path("/optimize")
    public Optimize optimize() {
        PoolStatus pool = backend.status();
        BreakerStatus b = breaker.status();
        List<Suggestion> out = new ArrayList<>();
        if (pool.timeouts() > 0 || pool.awaiting() > 0) {
            out.add(new Suggestion("connectionPool", "maxConnections", "raise it above " + pool.maxConnections(),
                    pool.timeouts() + " acquire timeouts, " + pool.awaiting() + " requests waiting now, average wait "
                            + pool.acquireAverage().toMillis() + " ms"));
        }
        if (pool.maxUsed() < pool.minConnections()) {
            out.add(new Suggestion("connectionPool", "minConnections", "lower it to " + Math.max(0, pool.maxUsed()),
                    "at most " + pool.maxUsed() + " connections were ever in use at once, " + pool.minConnections() + " are kept open"));
        }
        if (b.totalTransitions() >= FLAPPING_TRANSITIONS) {
            out.add(new Suggestion("circuitBreaker", "failureThreshold", "raise it above " + b.failureThreshold(),
                    b.totalTransitions() + " breaker state changes since start"));
        }
        if (pool.leaks() > 0) {
            out.add(new Suggestion("connectionPool", "leakTimeout", "check clients that keep streams open",
                    pool.leaks() + " leases were held past the leak timeout"));
        }
        return new Optimize(out, pool, b.state().name());
    }

    /** Restores runtime settings from a backup (the properties of {@code config:export properties}). */
    @POST
    @Path("/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    public ConfigResource.ConfigView restore(Map<String, String> backup, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        if (backup == null || backup.isEmpty()) {
            throw new IllegalArgumentException("backup: a JSON object of component.key properties is required");
        }
        return new ConfigResource.ConfigView(settings.environment(), settings.restore(backup,
                caller.who(operator), "config:backup --restore"));
    }

    /**
     * An online backup of the data into a file of the server's backup directory ({@code maint:backup-data});
     * on PostgreSQL 409 with pg_dump guidance.
     */
    @POST
    @Path("/backup")
    @Consumes(MediaType.APPLICATION_JSON)
    public DataBackup.Result backup(BackupRequest request, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return dataBackup.backup(request == null ? null : request.name(), caller.who(operator));
    }

    /** @param name a file name in the backup directory (not a path); empty: {@code sluice-<UTC timestamp>.db} */
    public record BackupRequest(String name) {
    }

    public record Cleanup(int openStreams, long idleConnectionsClosed) {
    }

    public record Suggestion(String component, String key, String action, String because) {
    }

    public record Optimize(List<Suggestion> suggestions, PoolStatus pool, String breakerState) {
    }
}
