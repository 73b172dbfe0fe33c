package io.sluice.state;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
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
    private static final Map<Connectivity, Set<Connectivity>> NEXT = new EnumMap<>(Connectivity.class);

    static {
        for (Connectivity s : values()) {
            NEXT.put(s, Collections.unmodifiableSet(table(s)));
        }
    }

    @Override
    public boolean canMoveTo(Connectivity next) {
        return NEXT.get(this).contains(next);
    }

    public Set<Connectivity> successors() {
        return NEXT.get(this);
    }

    private static Set<Connectivity> table(Connectivity s) {
        return switch (s) {
            case INITIALIZING -> EnumSet.of(CONNECTED, DISCONNECTED, CLOSING);
            case CONNECTED -> EnumSet.of(DEGRADED, DISCONNECTED, CLOSING);
            case DEGRADED -> EnumSet.of(CONNECTED, DISCONNECTED, CLOSING);
            case DISCONNECTED -> EnumSet.of(RECONNECTING, CLOSING);
            case RECONNECTING -> EnumSet.of(CONNECTED, DISCONNECTED, CLOSING);
            case CLOSING -> EnumSet.of(CLOSED);
            case CLOSED -> EnumSet.noneOf(Connectivity.class);
        };
    }
}
