package io.sluice.bench;

/** A run cannot start or cannot go on; the message is for the user. */
final class BenchException extends Exception {
    BenchException(String message) {
        super(message, null, false, false);
    }
}
