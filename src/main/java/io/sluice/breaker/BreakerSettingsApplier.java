package io.sluice.breaker;

import io.sluice.config.RuntimeSettings;
import io.sluice.config.SettingsApplier;
import jakarta.enterprise.context.ApplicationScoped;

/** Reconfigures the live breaker when {@code circuitBreaker} settings change. */
@ApplicationScoped
class BreakerSettingsApplier implements SettingsApplier {
    private final CircuitBreaker breaker;

    BreakerSettingsApplier(CircuitBreaker breaker) {
        this.breaker = breaker;
    }

    @Override
    public void apply(RuntimeSettings before, RuntimeSettings after) {
        if (!after.circuitBreaker().equals(before.circuitBreaker())) {
            RuntimeSettings.CircuitBreaker c = after.circuitBreaker();
            breaker.reconfigure(c.failureThreshold(), c.recoveryTimeout(), c.successThreshold());
        }
    }
}
