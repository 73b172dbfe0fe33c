package io.sluice.pool;

import io.agroal.pool.ConnectionHandler;
import io.agroal.pool.wrapper.ConnectionWrapper;
import java.sql.Connection;

/**
 * The one place Sluice reaches into Agroal's implementation rather than its API: Agroal's API can flush
 * idle or invalid connections, but not say "destroy this leased connection when it comes back" — which a
 * connection whose session state a client changed, or that failed at the connection level, needs.
 * {@code AgroalInternalsTest} fails at once if an Agroal upgrade changes what this relies on.
 */
final class AgroalInternals {
    private AgroalInternals() {
    }

    /**
     * Marks a connection leased from an Agroal pool so that the pool destroys it when it is closed instead of
     * handing it out again.
     *
     * @return false when {@code c} is not a connection of an Agroal pool (nothing was marked)
     */
    static boolean evictOnReturn(Connection c) {
        if (c instanceof ConnectionWrapper wrapper) {
            wrapper.getHandler().setState(ConnectionHandler.State.FLUSH);
            return true;
        }
        return false;
    }
}
