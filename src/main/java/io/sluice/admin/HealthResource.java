package io.sluice.admin;

import io.sluice.health.HealthScore;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import org.eclipse.microprofile.config.ConfigProvider;

/** The health score ({@code monitor:health}); {@code detailed=true} adds memory, threads, uptime, version and profile. */
@Path("/admin/v1/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private final HealthScore score;
    private final io.sluice.rollout.DeploymentCheck deployment;

    HealthResource(HealthScore score, io.sluice.rollout.DeploymentCheck deployment) {
        this.score = score;
        this.deployment = deployment;
    }

    /** The deployment health check ({@code sluice health-check}, the migration's gate): passed, and each failure named. */
    @GET
    @jakarta.ws.rs.Path("/deployment")
    public io.sluice.rollout.DeploymentCheck.Result deployment() {
        return deployment.run();
    }

    @GET
    public Detailed health(@QueryParam("detailed") @DefaultValue("false") boolean detailed) {
        HealthScore.Report report = score.evaluate();
        if (!detailed) {
            return new Detailed(report, null);
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        var config = ConfigProvider.getConfig();
        return new Detailed(report, new Runtime(heap.getUsed(), heap.getMax(), ManagementFactory.getThreadMXBean().getThreadCount(),
                ManagementFactory.getRuntimeMXBean().getUptime(),
                config.getOptionalValue("quarkus.application.version", String.class).orElse("dev"),
                io.quarkus.runtime.configuration.ConfigUtils.getProfiles().toString()));
    }

    public record Detailed(HealthScore.Report report, Runtime runtime) {
    }

    public record Runtime(long heapUsedBytes, long heapMaxBytes, int threads, long uptimeMs, String version, String profiles) {
    }
}
