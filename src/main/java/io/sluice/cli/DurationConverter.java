package io.sluice.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The one duration syntax of every CLI option: a whole number with a unit ({@code 500ms}, {@code 5s},
 * {@code 2m}, {@code 1h}, {@code 1d}) or ISO-8601 ({@code PT5S}, {@code P7D}), never negative. The
 * server's configuration reads the same short forms. A bare number is refused (only {@code 0} needs no
 * unit): some options used to mean milliseconds and others seconds, and guessing would turn
 * {@code --soak=300000} into 83 hours. Registered once on the root command, so it serves every subcommand.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,15})(ms|s|m|h|d)");
    static final String SYNTAX = "a duration like 500ms, 5s, 2m, 1h or PT5S";

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** @throws CommandLine.TypeConversionException naming what was given and what is expected */
    public static Duration parse(String value) {
        String t = value == null ? "" : value.strip();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SHORT.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long v = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(v);
                case "s" -> Duration.ofSeconds(v);
                case "m" -> Duration.ofMinutes(v);
                case "h" -> Duration.ofHours(v);
                default -> Duration.ofDays(v);
            };
        }
        if (t.matches("-?\\d+(\\.\\d+)?")) {
            throw new CommandLine.TypeConversionException("'" + t + "' has no unit; expected " + SYNTAX
                    + (t.startsWith("-") ? "" : " (e.g. " + t + "ms or " + t + "s)"));
        }
        Duration d;
        try {
            d = Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + t + "' is not " + SYNTAX);
        }
        if (d.isNegative()) {
            throw new CommandLine.TypeConversionException("'" + t + "' is negative; expected " + SYNTAX);
        }
        return d;
    }
}
