package io.sluice.cli;

import java.time.Duration;
import java.util.Locale;

/**
 * One format for the figures the CLI prints: durations in the syntax its options and the server's
 * configuration read ({@code 250ms}, {@code 5s}, {@code 2m}), sizes in binary units ({@code 12.3 MiB}).
 */
final class Units {
    private Units() {
    }

    /** The largest unit that states {@code d} exactly: 250ms, 1500ms, 5s, 2m, 1h; the output parses back. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    /** Bytes in binary units, one decimal above a KiB: 512 B, 1.5 KiB, 12.3 MiB, 1.0 GiB. */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
