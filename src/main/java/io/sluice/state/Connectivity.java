package io.sluice.state;

import java.util.EnumSet;
import java.util.Set;

/**
 * The backend database's connectivity as the gateway sees it. {@code DEGRADED}: the database answers
 * but the pool is saturated (an acquire timed out while every connection was busy); {@code DISCONNECTED}:
 * a connection-level failure ({@link io.sluice.sql.FailureClass#CONNECTION}).
 *
 * <pre>
 *   INITIALIZING ──► CONNECTED ◄──► DEGRADED
 *        │              │   ▲          │
 *        │              ▼   │          ▼
 *        └──────► DISCONNECTED ──► RECONNECTING ──► CONNECTED
 *                      ▲                │
 *                      └────────────────┘
 *   any state except CLOSED ──► CLOSING ──► CLOSED      (shutdown)
 * </pre>
 */
public enum Connectivity implements StateMachine.State<Connectivity> {
    INITIALIZING, CONNECTED, DEGRADED, DISCONNECTED, RECONNECTING, CLOSING, CLOSED;

    /** The allowed transitions, all in one place. */
    private static final Transitions<Connectivity> TABLE = Transitions.of(Connectivity.class, s -> switch (s) {
        case INITIALIZING -> EnumSet.of(CONNECTED, DISCONNECTED, CLOSING);
        case CONNECTED -> EnumSet.of(DEGRADED, DISCONNECTED, CLOSING);
        case DEGRADED -> EnumSet.of(CONNECTED, DISCONNECTED, CLOSING);
        case DISCONNECTED -> EnumSet.of(RECONNECTING, CLOSING);
        case RECONNECTING -> EnumSet.of(CONNECTED, DISCONNECTED, CLOSING);
        case CLOSING -> EnumSet.of(CLOSED);
        case CLOSED -> EnumSet.noneOf(Connectivity.class);
    });

    @Override
    public boolean canMoveTo(Connectivity next) {
        return TABLE.allows(this, next);
    }

    public Set<Connectivity> successors() {
        return TABLE.successors(this);
    }
}
