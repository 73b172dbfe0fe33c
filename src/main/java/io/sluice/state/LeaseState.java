package io.sluice.state;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One connection lease's life.
 *
 * <pre>
 *   IDLE ──► LEASED ◄──► IN_TRANSACTION
 *              │  │            │   │
 *              │  └──► BROKEN ◄┘   │       (a connection-level error: evicted, never pooled again)
 *              ▼                   ▼
 *           RELEASED ◄─────────────┘       (rolled back and returned to the pool)
 * </pre>
 */
public enum LeaseState implements StateMachine.State<LeaseState> {
    IDLE, LEASED, IN_TRANSACTION, RELEASED, BROKEN;

    /** The allowed transitions, all in one place ({@link #table}). */
    private static final Map<LeaseState, Set<LeaseState>> NEXT = new EnumMap<>(LeaseState.class);
    /** The same table as one bit per successor, for the lease path: checked on every transition of every lease. */
    private static final int[] NEXT_BITS = new int[values().length];

    static {
        for (LeaseState s : values()) {
            Set<LeaseState> next = table(s);
            NEXT.put(s, Collections.unmodifiableSet(next));
            for (LeaseState n : next) {
                NEXT_BITS[s.ordinal()] |= 1 << n.ordinal();
            }
        }
    }

    @Override
    public boolean canMoveTo(LeaseState next) {
        return (NEXT_BITS[ordinal()] & (1 << next.ordinal())) != 0;
    }

    public Set<LeaseState> successors() {
        return NEXT.get(this);
    }

    private static Set<LeaseState> table(LeaseState s) {
        return switch (s) {
            case IDLE -> EnumSet.of(LEASED);
            case LEASED -> EnumSet.of(IN_TRANSACTION, RELEASED, BROKEN);
            case IN_TRANSACTION -> EnumSet.of(LEASED, RELEASED, BROKEN);
            case RELEASED, BROKEN -> EnumSet.noneOf(LeaseState.class);
        };
    }
}
