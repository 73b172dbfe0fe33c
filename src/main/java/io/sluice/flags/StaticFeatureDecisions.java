package io.sluice.flags;

import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** Decisions from static configuration ({@code sluice.features.*}, env {@code FEATURE_ENABLE_*}): the same for every key. */
@ApplicationScoped
public class StaticFeatureDecisions implements FeatureDecisions {
    private final Features features;

    StaticFeatureDecisions(SluiceConfig config) {
        SluiceConfig.FeatureDefaults f = config.features();
        this.features = new Features(f.connectionPool(), f.stateMachine(), f.circuitBreaker(),
                f.enterpriseMonitoring(), f.detailedLogging());
    }

    @Override
    public Features decide(String rolloutKey) {
        return features;
    }
}
