package io.sluice.store;

import java.time.Instant;
import java.util.List;

/**
 * How fresh the flags this replica decides with are.
 *
 * @param kind {@code file}, {@code kubernetes} or {@code none}
 * @param location the directory or {@code namespace/configmap}
 * @param lastLoadOk whether the last read of the store could be used in full; false = a read failed (deciding
 *     with the last good state) or some keys did not parse (every key that did is applied)
 * @param lastError why the last read could not be used in full (unparseable keys, a lost connection, a deleted
 *     ConfigMap); null when ok
 * @param lastLoadedAt when the store was last read successfully (null: never)
 * @param lastAppliedAt when a store content was last applied
 * @param invalidKeys the keys of the last content read that did not parse, each holding its last good value
 *     (or its default at start)
 * @param killswitchUnreadable the killswitch key itself did not parse: the replica holds the killswitch's last
 *     good state (at start: on, the safe state) and is not ready until an operator fixes the key
 */
public record StoreStatus(String kind, String location, boolean lastLoadOk, String lastError, Instant lastLoadedAt, Instant lastAppliedAt,
        List<String> invalidKeys, boolean killswitchUnreadable) {

    public StoreStatus {
        invalidKeys = List.copyOf(invalidKeys);
    }

    static StoreStatus fresh(String kind, String location) {
        return new StoreStatus(kind, location, true, null, null, null, List.of(), false);
    }

    /** The same content problems, after a read that failed. */
    StoreStatus failed(String why) {
        return new StoreStatus(kind, location, false, why, lastLoadedAt, lastAppliedAt, invalidKeys, killswitchUnreadable);
    }
}
