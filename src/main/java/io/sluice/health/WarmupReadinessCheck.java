package io.sluice.health;

import io.sluice.gateway.SelfWarmup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while the self-warm-up runs: the load balancer sends traffic only to a server the JIT has warmed. */
@Readiness
@ApplicationScoped
public class WarmupReadinessCheck implements HealthCheck {
    private final SelfWarmup warmup;

    WarmupReadinessCheck(SelfWarmup warmup) {
        this.warmup = warmup;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("warm-up").status(warmup.isDone())
                .withData("state", warmup.state().name().toLowerCase(java.util.Locale.ROOT))
                .withData("requests", warmup.requestCount())
                .build();
    }
}
