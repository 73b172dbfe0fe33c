package io.sluice.logs;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The levels {@code debug:logs} filters by, least severe first; JBoss and JUL levels map onto them. */
public enum LogLevel {
    TRACE(0), DEBUG(500), INFO(800), WARN(900), ERROR(1000);

    private final int floor;

    LogLevel(int floor) {
        this.floor = floor;
    }

    /** The level of a {@link java.util.logging.Level} value (JBoss FATAL counts as ERROR, JUL FINE as DEBUG). */
    static LogLevel of(java.util.logging.Level level) {
        int v = level.intValue();
        LogLevel[] all = values();
        for (int i = all.length - 1; i > 0; i--) {
            if (v >= all[i].floor) {
                return all[i];
            }
        }
        return TRACE;
    }

    /**
     * Parses a level name, case-insensitive; {@code WARNING} and {@code FATAL} are accepted as WARN and ERROR.
     *
     * @throws IllegalArgumentException naming the bad value and the accepted ones
     */
    public static LogLevel parse(String name) {
        String n = name == null ? "" : name.strip().toUpperCase(Locale.ROOT);
        switch (n) {
            case "WARNING":
                return WARN;
            case "FATAL":
            case "SEVERE":
                return ERROR;
            default:
                break;
        }
        for (LogLevel l : values()) {
            if (l.name().equals(n)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown log level '" + name + "': use one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
