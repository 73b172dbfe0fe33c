package io.sluice.health;

import io.sluice.pool.Backend;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the backend has been prepared (SQLite file opened, or PostgreSQL contacted). */
@Startup
@ApplicationScoped
public class StartupCheck implements HealthCheck {
    private final Backend backend;

    StartupCheck(Backend backend) {
        this.backend = backend;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("backend-started").status(backend.isStarted())
                .withData("backend", backend.backendName()).build();
    }
}
