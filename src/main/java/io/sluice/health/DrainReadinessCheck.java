package io.sluice.health;

import io.sluice.gateway.StreamManager;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready from SIGTERM on: the load balancer stops sending new work while streams in flight finish. */
@Readiness
@ApplicationScoped
public class DrainReadinessCheck implements HealthCheck {
    private final StreamManager streams;

    DrainReadinessCheck(StreamManager streams) {
        this.streams = streams;
    }

    @Override
    public HealthCheckResponse call() {
        boolean draining = streams.isDraining();
        return HealthCheckResponse.named("shutdown").status(!draining)
                .withData("draining", draining)
                .withData("openStreams", streams.openStreamCount())
                .build();
    }
}
