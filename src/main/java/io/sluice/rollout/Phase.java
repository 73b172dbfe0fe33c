package io.sluice.rollout;

import java.util.Locale;

/** The migration's phases, in order. A migration may stop after any of them ({@code --target}). */
public enum Phase {
    /** Detailed monitoring on, so the later checks have figures to judge. */
    MONITORING,
    /** Pool, state machine and breaker on for a small share of rollout keys. */
    CANARY,
    /** The same three raised step by step. */
    GRADUAL,
    /** The three on for everyone. */
    FULL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Phase parseTarget(String text) {
        if (text != null) {
            for (Phase p : values()) {
                if (p != MONITORING && p.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("target: must be canary, gradual or full but was '" + text + "'");
    }
}
