package io.sluice.pool;

/**
 * How one stream's connection is leased, decided once by the caller when the stream opens: the pool reads
 * no flags of its own.
 *
 * @param pooled from the pool; false = a direct connection of its own (the legacy path)
 * @param tracked the lease is validated and tracked through the lease state machine
 * @param timed the wait for a pooled connection goes into the acquire-wait histogram (detailed monitoring)
 */
public record LeasePolicy(boolean pooled, boolean tracked, boolean timed) {
    /** Everything on. */
    public static final LeasePolicy ALL = new LeasePolicy(true, true, true);
}
