package io.sluice.sql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.io.TempDir;

/** {@link StatementStopContract} on a real SQLite file: stopped by the connection's progress handler. */
class SqliteStatementStopTest extends StatementStopContract {
    @TempDir
    Path dir;

    @Override
    Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("stop.db"));
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
