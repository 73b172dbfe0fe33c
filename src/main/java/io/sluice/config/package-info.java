/**
 * Configuration: the {@link io.sluice.config.SluiceConfig} mapping of every static {@code sluice.*}
 * property (seed environment names are aliases in {@code application.properties}), the one declaration of
 * each runtime and exported setting ({@link io.sluice.config.Setting}: bounds, defaults, secrets; the docs
 * table and Helm schema are checked against it), the one duration syntax ({@link io.sluice.config.Durations}),
 * and the live
 * {@link io.sluice.config.RuntimeSettings} snapshot that {@link io.sluice.config.RuntimeSettingsService}
 * validates, persists through a {@link io.sluice.config.SettingsStore}, applies through
 * {@link io.sluice.config.SettingsApplier} beans, and exports with secrets redacted.
 */
package io.sluice.config;
