package io.sluice.pool;

import io.sluice.config.RuntimeSettings;
import io.sluice.config.SettingsApplier;
import jakarta.enterprise.context.ApplicationScoped;

/** Applies {@code connectionPool} changes live: resizes the pool, retunes leak detection and idle validation. */
@ApplicationScoped
class PoolSettingsApplier implements SettingsApplier {
    private final Backend backend;

    PoolSettingsApplier(Backend backend) {
        this.backend = backend;
    }

    @Override
    public void apply(RuntimeSettings before, RuntimeSettings after) {
        RuntimeSettings.ConnectionPool a = after.connectionPool();
        RuntimeSettings.ConnectionPool b = before.connectionPool();
        if (a.maxConnections() != b.maxConnections() || a.minConnections() != b.minConnections()
                || !a.acquireTimeout().equals(b.acquireTimeout())) {
            backend.resize(a.minConnections(), a.maxConnections(), a.acquireTimeout());
        }
        if (!a.leakTimeout().equals(b.leakTimeout()) || !a.validationInterval().equals(b.validationInterval())) {
            backend.housekeeping(a.leakTimeout(), a.validationInterval());
        }
    }
}
