package io.sluice.pool;

import io.sluice.config.TuningSuggestion;
import java.util.ArrayList;
import java.util.List;

/** What the pool's own figures suggest changing in the {@code connectionPool} settings. */
public final class PoolTuning {
    private PoolTuning() {
    }

    /** Suggestions from one snapshot of the pool, each with the figure behind it; empty when nothing stands out. */
    public static List<TuningSuggestion> suggest(PoolStatus pool) {
        List<TuningSuggestion> out = new ArrayList<>();
        if (pool.timeouts() > 0 || pool.awaiting() > 0) {
            out.add(new TuningSuggestion("connectionPool", "maxConnections", "raise it above " + pool.maxConnections(),
                    pool.timeouts() + " acquire timeouts, " + pool.awaiting() + " requests waiting now, average wait "
                            + pool.acquireAverage().toMillis() + " ms"));
        }
        if (pool.maxUsed() < pool.minConnections()) {
            out.add(new TuningSuggestion("connectionPool", "minConnections", "lower it to " + Math.max(0, pool.maxUsed()),
                    "at most " + pool.maxUsed() + " connections were ever in use at once, " + pool.minConnections() + " are kept open"));
        }
        if (pool.leaks() > 0) {
            out.add(new TuningSuggestion("connectionPool", "leakTimeout", "check clients that keep streams open",
                    pool.leaks() + " leases were held past the leak timeout"));
        }
        return out;
    }
}
