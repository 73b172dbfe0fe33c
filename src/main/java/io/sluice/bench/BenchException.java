package io.sluice.bench;

/** A run cannot start or cannot go on; the message is for the user. */
final class BenchException extends Exception {
    /** The target could not be reached at all (exit code 2, as in the other client commands), not refused. */
    final boolean unreachable;

    BenchException(String message) {
        this(message, false);
    }

    BenchException(String message, boolean unreachable) {
        super(message, null, false, false);
        this.unreachable = unreachable;
    }
}
