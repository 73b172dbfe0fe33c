package io.sluice.admin;

import io.sluice.flags.Flag;
import io.sluice.flags.FlagService;
import io.sluice.flags.FlagSet;
import io.sluice.flags.Killswitch;
import io.sluice.rollout.DeploymentCheck;
import io.sluice.rollout.MigrationService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/** {@code deploy:status} (flags, killswitch, migration, health, version) and {@code deploy:rollback}. */
@Path("/admin/v1/deploy")
@Produces(MediaType.APPLICATION_JSON)
public class DeployResource {
    private final FlagService flags;
    private final MigrationService migrations;
    private final DeploymentCheck check;

    private final AdminCaller caller;

    DeployResource(FlagService flags, MigrationService migrations, DeploymentCheck check, AdminCaller caller) {
        this.caller = caller;
        this.flags = flags;
        this.migrations = migrations;
        this.check = check;
    }

    @GET
    @Path("/status")
    public Status status() {
        FlagSet set = flags.current();
        DeploymentCheck.Result health = check.run();
        MigrationService.View m = migrations.view();
        return new Status(ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("dev"),
                io.quarkus.runtime.configuration.ConfigUtils.getProfiles().toString(),
                new Health(health.score(), health.threshold(), health.passed(), health.failures()), set.killswitch(),
                new MigrationSummary(m.status().name(), m.id(), m.phase(), m.step(), m.target(), m.elapsedMs(), m.lastScore(), m.outcome()),
                List.copyOf(set.flags().values()));
    }

    /** Rolls back the active migration, or pulls the killswitch when none is active; the reason is recorded. */
    @POST
    @Path("/rollback")
    public MigrationService.RollbackOutcome rollback(FlagsResource.Change change, @HeaderParam(FlagsResource.OPERATOR_HEADER) String operator) {
        return migrations.rollbackOrKillswitch(caller.who(operator), change == null ? null : change.reason());
    }

    public record Health(int score, int threshold, boolean passed, List<String> failures) {
    }

    public record MigrationSummary(String status, String id, String phase, String step, String target, Long elapsedMs, Integer lastScore,
            String outcome) {
    }

    public record Status(String version, String profiles, Health health, Killswitch killswitch, MigrationSummary migration, List<Flag> flags) {
    }
}
