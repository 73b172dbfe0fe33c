package io.sluice.gateway;

import io.sluice.config.RuntimeSettings;
import io.sluice.config.SettingsApplier;
import io.sluice.pool.Backend;
import jakarta.enterprise.context.ApplicationScoped;

/** Applies {@code gateway.*} runtime settings: stream limit, idle timeout, request body limit, statement timeout. */
@ApplicationScoped
class GatewaySettingsApplier implements SettingsApplier {
    private final StreamManager streams;
    private final HranaRoutes routes;
    private final Backend backend;

    GatewaySettingsApplier(StreamManager streams, HranaRoutes routes, Backend backend) {
        this.streams = streams;
        this.routes = routes;
        this.backend = backend;
    }

    @Override
    public void apply(RuntimeSettings before, RuntimeSettings after) {
        RuntimeSettings.Gateway g = after.gateway();
        if (!g.equals(before.gateway())) {
            streams.limits(g.maxStreams(), g.streamIdleTimeout());
            routes.maxRequestBytes(g.maxRequestBytes());
            backend.statements().timeout(g.statementTimeout());
        }
    }
}
