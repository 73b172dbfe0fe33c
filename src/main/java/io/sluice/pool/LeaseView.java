package io.sluice.pool;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Duration;

/** One open lease, for the per-connection debug view. */
@RegisterForReflection
public record LeaseView(long id, String holderStream, boolean pooled, String state, Duration leaseDuration, long statements) {
}
