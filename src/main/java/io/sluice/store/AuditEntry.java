package io.sluice.store;

import java.time.Instant;

/**
 * One change to flags or runtime settings: who (the admin principal), when, why, and old → new.
 *
 * @param target e.g. {@code ENABLE_CONNECTION_POOL}, {@code killswitch}, {@code connectionPool.maxConnections}
 * @param action {@code enable}, {@code disable}, {@code rollout}, {@code killswitch}, {@code restore}, {@code define}, {@code update}
 */
public record AuditEntry(Instant at, String who, String action, String target, String before, String after, String why) {
}
