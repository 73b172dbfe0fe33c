package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.sluice.pool.BackendUnavailableException;
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

/** The failure taxonomy: which class each failure is in, with real driver and pool failures where they can be had. */
class SqlErrorsTest {

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
        assertThat(SqlErrors.classify(refused)).isEqualTo(FailureClass.CONNECTION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"08000", "08001", "08003", "08004", "08006", "08P01", "57P01", "57P02", "57P03",
            "53300", "28P01", "58030"})
    void shouldCountConnectionSqlStatesAsConnectionLevel(String state) {
        assertThat(SqlErrors.classify(new SQLException("lost", state))).isEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldCountPgjdbcIoFailureAsConnectionLevel() {
        PSQLException lost = new PSQLException("An I/O error occurred while sending to the backend.",
                PSQLState.CONNECTION_FAILURE, new SocketTimeoutException("Read timed out"));

        assertThat(SqlErrors.classify(lost)).isEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldCountJdbcConnectionExceptionTypesAsConnectionLevel() {
        assertThat(SqlErrors.classify(new SQLTransientConnectionException("x"))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new SQLNonTransientConnectionException("x"))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new SQLRecoverableException("x"))).isEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldCountIoExceptionsAnywhereInTheCauseChainAsConnectionLevel() {
        assertThat(SqlErrors.classify(new SocketTimeoutException("connect timed out"))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new ConnectException("Connection refused"))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(
                new RuntimeException(new UncheckedIOException(new IOException("reset"))))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(
                new SQLException("driver wrapper without state", (String) null, new SocketTimeoutException()))).isEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldClassifyRealAgroalTimeoutWithEveryConnectionBusyAsSaturation() throws SQLException {
        AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(1).acquisitionTimeout(Duration.ofMillis(100))
                        .connectionFactoryConfiguration(factory -> factory.jdbcUrl("jdbc:sqlite::memory:")));
        try (AgroalDataSource ds = AgroalDataSource.from(config); Connection held = ds.getConnection()) {
            Throwable timeout = catchThrowable(ds::getConnection);

            assertThat(timeout).isInstanceOf(SQLException.class).hasMessageContaining("cquisition timeout");
            assertThat(SqlErrors.classify(timeout)).isEqualTo(FailureClass.SATURATION);
            assertThat(SqlErrors.classify(timeout).countsAgainstBreaker()).isFalse();
        }
    }

    @Test
    void shouldCountAgroalAcquisitionTimeoutByItsCauseWhenTheMessageChanges() {
        SQLException reworded = new SQLException("no connection in time", (String) null, new TimeoutException());

        assertThat(SqlErrors.classify(reworded)).isEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldCountBackendUnavailableAndGatewayConnectionFailuresAsConnectionLevel() {
        assertThat(SqlErrors.classify(new BackendUnavailableException("database unreachable"))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(SqlErrors.connectionFailure(new SQLException("gone", "08006"))))
                .isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new StatementException("SQLITE_IOERR_SHORT_READ", "x"))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new StatementException("SQLITE_CANTOPEN", "x"))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new StatementException("BACKEND_UNAVAILABLE", "x"))).isEqualTo(FailureClass.CONNECTION);
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
        assertThat(SqlErrors.classify(notadb)).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(
                new SQLiteException("disk I/O error", SQLiteErrorCode.SQLITE_IOERR_SHORT_READ))).isEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(
                new SQLiteException("unable to open database file", SQLiteErrorCode.SQLITE_CANTOPEN))).isEqualTo(FailureClass.CONNECTION);
    }

    // ---- statement-level ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"42601", "42P01", "42501", "23505", "23503", "22P02", "22012", "40001", "40P01",
            "57014", "53100", "54000", "55P03", "25P02", "0A000", "P0001", "XX001"})
    void shouldNotCountStatementSqlStatesEvenWithAnIoCause(String state) {
        SQLException userError = new SQLException("statement failed", state, new IOException("unrelated"));

        assertThat(SqlErrors.classify(userError)).isNotEqualTo(FailureClass.CONNECTION);
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
            assertThat(SqlErrors.classify(syntax)).isNotEqualTo(FailureClass.CONNECTION);
            assertThat(SqlErrors.classify(duplicate)).isNotEqualTo(FailureClass.CONNECTION);
            assertThat(SqlErrors.classify(notNull)).isNotEqualTo(FailureClass.CONNECTION);
            assertThat(SqlErrors.classify(noTable)).isNotEqualTo(FailureClass.CONNECTION);
        }
    }

    @Test
    void shouldNotCountSqliteContentionFullDiskOrCorruption() {
        for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_BUSY, SQLiteErrorCode.SQLITE_LOCKED,
                SQLiteErrorCode.SQLITE_FULL, SQLiteErrorCode.SQLITE_CORRUPT, SQLiteErrorCode.SQLITE_READONLY}) {
            assertThat(SqlErrors.classify(new SQLiteException("x", code))).as(code.name()).isEqualTo(FailureClass.CLIENT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ErrorCode.SQL_PARSE_ERROR, ErrorCode.ARGS_INVALID, ErrorCode.RESPONSE_TOO_LARGE,
            ErrorCode.READONLY, "SQLITE_CONSTRAINT", "SQLITE_MISMATCH", "SQLITE_BUSY", "SQLITE_CORRUPT",
            "SQLITE_ERROR", "SQLITE_IOERRX", "STREAM_CLOSED"})
    void shouldNotCountStatementExceptionsOtherThanIoErrors(String code) {
        StatementException e = new StatementException(code, "x");

        assertThat(SqlErrors.classify(e)).isNotEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new RuntimeException(e))).isNotEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldNotCountUnrelatedFailuresOrTheBreakersOwnRefusal() {
        assertThat(SqlErrors.classify(null)).isNotEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new IllegalStateException("bug"))).isNotEqualTo(FailureClass.CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("database connection closed"))).isNotEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldClassifyPoolSaturationApartFromAnUnreachableDatabase() {
        BackendUnavailableException saturated = new BackendUnavailableException("busy", null, FailureClass.SATURATION);
        BackendUnavailableException down = new BackendUnavailableException("down", new SQLException("refused", "08001"),
                FailureClass.CONNECTION);

        assertThat(SqlErrors.classify(saturated)).isEqualTo(FailureClass.SATURATION);
        assertThat(SqlErrors.classify(new RuntimeException(saturated))).isEqualTo(FailureClass.SATURATION);
        assertThat(SqlErrors.classify(down)).isEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldClassifyStoppedStatementsAsTimeoutsThatNeverCount() {
        for (Throwable t : new Throwable[] {new StatementException(ErrorCode.STATEMENT_TIMEOUT, "x"),
                new StatementException(ErrorCode.STATEMENT_CANCELED, "x"), new StatementException("SQLITE_INTERRUPT", "x"),
                new SQLException("canceling statement due to user request", "57014"),
                new SQLiteException("interrupted", SQLiteErrorCode.SQLITE_INTERRUPT)}) {
            assertThat(SqlErrors.classify(t)).as(SqlErrors.describe(t)).isEqualTo(FailureClass.TIMEOUT);
            assertThat(SqlErrors.classify(t).countsAgainstBreaker()).isFalse();
            assertThat(SqlErrors.classify(t).breaksConnection()).isFalse();
        }
    }

    @Test
    void shouldTreatTheSameSqliteCodeAlikeWhetherRawOrTranslated() {
        // the disagreement this taxonomy ended: SQLITE_CANTOPEN counted for the breaker but not for the lease
        for (SQLiteErrorCode code : SQLiteErrorCode.values()) {
            if (code.code < 0 || code == SQLiteErrorCode.UNKNOWN_ERROR) {
                continue;
            }
            SQLiteErrorCode primary = SQLiteErrorCode.getErrorCode(code.code & 0xff);
            FailureClass raw = SqlErrors.classify(new SQLiteException("x", code));
            FailureClass translated = SqlErrors.classify(new StatementException(primary.name(), "x"));
            assertThat(translated).as(code.name()).isEqualTo(raw);
        }
    }

    @Test
    void shouldStopOnACyclicCauseChain() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b", a);
        a.initCause(b);

        assertThat(SqlErrors.classify(a)).isNotEqualTo(FailureClass.CONNECTION);
    }

    @Test
    void shouldDescribeFailuresWithoutTheirMessages() {
        SQLException withSecret = new SQLException("password=hunter2 host=db.internal", "08001");

        assertThat(SqlErrors.describe(withSecret)).isEqualTo("SQLException SQLState 08001");
        assertThat(SqlErrors.describe(new StatementException("SQLITE_IOERR", "secret"))).isEqualTo(
                "StatementException SQLITE_IOERR");
        assertThat(SqlErrors.describe(new UncheckedIOException(new SocketTimeoutException("secret"))))
                .isEqualTo("UncheckedIOException (SocketTimeoutException)");
    }
}
