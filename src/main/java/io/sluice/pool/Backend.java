package io.sluice.pool;

import io.agroal.api.AgroalDataSource;
import io.agroal.pool.ConnectionHandler;
import io.agroal.pool.wrapper.ConnectionWrapper;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.sql.Dialect;
import io.sluice.sql.PostgresDialect;
import io.sluice.sql.SqliteDialect;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * The active backend database: embedded SQLite, or PostgreSQL when {@code sluice.database.url} is set
 * (see {@link io.sluice.config.BackendSelection}). Owns its dialect and hands out connection leases.
 */
@ApplicationScoped
public class Backend {
    private static final Logger LOG = Logger.getLogger(Backend.class);

    private final SluiceConfig config;
    private final boolean postgres;
    private final InjectableInstance<AgroalDataSource> sqlite;
    private final InjectableInstance<AgroalDataSource> postgresql;
    private final Dialect dialect;
    private volatile AgroalDataSource dataSource;

    Backend(SluiceConfig config,
            @DataSource("sqlite") InjectableInstance<AgroalDataSource> sqlite,
            @DataSource("postgresql") InjectableInstance<AgroalDataSource> postgresql) {
        this.config = config;
        this.postgres = config.database().url().filter(u -> !u.isBlank()).isPresent();
        this.sqlite = sqlite;
        this.postgresql = postgresql;
        this.dialect = postgres ? new PostgresDialect() : new SqliteDialect();
    }

    /** Prepares the backend before anything leases a connection: the SQLite directory and file, or a first PostgreSQL check. */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (postgres) {
            dataSource = postgresql.get();
            try (Connection c = dataSource.getConnection()) {
                LOG.infof("PostgreSQL backend: %s %s", c.getMetaData().getDatabaseProductName(), c.getMetaData().getDatabaseProductVersion());
            } catch (SQLException e) {
                // a database that is down at start is not fatal: requests fail fast until it is back
                LOG.warnf("PostgreSQL backend is not reachable at start (SQLState %s); will keep trying", e.getSQLState());
            }
        } else {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
            }
            dataSource = sqlite.get();
            try (Connection c = dataSource.getConnection()) {
                LOG.infof("embedded SQLite database at %s", config.dataDir().resolve("sluice.db").toAbsolutePath());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open the embedded SQLite database in " + config.dataDir(), e);
            }
        }
        dataSource.getConfiguration().connectionPoolConfiguration().setMinSize(config.pool().minConnections());
        dataSource.getConfiguration().setMetricsEnabled(true);
    }

    /**
     * Gives a leased connection back. A connection that is not reusable (its session state was changed,
     * or it failed at the connection level) is destroyed instead of returning to the pool.
     */
    public void release(Connection connection, boolean reusable) {
        if (!reusable && connection instanceof ConnectionWrapper wrapper) {
            wrapper.getHandler().setState(ConnectionHandler.State.FLUSH);
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debugf("returning a connection failed, SQLState %s", e.getSQLState());
        }
    }

    /** Connections currently leased out of the pool (a stream holds one from first statement to close). */
    public long activeConnections() {
        return dataSource.getMetrics().activeCount();
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Leases a connection, waiting at most the pool's acquire timeout. */
    public Connection lease() throws BackendUnavailableException {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            LOG.debugf("connection lease failed, SQLState %s", e.getSQLState());
            throw new BackendUnavailableException("No database connection available within "
                    + config.pool().acquireTimeout().toMillis() + " ms");
        }
    }
}
