package io.sluice.breaker;

import io.sluice.config.TuningSuggestion;
import java.util.List;

/** What the breaker's own figures suggest changing in the {@code circuitBreaker} settings. */
public final class BreakerTuning {
    /** Breaker transitions since start above which the breaker is called flapping. */
    static final long FLAPPING_TRANSITIONS = 6;

    private BreakerTuning() {
    }

    /** Suggestions from one snapshot of the breaker; empty when nothing stands out. */
    public static List<TuningSuggestion> suggest(BreakerStatus b) {
        if (b.totalTransitions() >= FLAPPING_TRANSITIONS) {
            return List.of(new TuningSuggestion("circuitBreaker", "failureThreshold", "raise it above " + b.failureThreshold(),
                    b.totalTransitions() + " breaker state changes since start"));
        }
        return List.of();
    }
}
