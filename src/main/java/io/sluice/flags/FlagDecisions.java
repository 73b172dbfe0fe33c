package io.sluice.flags;

import io.sluice.config.SluiceConfig;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.TreeMap;

/**
 * The request path's {@link FeatureDecisions}: answers from the current {@link FlagSet} snapshot, which
 * {@link FlagService} swaps whenever the store or an operator changes it. A decision is one volatile read
 * plus, per partially rolled-out flag, one murmur3 of the key; it allocates nothing.
 */
@Singleton
public class FlagDecisions implements FeatureDecisions {
    private volatile FlagSet current;

    FlagDecisions(SluiceConfig config) {
        this.current = defaults(config);
    }

    @Override
    public Features decide(String rolloutKey) {
        return current.decide(rolloutKey);
    }

    @Override
    public Features decide(long streamId) {
        return current.decide(streamId);
    }

    /** The snapshot decisions are made from now. */
    public FlagSet current() {
        return current;
    }

    void set(FlagSet next) {
        current = next;
    }

    /** The five known flags as configuration ({@code FEATURE_ENABLE_*}, {@code ROLLOUT_ENABLE_*}) sets them; killswitch off. */
    static FlagSet defaults(SluiceConfig config) {
        SluiceConfig.FeatureDefaults f = config.features();
        SluiceConfig.Flags.Rollouts r = config.flags().rollout();
        Map<String, Flag> m = new TreeMap<>();
        put(m, KnownFlag.ENABLE_CONNECTION_POOL, f.connectionPool(), r.connectionPool());
        put(m, KnownFlag.ENABLE_STATE_MACHINE, f.stateMachine(), r.stateMachine());
        put(m, KnownFlag.ENABLE_CIRCUIT_BREAKER, f.circuitBreaker(), r.circuitBreaker());
        put(m, KnownFlag.ENABLE_ENTERPRISE_MONITORING, f.enterpriseMonitoring(), r.enterpriseMonitoring());
        put(m, KnownFlag.ENABLE_DETAILED_LOGGING, f.detailedLogging(), r.detailedLogging());
        return new FlagSet(m, Killswitch.OFF);
    }

    private static void put(Map<String, Flag> m, KnownFlag k, boolean enabled, int rollout) {
        try {
            m.put(k.name(), new Flag(k.name(), enabled, rollout));
        } catch (FlagException e) {
            throw new IllegalArgumentException("ROLLOUT_" + k.name() + ": " + e.getMessage(), e);
        }
    }
}
