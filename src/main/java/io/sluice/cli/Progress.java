package io.sluice.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The one way a long-running command shows progress: always on stderr, so stdout carries only the result
 * (a table, or the single JSON document of {@code --json}) whatever the terminal.
 *
 * <ul>
 *   <li>{@link Mode#LIVE} (a terminal): {@link #status} rewrites one line in place, as often as the command
 *       calls it; {@link #line} prints a line that stays above it.
 *   <li>{@link Mode#LINES} (a pipe, a CI log): {@link #line} prints at once; {@link #status} prints a plain
 *       line at most once per interval, so a log stays readable.
 *   <li>{@link Mode#OFF}: nothing.
 * </ul>
 */
public final class Progress {
    /** How progress reaches the user. */
    public enum Mode { LIVE, LINES, OFF }

    private static final String ERASE_LINE = "\r\033[K";

    private final PrintWriter to;
    private final Mode mode;
    private final long linesEveryNanos;
    private final LongSupplier nanoClock;
    private final int width;
    private boolean statusShown;
    private long lastLineNanos;

    /**
     * @param to where progress goes (the command's stderr)
     * @param linesEvery in {@link Mode#LINES}, the least time between two status lines
     * @param width in {@link Mode#LIVE}, the longest status line (longer ones are cut: a wrapped line cannot be
     *     rewritten in place)
     */
    public Progress(PrintWriter to, Mode mode, Duration linesEvery, LongSupplier nanoClock, int width) {
        this.to = to;
        this.mode = mode;
        this.linesEveryNanos = linesEvery.toNanos();
        this.nanoClock = nanoClock;
        this.width = Math.max(20, width);
        this.lastLineNanos = nanoClock.getAsLong();
    }

    /**
     * Progress on {@code err}: live when the process runs on a terminal, plain lines every {@code linesEvery}
     * otherwise.
     */
    public static Progress onStderr(PrintWriter err, Duration linesEvery) {
        return new Progress(err, terminal() ? Mode.LIVE : Mode.LINES, linesEvery, System::nanoTime, terminalWidth());
    }

    /** True when stdin and stdout are a terminal (a human is watching), false in a pipe, a file or a CI job. */
    public static boolean terminal() {
        return System.console() != null;
    }

    private static int terminalWidth() {
        try {
            String columns = System.getenv("COLUMNS");
            return columns == null ? 100 : Integer.parseInt(columns.trim()) - 1;
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    public Mode mode() {
        return mode;
    }

    /** The current state, replaced by the next call: rewritten in place on a terminal, else printed now and then. */
    public void status(String text) {
        switch (mode) {
            case LIVE -> {
                to.print(ERASE_LINE);
                to.print(text.length() > width ? text.substring(0, width - 1) + "…" : text);
                to.flush();
                statusShown = true;
            }
            case LINES -> {
                long now = nanoClock.getAsLong();
                if (now - lastLineNanos >= linesEveryNanos) {
                    println(text, now);
                }
            }
            case OFF -> {
            }
        }
    }

    /** A line that stays (a step reached, a phase begun); printed at once in every mode but {@link Mode#OFF}. */
    public void line(String text) {
        if (mode == Mode.OFF) {
            return;
        }
        clear();
        println(text, nanoClock.getAsLong());
    }

    /** Erases the live status line, so that what the command prints next starts on a clean line. */
    public void clear() {
        if (statusShown) {
            to.print(ERASE_LINE);
            to.flush();
            statusShown = false;
        }
    }

    private void println(String text, long now) {
        to.println(text);
        to.flush();
        lastLineNanos = now;
    }
}
