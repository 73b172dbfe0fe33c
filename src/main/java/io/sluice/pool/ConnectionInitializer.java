package io.sluice.pool;

import io.agroal.api.AgroalPoolInterceptor;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.sluice.sql.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * The one initialiser of every connection clients' SQL runs on (pooled, direct and the read fast path's):
 * the dialect's hardening and, on PostgreSQL, the check of the role. As a pool interceptor it runs before a
 * pool hands a new connection out; a connection that fails it is never handed out.
 */
final class ConnectionInitializer implements AgroalPoolInterceptor {
    private static final Logger LOG = Logger.getLogger(ConnectionInitializer.class);

    private final Dialect dialect;
    private final BackendKind kind;
    private final boolean allowPrivilegedRole;
    /** Why connections are refused (a privileged PostgreSQL role in prod), or null. */
    private volatile String refusal;
    private volatile boolean roleWarned;

    ConnectionInitializer(Dialect dialect, BackendKind kind, boolean allowPrivilegedRole) {
        this.dialect = dialect;
        this.kind = kind;
        this.allowPrivilegedRole = allowPrivilegedRole;
    }

    @Override
    public void onConnectionCreate(Connection connection) {
        try {
            initialise(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("a new database connection could not be initialised (SQLState " + e.getSQLState() + ")", e);
        }
    }

    @Override
    public void onConnectionDestroy(Connection connection) {
        dialect.forgetConnection(connection);
    }

    /** Initialises a connection of any path. */
    void initialise(Connection c) throws SQLException {
        dialect.initConnection(c);
        if (kind == BackendKind.POSTGRESQL) {
            checkRole(c);
        }
    }

    /** Why connections are refused, or null: set once a privileged role was refused. */
    String refusal() {
        return refusal;
    }

    /**
     * Refuses a connection whose role is privileged ({@link DatabaseRole}) in the {@code prod} profile unless
     * {@code sluice.database.allow-privileged-role=true}; elsewhere warns once.
     */
    private void checkRole(Connection c) throws SQLException {
        DatabaseRole role = DatabaseRole.of(c);
        if (role.isPrivileged()) {
            boolean refuse = ConfigUtils.getProfiles().contains("prod") && !allowPrivilegedRole;
            if (refuse) {
                String why = role.describe() + ". Connect as a least-privilege role (docs/security.md) or set "
                        + "sluice.database.allow-privileged-role=true (SLUICE_DATABASE_ALLOW_PRIVILEGED_ROLE) to accept the risk";
                if (refusal == null) {
                    LOG.error(why);
                }
                refusal = why;
                throw new SQLException("privileged database role refused", "28000");
            }
            if (!roleWarned) {
                roleWarned = true;
                LOG.warnf("%s; in prod Sluice would refuse to start (sluice.database.allow-privileged-role=%s)", role.describe(),
                        allowPrivilegedRole);
            }
        } else if (role.canSignalBackends() && !roleWarned) {
            roleWarned = true;
            LOG.warnf("the PostgreSQL role \"%s\" may call pg_terminate_backend/pg_cancel_backend, so a client could end the "
                    + "other connections of Sluice; revoke EXECUTE on them (docs/security.md)", role.role());
        }
    }
}
