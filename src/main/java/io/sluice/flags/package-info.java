/**
 * Feature flags: which parts of the enterprise connection layer apply to a request (pool, state
 * machine, breaker, detailed monitoring, detailed logging), Unleash-compatible rollout buckets, the
 * killswitch and operator-defined flags. They are the first tenant of the shared
 * {@link io.sluice.store.StoreService store}, so every replica converges; changes are audited there.
 */
package io.sluice.flags;
