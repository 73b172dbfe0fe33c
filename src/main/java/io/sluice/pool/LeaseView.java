package io.sluice.pool;

import java.time.Duration;

/** One open lease, for the per-connection debug view. */
public record LeaseView(long id, String holderStream, boolean pooled, String state, Duration leaseDuration, long statements) {
}
