package io.sluice.config;

/**
 * A feature that applies runtime settings to itself (the pool resizes, the breaker reconfigures). Beans
 * implementing this are called, in no particular order, before a new snapshot is published.
 */
public interface SettingsApplier {

    /**
     * Makes {@code after} effective; compare with {@code before} to skip unchanged components.
     *
     * @throws IllegalArgumentException when the feature refuses the values; the update then fails
     */
    void apply(RuntimeSettings before, RuntimeSettings after);
}
