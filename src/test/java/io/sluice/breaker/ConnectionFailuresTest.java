package io.sluice.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.ErrorCode;
import io.sluice.sql.SqlErrors;
import io.sluice.sql.StatementException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Which failures count against the circuit breaker: real driver and pool failures where they can be had. */
class ConnectionFailuresTest {

    // ---- connection-level ---------------------------------------------------------------------------

    @Test
    void shouldCountRefusedPostgresConnectAsConnectionLevel() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Throwable refused = catchThrowable(() -> DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/test?connectTimeout=2", "postgres", ""));

        assertThat(refused).isInstanceOf(PSQLException.class);
        assertThat(ConnectionFailures.isConnectionLevel(refused)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"08000", "08001", "08003", "08004", "08006", "08P01", "57P01", "57P02", "57P03",
            "53300", "28P01", "58030"})
    void shouldCountConnectionSqlStatesAsConnectionLevel(String state) {
        assertThat(ConnectionFailures.isConnectionLevel(new SQLException("lost", state))).isTrue();
    }

    @Test
    void shouldCountPgjdbcIoFailureAsConnectionLevel() {
        PSQLException lost = new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new SocketTimeoutException("Read timed out"));

        assertThat(ConnectionFailures.isConnectionLevel(lost)).isTrue();
    }

    @Test
    void shouldCountJdbcConnectionExceptionTypesAsConnectionLevel() {
        assertThat(ConnectionFailures.isConnectionLevel(new SQLTransientConnectionException("x"))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(new SQLNonTransientConnectionException("x"))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(new SQLRecoverableException("x"))).isTrue();
    }

    @Test
    void shouldCountIoExceptionsAnywhereInTheCauseChainAsConnectionLevel() {
        assertThat(ConnectionFailures.isConnectionLevel(new SocketTimeoutException("connect timed out"))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(new ConnectException("Connection refused"))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(
                new RuntimeException(new UncheckedIOException(new IOException("reset"))))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(
                new SQLException("driver wrapper without state", (String) null, new SocketTimeoutException()))).isTrue();
    }

    @Test
    void shouldCountRealAgroalAcquisitionTimeoutAsConnectionLevel() throws SQLException {
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(1).acquisitionTimeout(Duration.ofMillis(100))
                        .connectionFactoryConfiguration(factory -> factory.jdbcUrl("jdbc:sqlite::memory:")));
        try (AgroalDataSource ds = AgroalDataSource.from(config); Connection held = ds.getConnection()) {
            Throwable timeout = catchThrowable(ds::getConnection);

            assertThat(timeout).isInstanceOf(SQLException.class).hasMessageContaining("cquisition timeout");
            assertThat(ConnectionFailures.isConnectionLevel(timeout)).isTrue();
        }
    }

    @Test
    void shouldCountAgroalAcquisitionTimeoutByItsCauseWhenTheMessageChanges() {
        SQLException reworded = new SQLException("no connection in time", (String) null, new TimeoutException());

        assertThat(ConnectionFailures.isConnectionLevel(reworded)).isTrue();
    }

    @Test
    void shouldCountBackendUnavailableAndGatewayConnectionFailuresAsConnectionLevel() {
        assertThat(ConnectionFailures.isConnectionLevel(new BackendUnavailableException("pool exhausted"))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(SqlErrors.connectionFailure(new SQLException("gone", "08006"))))
                .isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(new StatementException("SQLITE_IOERR_SHORT_READ", "x"))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(new StatementException("SQLITE_CANTOPEN", "x"))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(new StatementException("BACKEND_UNAVAILABLE", "x"))).isTrue();
    }

    @Test
    void shouldCountUnreadableSqliteFileAsConnectionLevel(@TempDir Path dir) throws IOException {
        Path notADatabase = dir.resolve("garbage.db");
        Files.writeString(notADatabase, "this is not a SQLite database file, just text");

        Throwable notadb = catchThrowable(() -> {
            try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + notADatabase, new java.util.Properties());
                    Statement s = c.createStatement()) {
                s.executeQuery("SELECT * FROM sqlite_master").close();
            }
        });

        assertThat(notadb).isInstanceOf(SQLiteException.class);
        assertThat(((SQLiteException) notadb).getResultCode()).isEqualTo(SQLiteErrorCode.SQLITE_NOTADB);
        assertThat(ConnectionFailures.isConnectionLevel(notadb)).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(
                new SQLiteException("disk I/O error", SQLiteErrorCode.SQLITE_IOERR_SHORT_READ))).isTrue();
        assertThat(ConnectionFailures.isConnectionLevel(
                new SQLiteException("unable to open database file", SQLiteErrorCode.SQLITE_CANTOPEN))).isTrue();
    }

    // ---- statement-level ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"42601", "42P01", "42501", "23505", "23503", "22P02", "22012", "40001", "40P01",
            "57014", "53100", "54000", "55P03", "25P02", "0A000", "P0001", "XX001"})
    void shouldNotCountStatementSqlStatesEvenWithAnIoCause(String state) {
        SQLException userError = new SQLException("statement failed", state, new IOException("unrelated"));

        assertThat(ConnectionFailures.isConnectionLevel(userError)).isFalse();
    }

    @Test
    void shouldNotCountRealSqliteSyntaxAndConstraintErrors() throws SQLException {
        try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite::memory:", new java.util.Properties()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
            s.execute("INSERT INTO t VALUES (1, 'a')");

            Throwable syntax = catchThrowable(() -> s.execute("SELEC 1"));
            Throwable duplicate = catchThrowable(() -> s.execute("INSERT INTO t VALUES (1, 'b')"));
            Throwable notNull = catchThrowable(() -> s.execute("INSERT INTO t VALUES (2, NULL)"));
            Throwable noTable = catchThrowable(() -> s.execute("SELECT * FROM missing"));

            assertThat(syntax).isInstanceOf(SQLiteException.class);
            assertThat(duplicate).isInstanceOf(SQLiteException.class);
            assertThat(ConnectionFailures.isConnectionLevel(syntax)).isFalse();
            assertThat(ConnectionFailures.isConnectionLevel(duplicate)).isFalse();
            assertThat(ConnectionFailures.isConnectionLevel(notNull)).isFalse();
            assertThat(ConnectionFailures.isConnectionLevel(noTable)).isFalse();
        }
    }

    @Test
    void shouldNotCountSqliteContentionFullDiskOrCorruption() {
        for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_BUSY, SQLiteErrorCode.SQLITE_LOCKED,
                SQLiteErrorCode.SQLITE_FULL, SQLiteErrorCode.SQLITE_CORRUPT, SQLiteErrorCode.SQLITE_READONLY}) {
            assertThat(ConnectionFailures.isConnectionLevel(new SQLiteException("x", code))).as(code.name()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ErrorCode.SQL_PARSE_ERROR, ErrorCode.ARGS_INVALID, ErrorCode.RESPONSE_TOO_LARGE,
            ErrorCode.READONLY, "SQLITE_CONSTRAINT", "SQLITE_MISMATCH", "SQLITE_BUSY", "SQLITE_CORRUPT",
            "SQLITE_ERROR", "SQLITE_IOERRX", "STREAM_CLOSED"})
    void shouldNotCountStatementExceptionsOtherThanIoErrors(String code) {
        StatementException e = new StatementException(code, "x");

        assertThat(ConnectionFailures.isConnectionLevel(e)).isFalse();
        assertThat(ConnectionFailures.isConnectionLevel(new RuntimeException(e))).isFalse();
    }

    @Test
    void shouldNotCountUnrelatedFailuresOrTheBreakersOwnRefusal() {
        assertThat(ConnectionFailures.isConnectionLevel(null)).isFalse();
        assertThat(ConnectionFailures.isConnectionLevel(new IllegalStateException("bug"))).isFalse();
        assertThat(ConnectionFailures.isConnectionLevel(new SQLException("database connection closed"))).isFalse();
        assertThat(ConnectionFailures.isConnectionLevel(new CircuitOpenException(BreakerState.OPEN, 3))).isFalse();
    }

    @Test
    void shouldStopOnACyclicCauseChain() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b", a);
        a.initCause(b);

        assertThat(ConnectionFailures.isConnectionLevel(a)).isFalse();
    }

    @Test
    void shouldDescribeFailuresWithoutTheirMessages() {
        SQLException withSecret = new SQLException("password=hunter2 host=db.internal", "08001");

        assertThat(ConnectionFailures.describe(withSecret)).isEqualTo("SQLException SQLState 08001");
        assertThat(ConnectionFailures.describe(new StatementException("SQLITE_IOERR", "secret"))).isEqualTo(
                "StatementException SQLITE_IOERR");
        assertThat(ConnectionFailures.describe(new UncheckedIOException(new SocketTimeoutException("secret"))))
                .isEqualTo("UncheckedIOException (SocketTimeoutException)");
    }
}
