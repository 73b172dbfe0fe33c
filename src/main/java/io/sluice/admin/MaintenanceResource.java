package io.sluice.admin;

import io.sluice.breaker.BreakerStatus;
import io.sluice.breaker.BreakerTuning;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.config.TuningSuggestion;
import io.sluice.gateway.StreamManager;
import io.sluice.pool.Backend;
import io.sluice.pool.DataBackup;
import io.sluice.pool.PoolStatus;
import io.sluice.pool.PoolTuning;
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
        List<TuningSuggestion> out = new ArrayList<>(PoolTuning.suggest(pool));
        out.addAll(BreakerTuning.suggest(b));
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

    public record Optimize(List<TuningSuggestion> suggestions, PoolStatus pool, String breakerState) {
    }
}
