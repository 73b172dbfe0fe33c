package io.sluice.bench;

/**
 * When a connection should send its operations in constant-rate mode ({@code --rate}), as wrk2 does: the
 * rate is shared evenly by the connections, each connection's sends are one interval apart, and the
 * connections are staggered so that together they send at even spacing. The schedule never moves: a
 * connection that falls behind sends at once until it has caught up, and each operation's latency is counted
 * from its place in the schedule, so a stall of the server shows in the figures for every operation it
 * delayed (no coordinated omission).
 */
final class Pacer {
    private final long first;
    private final double intervalNanos;
    private long sent;

    /**
     * @param startNanos when the schedule starts ({@link System#nanoTime()} scale)
     * @param opsPerSecond the rate of all connections together
     * @param connections how many connections share it
     * @param index this connection, 0-based
     */
    Pacer(long startNanos, double opsPerSecond, int connections, int index) {
        if (!(opsPerSecond > 0) || connections < 1 || index < 0 || index >= connections) {
            throw new IllegalArgumentException("rate " + opsPerSecond + ", connection " + index + " of " + connections);
        }
        this.intervalNanos = 1e9 * connections / opsPerSecond;
        this.first = startNanos + Math.round(1e9 * index / opsPerSecond);
    }

    /** When the next operation is due. */
    long due() {
        return first + (long) (sent * intervalNanos);
    }

    /** The operation due at {@link #due()} was sent. */
    void advance() {
        sent++;
    }
}
