package io.sluice.flags;

import java.time.Instant;

/**
 * How fresh the flags this replica decides with are.
 *
 * @param kind {@code file}, {@code kubernetes} or {@code none}
 * @param location the directory or {@code namespace/configmap}
 * @param lastLoadOk whether the last read of the store could be used; false = deciding with the last good state
 * @param lastError why the last read could not be used (a corrupt key, a lost connection, a deleted ConfigMap); null when ok
 * @param lastLoadedAt when the store was last read successfully (null: never)
 * @param lastAppliedAt when a store content was last applied
 */
public record StoreStatus(String kind, String location, boolean lastLoadOk, String lastError, Instant lastLoadedAt, Instant lastAppliedAt) {
}
