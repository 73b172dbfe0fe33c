package io.sluice.pool;

import io.sluice.config.RuntimeSettings;
import io.sluice.config.SettingsApplier;
import jakarta.enterprise.context.ApplicationScoped;

/** Resizes the live pool when {@code connectionPool} min/max/acquireTimeout change. */
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
    }
}
