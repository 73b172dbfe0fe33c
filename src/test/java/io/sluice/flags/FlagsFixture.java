package io.sluice.flags;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.store.StoreService;

/** Builds a replica's flags on a store without booting Quarkus (tests in other packages). */
public final class FlagsFixture {
    private FlagsFixture() {
    }

    /** The flags feature as the store's first tenant, as at start-up. */
    public static FlagService flags(SluiceConfig config, StoreService store) {
        return new FlagService(config, new FlagDecisions(config), store, new SluiceMetrics(new SimpleMeterRegistry()));
    }
}
