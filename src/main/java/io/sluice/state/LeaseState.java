package io.sluice.state;

import java.util.EnumSet;
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
    private static final Transitions<LeaseState> TABLE = Transitions.of(LeaseState.class, s -> switch (s) {
        case IDLE -> EnumSet.of(LEASED);
        case LEASED -> EnumSet.of(IN_TRANSACTION, RELEASED, BROKEN);
        case IN_TRANSACTION -> EnumSet.of(LEASED, RELEASED, BROKEN);
        case RELEASED, BROKEN -> EnumSet.noneOf(LeaseState.class);
    });

    @Override
    public boolean canMoveTo(LeaseState next) {
        return TABLE.allows(this, next);
    }

    public Set<LeaseState> successors() {
        return TABLE.successors(this);
    }
}
