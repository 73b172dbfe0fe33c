/**
 * The persistent store of the state replicas share: one {@link io.sluice.store.Document} (flags and the
 * killswitch, runtime settings, migration state, the audit log), kept in a ConfigMap, a mounted directory
 * or memory and watched by every replica. Each feature reads its tenant through a typed view and changes
 * it in one {@link io.sluice.store.StoreService#write}, which audits and applies inside the same
 * optimistic-concurrency write.
 */
package io.sluice.store;
