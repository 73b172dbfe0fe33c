package io.sluice.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins what {@link AgroalInternals} relies on in Agroal's implementation: if an Agroal upgrade renames the
 * wrapper or handler classes this does not compile, and if it changes what a FLUSH-marked connection does on
 * return, these tests fail — before a client sees a poisoned connection handed out again.
 */
class AgroalInternalsTest {
    @TempDir
    Path dir;

    private AgroalDataSource pool() throws SQLException {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .metricsEnabled(true)
                .connectionPoolConfiguration(p -> p
                        .maxSize(2)
                        .acquisitionTimeout(Duration.ofSeconds(5))
                        // the driver named, not looked up: after a Quarkus test in the same JVM DriverManager may not see it
                        .connectionFactoryConfiguration(f -> f.connectionProviderClass(org.sqlite.JDBC.class)
                                .jdbcUrl("jdbc:sqlite:" + dir.resolve("agroal.db")))));
    }

    @Test
    void shouldDestroyAnEvictedConnectionWhenItIsReturnedInsteadOfPoolingIt() throws SQLException {
        try (AgroalDataSource pool = pool()) {
            Connection first = pool.getConnection();
            try (Statement st = first.createStatement()) {
                st.execute("PRAGMA query_only = 1"); // session state the next lease must never see
            }
            assertThat(AgroalInternals.evictOnReturn(first)).isTrue();
            first.close();

            // Agroal destroys a flushed connection on its housekeeping thread, soon after the return
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.getMetrics().destroyCount() == 1);
            assertThat(pool.getMetrics().availableCount()).isZero();
            try (Connection next = pool.getConnection();
                    Statement st = next.createStatement();
                    var rs = st.executeQuery("PRAGMA query_only")) {
                rs.next();
                assertThat(rs.getInt(1)).as("a fresh connection, not the evicted one").isZero();
            }
            assertThat(pool.getMetrics().creationCount()).isEqualTo(2);
        }
    }

    @Test
    void shouldPoolAConnectionThatWasNotEvicted() throws SQLException {
        try (AgroalDataSource pool = pool()) {
            pool.getConnection().close();

            assertThat(pool.getMetrics().destroyCount()).isZero();
            assertThat(pool.getMetrics().availableCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseToEvictAConnectionThatNoAgroalPoolHandedOut() throws SQLException {
        try (Connection own = new org.sqlite.JDBC().connect("jdbc:sqlite:" + dir.resolve("own.db"), new Properties())) {
            assertThat(AgroalInternals.evictOnReturn(own)).isFalse();
            assertThat(own.isClosed()).isFalse();
        }
    }
}
