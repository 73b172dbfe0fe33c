package io.sluice.pool;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.sql.Dialect;
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

/** The active backend database: its dialect and connection leases. */
@ApplicationScoped
public class Backend {
    private static final Logger LOG = Logger.getLogger(Backend.class);

    private final SluiceConfig config;
    private final AgroalDataSource dataSource;
    private final Dialect dialect = new SqliteDialect();

    Backend(SluiceConfig config, @DataSource("sqlite") AgroalDataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource;
    }

    /** Creates the data directory and the database file before anything leases a connection. */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
        }
        try (Connection c = dataSource.getConnection()) {
            LOG.infof("embedded SQLite database at %s", config.dataDir().resolve("sluice.db").toAbsolutePath());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the embedded SQLite database in " + config.dataDir(), e);
        }
        dataSource.getConfiguration().connectionPoolConfiguration().setMinSize(config.pool().minConnections());
        dataSource.getConfiguration().setMetricsEnabled(true);
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
