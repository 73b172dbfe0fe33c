package io.sluice.health;

import io.sluice.config.SluiceConfig;
import io.sluice.flags.FlagService;
import io.sluice.store.StoreService;
import io.sluice.store.StoreStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * How fresh this replica's flags are: {@code stale} when the store's last read failed (a corrupt value,
 * a deleted ConfigMap, a lost API connection) or is older than {@code sluice.flags.stale-after}. A stale
 * store only makes the replica unready when {@code sluice.flags.stale-means-unready} says so; an
 * unreadable killswitch key always does, until an operator fixes it (the replica holds the safe state).
 */
@Readiness
@ApplicationScoped
public class FlagStoreReadinessCheck implements HealthCheck {
    private final FlagService flags;
    private final StoreService store;
    private final SluiceConfig config;

    FlagStoreReadinessCheck(FlagService flags, StoreService store, SluiceConfig config) {
        this.flags = flags;
        this.store = store;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        StoreStatus s = store.status();
        Instant loaded = s.lastLoadedAt();
        boolean stale = store.isStale();
        HealthCheckResponseBuilder r = HealthCheckResponse.named("flag-store")
                .status(!(stale && config.flags().staleMeansUnready()) && !s.killswitchUnreadable())
                .withData("store", s.kind())
                .withData("location", s.location())
                .withData("stale", stale)
                .withData("lastLoadOk", s.lastLoadOk())
                .withData("killswitch", flags.current().killswitch().active());
        if (loaded != null) {
            r.withData("lastLoadedAt", loaded.toString());
        }
        if (!s.invalidKeys().isEmpty()) {
            r.withData("invalidKeys", String.join(",", s.invalidKeys()));
            r.withData("killswitchUnreadable", s.killswitchUnreadable());
        }
        if (s.lastError() != null) {
            r.withData("lastError", s.lastError());
        }
        return r.build();
    }
}
