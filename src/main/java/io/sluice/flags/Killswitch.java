package io.sluice.flags;

import java.time.Instant;

/**
 * The emergency switch: while {@code active}, pool, state machine and breaker are off for every key
 * whatever their flags say; monitoring stays on. It records who pulled it, when and why.
 */
public record Killswitch(boolean active, String reason, String by, Instant at) {

    public static final Killswitch OFF = new Killswitch(false, "", "", null);
}
