package io.sluice.config;

import java.time.Duration;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads every {@code sluice.*} duration in {@link Durations}' syntax, so configuration, runtime updates and
 * CLI options accept the same spellings and a bare number is refused at start-up (Quarkus' own converter
 * would read {@code 30000} as seconds: 8 hours) instead of being guessed.
 */
public final class ConfigDurationConverter implements Converter<Duration> {

    @Override
    public Duration convert(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return Durations.parse(value);
    }
}
