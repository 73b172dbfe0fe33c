package io.sluice.sql;

import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.io.TempDir;

/** {@link StatementStopContract} on a real SQLite file: stopped by the connection's progress handler. */
class SqliteStatementStopTest extends StatementStopContract {
    @TempDir
    Path dir;

    @Override
    Connection connect() throws Exception {
        // the driver itself, not DriverManager: in a JVM that also ran Quarkus tests its registration may be gone
        return new org.sqlite.JDBC().connect("jdbc:sqlite:" + dir.resolve("stop.db"), new java.util.Properties());
    }

    @Override
    Dialect dialect() {
        return new SqliteDialect();
    }

    @Override
    String runaway() {
        return "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r WHERE 'secret' <> ''";
    }

    @Override
    String createTable(String name) {
        return "CREATE TABLE " + name + " (id INTEGER PRIMARY KEY)";
    }
}
