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

    /** The allowed transitions, all in one place. */
    private static final Map<LeaseState, Set<LeaseState>> NEXT = new EnumMap<>(LeaseState.class);

    static {
        for (LeaseState s : values()) {
            NEXT.put(s, Collections.unmodifiableSet(table(s)));
        }
    }

    @Override
    public boolean canMoveTo(LeaseState next) {
        return NEXT.get(this).contains(next);
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
