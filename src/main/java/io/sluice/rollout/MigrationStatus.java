package io.sluice.rollout;

import io.sluice.state.StateMachine;
import io.sluice.state.Transitions;
import java.util.EnumSet;

/**
 * Where a migration stands. The allowed transitions are written down here and nowhere else:
 *
 * <pre>
 *  NONE ──start──► RUNNING ──target phase passed──► HELD ──start (a later target)──► RUNNING
 *                   │  │ ▲ ▲                          │
 *                   │  │ │ └─ step passed / resumed   │
 *                   │  │ │                            │
 *                   │  │ └─ resume ── PAUSED ◄─ hold ─┤ (from RUNNING: the operator's hold, mid-step)
 *                   │  │                │             │
 *                   │  └──── full passed ──► COMPLETED ──start (a new migration)──► RUNNING
 *                   │                   │      │      │
 *                   └─ check failed / rollback ┴──────┴──► ROLLED_BACK ──start──► RUNNING
 * </pre>
 *
 * RUNNING, PAUSED and HELD are <em>active</em>: flags are part-way, a rollback restores the snapshot, and no
 * second migration may start. HELD is where a migration stops at its target, between steps; PAUSED is an
 * operator's hold in the middle of a step: its flags stay as they are, nothing is soaked, checked or advanced
 * until a resume, which soaks and checks that step again from its start. The state lives in the store's
 * migration document, so a transition is checked here ({@link #requireMoveTo}, which throws naming both
 * states) and written by the store's compare-and-set.
 */
public enum MigrationStatus implements StateMachine.State<MigrationStatus> {
    NONE, RUNNING, PAUSED, HELD, COMPLETED, ROLLED_BACK;

    /** The allowed transitions, all in one place. */
    private static final Transitions<MigrationStatus> TABLE = Transitions.of(MigrationStatus.class, s -> switch (s) {
        case NONE -> EnumSet.of(RUNNING);
        case RUNNING -> EnumSet.of(RUNNING, PAUSED, HELD, COMPLETED, ROLLED_BACK);
        case PAUSED -> EnumSet.of(RUNNING, ROLLED_BACK);
        case HELD -> EnumSet.of(RUNNING, ROLLED_BACK);
        case COMPLETED -> EnumSet.of(RUNNING, ROLLED_BACK);
        case ROLLED_BACK -> EnumSet.of(RUNNING);
    });

    @Override
    public boolean canMoveTo(MigrationStatus next) {
        return TABLE.allows(this, next);
    }

    /** Part-way through: a rollback restores the snapshot, and a second migration may not start. */
    public boolean active() {
        return this == RUNNING || this == PAUSED || this == HELD;
    }
}
