package io.sluice.breaker;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.StartupEvent;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Publishes the breaker's state, transitions and refused calls. */
@ApplicationScoped
public class BreakerMeters {
    private final CircuitBreaker breaker;
    private final SluiceMetrics metrics;

    BreakerMeters(CircuitBreaker breaker, SluiceMetrics metrics) {
        this.breaker = breaker;
        this.metrics = metrics;
    }

    void bind(@Observes StartupEvent event) {
        for (BreakerState state : BreakerState.values()) {
            Gauge.builder(Meters.BREAKER_STATE, breaker, b -> b.status().state() == state ? 1 : 0)
                    .tag(Meters.STATE, SluiceMetrics.tag(state)).register(metrics.registry());
        }
        FunctionCounter.builder(Meters.BREAKER_REJECTED, breaker, b -> b.status().rejectedCalls()).register(metrics.registry());
        for (BreakerState state : BreakerState.values()) {
            // registered at zero so that dashboards and alerts see the series before the first transition
            metrics.registry().counter(Meters.BREAKER_TRANSITIONS, Meters.STATE, SluiceMetrics.tag(state));
        }
        breaker.addListener(status -> metrics.registry().counter(Meters.BREAKER_TRANSITIONS,
                Meters.STATE, SluiceMetrics.tag(status.state())).increment());
    }
}
