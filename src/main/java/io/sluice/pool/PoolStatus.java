package io.sluice.pool;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Duration;

/**
 * A snapshot of the connection pool.
 *
 * @param backend {@code sqlite} or {@code postgresql}
 * @param connectivity the backend connectivity state
 * @param active pooled connections leased out
 * @param idle pooled connections ready to lease
 * @param awaiting requests waiting for a connection
 * @param direct open direct (legacy path) connections
 * @param maxUsed the most pooled connections ever leased at once
 * @param created connections opened by the pool
 * @param destroyed connections closed by the pool
 * @param acquireAverage average wait for a pooled connection
 * @param acquireMax longest wait for a pooled connection
 * @param timeouts leases that failed because no connection came in time
 * @param leaks leases reported as held past the leak timeout
 * @param evicted connections discarded instead of pooled again (broken or session state changed)
 * @param saturated every pooled connection is leased or requests wait for one (the database may be fine)
 * @param runningStatements statements running now
 * @param statementTimeout the statement timeout new statements run under
 */
@RegisterForReflection
public record PoolStatus(String backend, String connectivity, int minConnections, int maxConnections, Duration acquireTimeout,
        long active, long idle, long awaiting, long direct, long maxUsed, long created, long destroyed,
        Duration acquireAverage, Duration acquireMax, long timeouts, long leaks, long evicted, boolean saturated,
        int runningStatements, Duration statementTimeout) {
}
