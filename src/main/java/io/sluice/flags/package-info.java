/**
 * Feature flags: which parts of the enterprise connection layer apply to a request (pool, state
 * machine, breaker, detailed monitoring, detailed logging), Unleash-compatible rollout buckets, the
 * killswitch, operator-defined flags, and the store (a ConfigMap, a mounted directory or memory) that
 * every replica watches so they converge. Changes are audited in the store.
 */
package io.sluice.flags;
