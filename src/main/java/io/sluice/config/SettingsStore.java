package io.sluice.config;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Where runtime-setting overrides ({@code component.key} → value, only keys changed at runtime) are kept,
 * shared by all replicas. The store feature provides it ({@code store.SettingsTenant}), so settings live in the
 * same ConfigMap or directory as flags.
 */
public interface SettingsStore {

    /**
     * Read-modify-write of the overrides with optimistic concurrency, audited as one change of {@code target}.
     *
     * @return the overrides written
     */
    Map<String, String> write(UnaryOperator<Map<String, String>> change, String target, String before, String after, String who,
            String why);

    /** Delivers the stored overrides now and on every change made by any replica. */
    void subscribe(Consumer<Map<String, String>> overrides);
}
