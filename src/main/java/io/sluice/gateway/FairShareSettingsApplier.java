package io.sluice.gateway;

import io.sluice.config.RuntimeSettings;
import io.sluice.config.SettingsApplier;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Applies the per-principal limits live: {@code gateway.maxStreamsPerPrincipal} and
 * {@code gateway.maxLeasesPerPrincipal}, and the settings their automatic values and the lease wait
 * derive from ({@code gateway.maxStreams}, {@code connectionPool.maxConnections},
 * {@code connectionPool.acquireTimeout}).
 */
@ApplicationScoped
class FairShareSettingsApplier implements SettingsApplier {
    private final StreamManager streams;

    FairShareSettingsApplier(StreamManager streams) {
        this.streams = streams;
    }

    @Override
    public void apply(RuntimeSettings before, RuntimeSettings after) {
        RuntimeSettings.Gateway g = after.gateway();
        RuntimeSettings.ConnectionPool p = after.connectionPool();
        if (!g.equals(before.gateway()) || !p.equals(before.connectionPool())) {
            streams.principalLimits(FairShare.effectiveStreams(g.maxStreamsPerPrincipal(), g.maxStreams()),
                    FairShare.effectiveLeases(g.maxLeasesPerPrincipal(), p.maxConnections()), p.acquireTimeout());
        }
    }
}
