package io.sluice.pool;

import io.sluice.sql.Dialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Connections of the server's own, outside the pool: the direct (legacy) path's, the read fast path's,
 * health probes' and backups'. The only holder, besides the pool's configuration, of the backend's JDBC URL
 * and credentials; nothing outside {@code pool} opens a connection.
 */
final class OwnConnections implements ReaderConnections {
    private final BackendKind kind;
    private final String url;
    /** The pool's driver properties (SQLite pragmas); no credentials. */
    private final Properties driver;
    private final Optional<String> user;
    private final Optional<String> password;
    private final ConnectionInitializer initializer;
    private final Dialect dialect;

    OwnConnections(BackendKind kind, String url, Properties driver, Optional<String> user, Optional<String> password,
            ConnectionInitializer initializer, Dialect dialect) {
        this.kind = kind;
        this.url = url;
        this.driver = driver;
        this.user = user;
        this.password = password;
        this.initializer = initializer;
        this.dialect = dialect;
    }

    /** The backend's JDBC URL (no credentials in it for either backend). */
    String url() {
        return url;
    }

    /** A copy of the pool's driver properties; no credentials. */
    Properties driverProperties() {
        Properties props = new Properties();
        props.putAll(driver);
        return props;
    }

    /** A direct connection for a stream, initialised like a pooled one; read-only on SQLite when asked. */
    Connection direct(boolean readOnly) throws SQLException {
        Properties props = withCredentials();
        return open(readOnly ? readOnly(props) : props, initializer::initialise);
    }

    @Override
    public Connection open(Map<String, String> overrides) throws SQLException {
        if (kind != BackendKind.SQLITE) {
            throw new SQLException("read-only connections of their own exist only on SQLite", "0A000");
        }
        Properties props = readOnly(withCredentials());
        props.putAll(overrides);
        return open(props, dialect::initConnection);
    }

    /** How a fresh connection is prepared before anyone uses it. */
    @FunctionalInterface
    private interface Init {
        void apply(Connection c) throws SQLException;
    }

    /** A connection prepared by {@code init}; closed again when that fails, so a half-initialised one never escapes. */
    private Connection open(Properties props, Init init) throws SQLException {
        Connection c = DriverManager.getConnection(url, props);
        try {
            init.apply(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Override
    public void close(Connection c) throws SQLException {
        dialect.forgetConnection(c);
        c.close();
    }

    /** A health probe's connection: not initialised (it runs no client SQL), with short timeouts on PostgreSQL. */
    Connection probe(Duration timeout) throws SQLException {
        Properties props = withCredentials();
        if (kind == BackendKind.POSTGRESQL) {
            props.setProperty("connectTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
            props.setProperty("socketTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
        }
        return DriverManager.getConnection(url, props);
    }

    /** A SQLite connection with the pool's settings for the server's own work (a backup); no client SQL runs on it. */
    Connection server() throws SQLException {
        return DriverManager.getConnection(url, driverProperties());
    }

    private Properties withCredentials() {
        Properties props = driverProperties();
        user.ifPresent(u -> props.setProperty("user", u));
        password.ifPresent(p -> props.setProperty("password", p));
        return props;
    }

    /** SQLite driver properties that open the database with SQLITE_OPEN_READONLY (and never create it). */
    static Properties readOnly(Properties base) {
        Properties props = new Properties();
        props.putAll(base);
        props.setProperty(SQLiteConfig.Pragma.OPEN_MODE.pragmaName, Integer.toString(SQLiteOpenMode.READONLY.flag));
        return props;
    }
}
