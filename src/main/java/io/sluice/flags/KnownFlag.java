package io.sluice.flags;

import java.util.Optional;

/** The five flags the request path knows; their names are the seed system's (docs/operating.md "Feature flags, rollouts and the killswitch"). */
public enum KnownFlag {
    ENABLE_CONNECTION_POOL(true),
    ENABLE_STATE_MACHINE(true),
    ENABLE_CIRCUIT_BREAKER(true),
    ENABLE_ENTERPRISE_MONITORING(false),
    ENABLE_DETAILED_LOGGING(false);

    private final boolean killedBySwitch;

    KnownFlag(boolean killedBySwitch) {
        this.killedBySwitch = killedBySwitch;
    }

    /** Whether the killswitch turns this flag off (pool, state machine, breaker; monitoring stays on). */
    public boolean killedBySwitch() {
        return killedBySwitch;
    }

    public static Optional<KnownFlag> byName(String name) {
        for (KnownFlag f : values()) {
            if (f.name().equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
