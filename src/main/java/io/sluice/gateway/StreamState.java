package io.sluice.gateway;

import io.sluice.state.StateMachine;
import io.sluice.state.Transitions;
import java.util.EnumSet;

/**
 * A Hrana stream's life ({@link Stream}). The allowed transitions are written down here and nowhere else:
 *
 * <pre>
 *   (opened) BUSY ──(response)──► IDLE ──(request with the current baton)──► BUSY
 *                                  │  ▲
 *            (drain looks) ────────┘  └──── (look ends: still in a transaction) ── INSPECTING
 *                                  │                                                 │
 *   BUSY ──(close request / failure / drain over)──► CLOSED ◄──(settled)──────────────┘
 *   IDLE ──(idle timeout: reaper / drain over)─────► CLOSED
 * </pre>
 *
 * Only the thread that moved the stream to BUSY (or INSPECTING) touches its session; the reaper closes
 * only IDLE streams. CLOSED is final.
 */
enum StreamState implements StateMachine.State<StreamState> {
    IDLE, BUSY, INSPECTING, CLOSED;

    /** The allowed transitions, all in one place. */
    private static final Transitions<StreamState> TABLE = Transitions.of(StreamState.class, s -> switch (s) {
        case IDLE -> EnumSet.of(BUSY, INSPECTING, CLOSED);
        case BUSY -> EnumSet.of(IDLE, CLOSED);
        case INSPECTING -> EnumSet.of(IDLE, CLOSED);
        case CLOSED -> EnumSet.noneOf(StreamState.class);
    });

    @Override
    public boolean canMoveTo(StreamState next) {
        return TABLE.allows(this, next);
    }
}
