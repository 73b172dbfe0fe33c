package io.sluice.health;

import io.sluice.pool.Backend;
import io.sluice.pool.PoolStatus;
import io.sluice.state.Connectivity;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the database works. Passive first: a lease that succeeded in the last
 * {@value #PASSIVE_WINDOW_SECONDS} s while the backend is connected is proof enough, so probes cost
 * nothing under traffic. Otherwise one active probe with a connection of its own. A pool that is merely
 * saturated (all connections busy, requests waiting) is still ready: the database is fine; the detail
 * says {@code saturated: true} and how many statements run.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadinessCheck implements HealthCheck {
    static final int PASSIVE_WINDOW_SECONDS = 10;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final Backend backend;

    DatabaseReadinessCheck(Backend backend) {
        this.backend = backend;
    }

    @Override
    public HealthCheckResponse call() {
        Connectivity connectivity = backend.connectivity().current();
        long sinceSuccess = System.nanoTime() - backend.lastSuccessNanos();
        boolean recentSuccess = backend.lastSuccessNanos() != 0 && sinceSuccess < Duration.ofSeconds(PASSIVE_WINDOW_SECONDS).toNanos();
        boolean passive = recentSuccess && (connectivity == Connectivity.CONNECTED || connectivity == Connectivity.DEGRADED);
        boolean up = passive || backend.probe(PROBE_TIMEOUT);
        PoolStatus pool = backend.status();
        HealthCheckResponseBuilder r = HealthCheckResponse.named("database").status(up)
                .withData("backend", pool.backend())
                .withData("connectivity", backend.connectivity().current().name())
                .withData("check", passive ? "passive" : "active")
                .withData("poolActive", pool.active())
                .withData("poolMax", pool.maxConnections())
                .withData("poolAwaiting", pool.awaiting())
                .withData("saturated", pool.saturated())
                .withData("runningStatements", pool.runningStatements());
        if (!up && backend.failingSinceMillis() != 0) {
            r.withData("failingSince", Instant.ofEpochMilli(backend.failingSinceMillis()).toString());
        }
        return r.build();
    }
}
