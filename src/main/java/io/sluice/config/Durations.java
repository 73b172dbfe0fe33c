package io.sluice.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of Sluice: a whole number with a unit ({@code 500ms}, {@code 5s}, {@code 2m},
 * {@code 1h}, {@code 1d}) or ISO-8601 ({@code PT5S}, {@code P7D}), never negative. A bare number is
 * refused (only {@code 0} needs no unit): some inputs used to mean milliseconds and others seconds, and
 * guessing would turn {@code 300000} into 83 hours. CLI options, start-up settings and runtime updates all
 * parse here; the only exception is {@link #parseOrMillis}, for the runtime settings' stored and exported
 * form, which has always been whole milliseconds.
 */
public final class Durations {
    /** What is expected, for error messages. */
    public static final String SYNTAX = "a duration like 500ms, 5s, 2m, 1h or PT5S";
    private static final Pattern SHORT = Pattern.compile("(\\d{1,15})(ms|s|m|h|d)");
    private static final Pattern BARE = Pattern.compile("-?\\d+(\\.\\d+)?");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming what was given and what is expected */
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
        if (BARE.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + t + "' has no unit; expected " + SYNTAX
                    + (t.startsWith("-") ? "" : " (e.g. " + t + "ms or " + t + "s)"));
        }
        Duration d;
        try {
            d = Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + t + "' is not " + SYNTAX);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("'" + t + "' is negative; expected " + SYNTAX);
        }
        return d;
    }

    /**
     * {@link #parse}, except that a bare whole number is milliseconds: the form runtime settings have
     * always been stored in (the shared store, exports and backups) and the unit the admin API shows.
     * Deprecated as input; kept so stored overrides and old backups stay valid.
     */
    public static Duration parseOrMillis(String value) {
        String t = value == null ? "" : value.strip();
        if (t.matches("\\d{1,18}")) {
            return Duration.ofMillis(Long.parseLong(t));
        }
        return parse(t);
    }

    /** The shortest exact spelling in this syntax: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        long[] factors = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < factors.length; i++) {
            if (ms % factors[i] == 0) {
                return ms / factors[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
