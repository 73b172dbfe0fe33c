package io.sluice.health;

import io.sluice.breaker.BreakerState;
import io.sluice.breaker.BreakerStatus;
import io.sluice.breaker.CircuitBreaker;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the breaker is open (or forced open): requests would only fail fast. Half-open counts
 * as ready, so that traffic arrives to probe the database.
 */
@Readiness
@ApplicationScoped
public class BreakerReadinessCheck implements HealthCheck {
    private final CircuitBreaker breaker;

    BreakerReadinessCheck(CircuitBreaker breaker) {
        this.breaker = breaker;
    }

    @Override
    public HealthCheckResponse call() {
        BreakerStatus s = breaker.status();
        boolean up = s.state() != BreakerState.OPEN && s.state() != BreakerState.FORCED_OPEN;
        HealthCheckResponseBuilder r = HealthCheckResponse.named("circuit-breaker").status(up)
                .withData("state", s.state().name())
                .withData("recentFailures", s.recentFailures());
        if (s.nextProbeAt() != null) {
            r.withData("nextProbeAt", s.nextProbeAt().toString());
        }
        return r.build();
    }
}
