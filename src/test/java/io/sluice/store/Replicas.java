package io.sluice.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.flags.FlagService;
import io.sluice.flags.FlagsFixture;
import io.sluice.flags.TestConfig;
import io.sluice.metrics.SluiceMetrics;
import java.util.IdentityHashMap;
import java.util.Map;

/** Replicas of the store with their flags as first tenant, as start-up wires them, without booting Quarkus. */
final class Replicas implements AutoCloseable {
    private final Map<FlagService, StoreService> stores = new IdentityHashMap<>();

    /** A replica on {@code backend} (opened at once), or not opened yet when it is null. */
    FlagService on(Store backend, String... props) {
        StoreService store = new StoreService(TestConfig.with(props), null, new SluiceMetrics(new SimpleMeterRegistry()));
        FlagService s = FlagsFixture.flags(TestConfig.with(props), store);
        stores.put(s, store);
        if (backend != null) {
            store.open(backend);
        }
        return s;
    }

    StoreService store(FlagService s) {
        return stores.get(s);
    }

    @Override
    public void close() {
        stores.values().forEach(StoreService::close);
    }
}
