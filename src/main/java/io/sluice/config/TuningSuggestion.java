package io.sluice.config;

/**
 * A suggested change of a runtime setting ({@code maint:optimize}), with the measured figure behind it. Each
 * feature derives its own from its own figures.
 *
 * @param component the settings component ({@code connectionPool}, {@code circuitBreaker})
 * @param key the setting
 * @param action what to do, in words
 * @param because the figures that suggest it
 */
public record TuningSuggestion(String component, String key, String action, String because) {
}
