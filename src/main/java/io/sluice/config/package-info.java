/**
 * Configuration: the {@link io.sluice.config.SluiceConfig} mapping of every static {@code sluice.*}
 * property, with the seed system's environment names as aliases in {@code application.properties}.
 */
package io.sluice.config;
