package io.sluice.health;

import io.sluice.config.SluiceConfig;
import io.sluice.flags.FlagService;
import io.sluice.store.StoreService;
import org.eclipse.microprofile.health.HealthCheckResponse;

/** Lets tests in other packages call the package-private constructor of {@link FlagStoreReadinessCheck}. */
public final class FlagStoreReadinessCheckProbe {
    private final FlagStoreReadinessCheck check;

    public FlagStoreReadinessCheckProbe(FlagService flags, StoreService store, SluiceConfig config) {
        this.check = new FlagStoreReadinessCheck(flags, store, config);
    }

    public HealthCheckResponse call() {
        return check.call();
    }
}
