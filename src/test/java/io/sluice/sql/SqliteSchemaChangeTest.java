package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two connections on one real SQLite file (WAL, as the server runs it): a session never acts on a schema
 * its connection cached before the other connection changed it. SQLite itself compiles statements against
 * its cached copy and only checks it when a statement runs, so without the refresh the first INSERT after
 * another connection re-created the table fails with "table t has 2 columns but 1 values were supplied".
 */
class SqliteSchemaChangeTest {
    @TempDir
    Path dir;

    private final SqliteDialect dialect = new SqliteDialect();
    private final List<Connection> connections = new ArrayList<>();
    private SqlSession a;
    private SqlSession b;

    private Connection connect() throws Exception {
        Properties props = new Properties();
        props.setProperty("journal_mode", "WAL");
        props.setProperty("busy_timeout", "5000");
        Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + dir.resolve("schema.db"), props);
        connections.add(c);
        dialect.initConnection(c);
        return c;
    }

    @BeforeEach
    void open() throws Exception {
        a = dialect.open(connect(), false);
        b = dialect.open(connect(), false);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Connection c : connections) {
            dialect.forgetConnection(c);
            c.close();
        }
    }

    private static StmtResult run(SqlSession s, String sql) throws StatementException {
        StmtResult.Collector sink = new StmtResult.Collector(true, new ResponseBudget(1 << 20));
        s.execute(SqlScanner.scanOne(sql), new Object[0], sink);
        return sink.result();
    }

    @Test
    void shouldInsertIntoRecreatedTableWhenAnotherConnectionChangedSchema() throws Exception {
        run(a, "CREATE TABLE t(a, b)");
        run(a, "INSERT INTO t VALUES (1, 2)"); // a's connection now caches t(a, b)

        run(b, "DROP TABLE t");
        run(b, "CREATE TABLE t(a)");

        assertThat(run(a, "INSERT INTO t VALUES (3)").affectedRowCount()).isEqualTo(1);
        assertThat(run(b, "SELECT a FROM t").rows()).extracting(r -> r[0]).containsExactly(3L);
    }

    @Test
    void shouldStillReportGenuineColumnCountErrorAfterRefreshingSchema() throws Exception {
        run(a, "CREATE TABLE t(a, b)");
        run(a, "INSERT INTO t VALUES (1, 2)");
        run(b, "DROP TABLE t");
        run(b, "CREATE TABLE t(a)");

        assertThatThrownBy(() -> run(a, "INSERT INTO t VALUES (1, 2)"))
                .isInstanceOf(StatementException.class)
                .hasMessageContaining("table t has 1 columns but 2 values were supplied");
    }

    @Test
    void shouldInsertIntoRecreatedTableInsideTransactionBegunBeforeItsFirstRead() throws Exception {
        run(a, "CREATE TABLE t(a, b)");
        run(a, "INSERT INTO t VALUES (1, 2)");
        run(a, "BEGIN");
        run(b, "DROP TABLE t");
        run(b, "CREATE TABLE t(a)");

        run(a, "INSERT INTO t VALUES (3)");
        run(a, "COMMIT");
        assertThat(run(b, "SELECT count(*) FROM t").rows().get(0)[0]).isEqualTo(1L);
    }

    @Test
    void shouldDescribeColumnsOfSchemaAsAnotherConnectionLeftIt() throws Exception {
        run(a, "CREATE TABLE t(a, b)");
        assertThat(a.describe(SqlScanner.scanOne("SELECT * FROM t")).columns()).hasSize(2);

        run(b, "ALTER TABLE t DROP COLUMN b");

        assertThat(a.describe(SqlScanner.scanOne("SELECT * FROM t")).columns()).extracting(Column::name).containsExactly("a");
    }

    @Test
    void shouldReadRowsOfAlteredTableWithCachedStatementOnLongLivedConnection() throws Exception {
        a.enableStatementCache(8); // the read fast path's connection keeps its statements
        run(a, "CREATE TABLE t(a)");
        run(a, "INSERT INTO t VALUES (1)");
        assertThat(run(a, "SELECT * FROM t").columns()).hasSize(1);

        run(b, "ALTER TABLE t ADD COLUMN c DEFAULT 'new'");

        StmtResult r = run(a, "SELECT * FROM t");
        assertThat(r.columns()).extracting(Column::name).containsExactly("a", "c");
        assertThat(r.rows().get(0)).containsExactly(1L, "new");
    }
}
