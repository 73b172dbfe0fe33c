package io.sluice.cli;

import io.sluice.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * The one duration syntax of every CLI option: a whole number with a unit ({@code 500ms}, {@code 5s},
 * {@code 2m}, {@code 1h}, {@code 1d}) or ISO-8601 ({@code PT5S}, {@code P7D}), never negative: the
 * syntax of {@link Durations}, which the server's settings parse too. A bare number is refused (only
 * {@code 0} needs no unit): guessing would turn {@code --soak=300000} into 83 hours. Registered once on the root command, so it serves every subcommand.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** @throws CommandLine.TypeConversionException naming what was given and what is expected */
    public static Duration parse(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
