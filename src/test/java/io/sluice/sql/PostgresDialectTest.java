package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.sluice.sql.ArgumentBinder.NamedArg;
import io.sluice.sql.PostgresDialect.PostgresSession;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PostgreSQL dialect against a real PostgreSQL. Where: {@code -Dsluice.test.pg.url} or
 * {@code SLUICE_TEST_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}), user and password
 * from {@code sluice.test.pg.user}/{@code SLUICE_TEST_PG_USER} (default {@code postgres}) and
 * {@code sluice.test.pg.password}/{@code SLUICE_TEST_PG_PASSWORD} (default empty). Without a reachable
 * server the tests are skipped, unless {@code CI} is set or {@code -Dsluice.test.pg.required=true}: then
 * they fail. Each run works in its own schema and drops it afterwards.
 */
class PostgresDialectTest {
    private static final String URL = setting("sluice.test.pg.url", "SLUICE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = setting("sluice.test.pg.user", "SLUICE_TEST_PG_USER", "postgres");
    private static final String PASSWORD = setting("sluice.test.pg.password", "SLUICE_TEST_PG_PASSWORD", "");
    private static final String SCHEMA = "sluice_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);

    private static boolean schemaCreated;
    /** Why the tests are skipped, or null when PostgreSQL is there. */
    private static String unavailable;

    private PostgresDialect dialect = new PostgresDialect();
    private final List<Connection> opened = new ArrayList<>();
    private Connection conn;
    private SqlSession session;

    private static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    @BeforeAll
    static void createSchema() {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + SCHEMA);
            schemaCreated = true;
        } catch (SQLException e) {
            // without the URL's query, which may carry a password
            String why = "PostgreSQL is not reachable at " + URL.replaceFirst("\\?.*", "") + " as " + USER + " (SQLState " + e.getSQLState() + ")";
            if (System.getenv("CI") != null || Boolean.getBoolean("sluice.test.pg.required")) {
                fail(why + "; it is required here (CI is set or sluice.test.pg.required=true)");
            }
            // skipped per test rather than here, so that the report counts them as skipped and shows why
            unavailable = why + "; skipping the PostgreSQL dialect tests. Start one or set SLUICE_TEST_PG_URL.";
        }
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (!schemaCreated) {
            return;
        }
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
        }
    }

    @BeforeEach
    void openSession() throws Exception {
        Assumptions.assumeTrue(unavailable == null, unavailable);
        conn = connect();
        session = dialect.open(conn, false);
    }

    @AfterEach
    void closeConnections() throws SQLException {
        for (Connection c : opened) {
            c.close();
        }
    }

    /** A connection set up as the server sets up each one it opens ({@link PostgresDialect#initConnection}). */
    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        opened.add(c);
        dialect.initConnection(c);
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + SCHEMA);
        }
        return c;
    }

    // ---- helpers --------------------------------------------------------------------------------

    record Result(List<Column> cols, List<Object[]> rows, long affected, Long rowid) {
        Object value() {
            return rows.get(0)[0];
        }

        List<Object> row(int i) {
            return Arrays.asList(rows.get(i));
        }
    }

    private static Result run(SqlSession s, String sql, Object... args) throws StatementException {
        ScannedStatement st = SqlScanner.scanOne(sql, SqlScanner.Syntax.POSTGRESQL);
        return collect(s, st, ArgumentBinder.bind(st, Arrays.asList(args), List.of()));
    }

    private static Result runNamed(SqlSession s, String sql, NamedArg... args) throws StatementException {
        ScannedStatement st = SqlScanner.scanOne(sql, SqlScanner.Syntax.POSTGRESQL);
        return collect(s, st, ArgumentBinder.bind(st, List.of(), List.of(args)));
    }

    private static Result collect(SqlSession s, ScannedStatement st, Object[] slots) throws StatementException {
        List<Column> cols = new ArrayList<>();
        List<Object[]> rows = new ArrayList<>();
        long[] affected = new long[1];
        Long[] rowid = new Long[1];
        s.execute(st, slots, new ResultSink() {
            @Override
            public void columns(List<Column> columns) {
                cols.addAll(columns);
            }

            @Override
            public void row(Object[] values) {
                rows.add(values);
            }

            @Override
            public void end(long affectedRowCount, Long lastInsertRowid) {
                affected[0] = affectedRowCount;
                rowid[0] = lastInsertRowid;
            }
        });
        return new Result(cols, rows, affected[0], rowid[0]);
    }

    private Result run(String sql, Object... args) throws StatementException {
        return run(session, sql, args);
    }

    private Result runNamed(String sql, NamedArg... args) throws StatementException {
        return runNamed(session, sql, args);
    }

    private StatementException failure(SqlSession s, String sql, Object... args) {
        try {
            run(s, sql, args);
        } catch (StatementException e) {
            return e;
        }
        throw new AssertionError("expected " + sql + " to fail");
    }

    private StatementException failure(String sql, Object... args) {
        return failure(session, sql, args);
    }

    /** What another connection sees: committed data only. */
    private List<Object> committed(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + SCHEMA);
            List<Object> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    out.add(rs.getObject(1));
                }
            }
            return out;
        }
    }

    private static String table(String prefix) {
        return prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextInt() & 0xffffffL);
    }

    // ---- values: PostgreSQL → Hrana ---------------------------------------------------------------

    @Test
    void shouldReadEachTypeAsItsHranaValueWithItsTypeName() throws Exception {
        String t = table("types");
        run("CREATE TABLE " + t + " (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n_small numeric, n_whole numeric(12,2),"
                + " n_big numeric, n_frac numeric(10,3), tx text, vc varchar(10), bp char(3), u uuid, js json, jb jsonb,"
                + " d date, ts timestamp, tstz timestamptz, iv interval, bin bytea, bin_empty bytea, yes bool, no bool, o oid,"
                + " arr int4[], id serial)");
        run("SET TimeZone = 'UTC'");
        run("INSERT INTO " + t + " VALUES (-32768, 2147483647, 9223372036854775807, 1.1, 0.1, 42, 5.00,"
                + " 123456789012345678901234567890, 3.140, 'text', 'varchar', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                + " '{\"a\": 1}', '{\"b\": [1, 2]}', '2024-02-29', '2024-02-29 13:14:15.5', '2024-02-29 13:14:15+02',"
                + " '1 day 02:00:00', '\\x00ff10', '', true, false, 4294967295, '{1,2,3}')");

        Result r = run("SELECT * FROM " + t);

        assertThat(r.row(0)).containsExactly(-32768L, 2147483647L, 9223372036854775807L, 1.1, 0.1, 42L, 5L,
                "123456789012345678901234567890", "3.140", "text", "varchar", "ab ", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                "{\"a\": 1}", "{\"b\": [1, 2]}", "2024-02-29", "2024-02-29 13:14:15.5", "2024-02-29 11:14:15+00",
                "1 day 02:00:00", new byte[] {0, (byte) 0xff, 0x10}, new byte[0], 1L, 0L, 4294967295L, "{1,2,3}", 1L);
        assertThat(r.cols()).extracting(Column::decltype).containsExactly("int2", "int4", "int8", "float4", "float8",
                "numeric", "numeric", "numeric", "numeric", "text", "varchar", "bpchar", "uuid", "json", "jsonb", "date",
                "timestamp", "timestamptz", "interval", "bytea", "bytea", "bool", "bool", "oid", "_int4", "int4");
        assertThat(r.cols()).extracting(Column::name).startsWith("i2", "i4", "i8");
    }

    @Test
    void shouldReadNullOfEveryTypeAsNull() throws Exception {
        Result r = run("SELECT NULL::int2, NULL::int4, NULL::int8, NULL::float4, NULL::float8, NULL::numeric, NULL::text,"
                + " NULL::uuid, NULL::jsonb, NULL::timestamp, NULL::bytea, NULL::bool, NULL::oid, NULL");
        assertThat(r.row(0)).hasSize(14).containsOnlyNulls();
    }

    @Test
    void shouldKeepNumericsWithoutLoss() throws Exception {
        Result r = run("SELECT 9223372036854775807::numeric, 9223372036854775808::numeric, -9223372036854775808::numeric,"
                + " 0.000::numeric, 1e3::numeric, 0.1::numeric + 0.2::numeric, 'NaN'::numeric, 2.50::numeric(5,2)");
        assertThat(r.row(0)).containsExactly(9223372036854775807L, "9223372036854775808", -9223372036854775808L, 0L, 1000L,
                "0.3", "NaN", "2.50");
    }

    @Test
    void shouldGiveExpressionsTheirTypeNames() throws Exception {
        Result r = run("SELECT 1 + 1 AS two, 'x' AS lit, now() AS t");
        assertThat(r.cols()).containsExactly(new Column("two", "int4"), new Column("lit", "text"), new Column("t", "timestamptz"));
    }

    @Test
    void shouldReadTheSameTextAfterPgjdbcServerPreparesTheStatement() throws Exception {
        // pgjdbc switches to server-prepared statements (and binary results) on the fifth execution
        List<List<Object>> seen = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            seen.add(run("SELECT ARRAY[1,2], '{a,b}'::text[], '03:04:05+02'::timetz, point(1, 2), 1.1::float4, '\\x01'::bytea,"
                    + " '2024-01-02'::date, 2.50::numeric(5,2), ?::int", (long) i % 1).row(0));
        }
        for (List<Object> row : seen) {
            assertThat(row).containsExactly("{1,2}", "{a,b}", "03:04:05+02", "(1,2)", 1.1, new byte[] {1}, "2024-01-02", "2.50", 0L);
        }
    }

    // ---- values: Hrana → PostgreSQL ---------------------------------------------------------------

    @Test
    void shouldBindEachHranaValueIntoTypedColumns() throws Exception {
        String t = table("bind");
        run("CREATE TABLE " + t + " (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, tx text, vc varchar(10),"
                + " u uuid, js json, jb jsonb, d date, ts timestamp, bin bytea, yes bool)");
        Result ins = run("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                7L, 70000L, Long.MIN_VALUE, 1.5, 2.25, "12345678901234567890.5", "tëxt", "vc",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{\"a\":1}", "{\"b\":2}", "2024-02-29", "2024-02-29 13:14:15", new byte[] {1, 2},
                "true");
        assertThat(ins.affected()).isEqualTo(1);
        run("INSERT INTO " + t + " (n, bin, yes) VALUES (?, ?, ?)", 3L, new byte[0], "0");
        run("INSERT INTO " + t + " (n) VALUES (?)", 2.5);
        run("INSERT INTO " + t + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new Object[15]);

        Result r = run("SELECT * FROM " + t + " ORDER BY n NULLS LAST");

        assertThat(r.row(0)).containsExactly(null, null, null, null, null, "2.5", null, null, null, null, null,
                null, null, null, null);
        assertThat(r.row(1)).containsExactly(null, null, null, null, null, 3L, null, null, null, null, null, null, null, new byte[0], 0L);
        assertThat(r.row(2)).containsExactly(7L, 70000L, Long.MIN_VALUE, 1.5, 2.25, "12345678901234567890.5", "tëxt", "vc",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{\"a\":1}", "{\"b\": 2}", "2024-02-29", "2024-02-29 13:14:15", new byte[] {1, 2}, 1L);
        assertThat(r.row(3)).containsOnlyNulls();
    }

    @Test
    void shouldCompareTextArgumentsWithTypedColumns() throws Exception {
        String t = table("cmp");
        run("CREATE TABLE " + t + " (u uuid, d date, jb jsonb, n numeric)");
        run("INSERT INTO " + t + " VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-02', '{\"a\":1}', 10)");
        assertThat(run("SELECT count(*) FROM " + t + " WHERE u = ? AND d = ? AND jb = ? AND n = ?",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2024-01-02", "{\"a\": 1}", "10").value()).isEqualTo(1L);
    }

    @Test
    void shouldRoundTripArgumentsThroughASelect() throws Exception {
        Result r = run("SELECT ?, ?, ?, ?, ?, ?", 42L, 1.0, "text", new byte[0], null, new byte[] {9});
        assertThat(r.row(0)).containsExactly(42L, 1.0, "text", new byte[0], null, new byte[] {9});
        assertThat(r.cols()).extracting(Column::decltype).containsExactly("int8", "float8", "text", "bytea", "text", "bytea");
    }

    @Test
    void shouldTypeAnUntypedNullOrTextArgumentThatHasNoContext() throws Exception {
        assertThat(run("SELECT ? IS NULL", (Object) null).value()).isEqualTo(1L);
        assertThat(run("SELECT ? IS NULL, ? IS NOT NULL", "x", null).row(0)).containsExactly(0L, 0L);
        assertThat(runNamed("SELECT count(*) FROM (VALUES (1)) v(a) WHERE (:a IS NULL OR a = :a::int)",
                new NamedArg("a", "1")).value()).isEqualTo(1L);
    }

    // ---- parameters -----------------------------------------------------------------------------

    @Test
    void shouldBindPositionalAndNumberedParameters() throws Exception {
        assertThat(run("SELECT ?, ?", "a", "b").row(0)).containsExactly("a", "b");
        assertThat(run("SELECT ?2, ?1, ?2", "a", "b").row(0)).containsExactly("b", "a", "b");
        assertThat(run("SELECT $2, $1", "a", "b").row(0)).containsExactly("b", "a");
    }

    @Test
    void shouldBindNamedParametersWithAnyPrefixAndRepeatedNames() throws Exception {
        Result r = runNamed("SELECT :a, @b, $c, :a || '!', @b", new NamedArg(":a", "x"), new NamedArg("b", "y"), new NamedArg("$c", 3L));
        assertThat(r.row(0)).containsExactly("x", "y", 3L, "x!", "y");
        // positional values fill named slots in order of first appearance
        assertThat(run("SELECT :a, :b, :a", 1L, 2L).row(0)).containsExactly(1L, 2L, 1L);
    }

    @Test
    void shouldLeaveCastsDollarQuotesAndEscapedOperatorsAlone() throws Exception {
        Result r = run("SELECT '5'::int, ?::text, $$a ? :b $1$$, $q$it's ?$q$, E'\\'?', '{\"k\":1}'::jsonb ?? 'k', ARRAY[1,2] @> ARRAY[?::int]",
                7L, 2L);
        assertThat(r.row(0)).containsExactly(5L, "7", "a ? :b $1", "it's ?", "'?", 1L, 1L);
    }

    @Test
    void shouldAcceptTheEscapedQuestionMarkOperatorWithoutParameters() throws Exception {
        assertThat(run("SELECT '{\"k\":1}'::jsonb ?? 'x'").value()).isEqualTo(0L);
    }

    // ---- statement results ------------------------------------------------------------------------

    @Test
    void shouldCountAffectedRowsAndNeverGiveARowid() throws Exception {
        String t = table("count");
        Result create = run("CREATE TABLE " + t + " (id serial PRIMARY KEY, v int)");
        assertThat(create.affected()).isZero();
        assertThat(create.cols()).isEmpty();
        Result ins = run("INSERT INTO " + t + " (v) VALUES (1), (2), (3)");
        assertThat(ins.affected()).isEqualTo(3);
        assertThat(ins.rowid()).isNull();
        assertThat(ins.rows()).isEmpty();
        assertThat(run("UPDATE " + t + " SET v = v + 1 WHERE v >= 2").affected()).isEqualTo(2);
        assertThat(run("DELETE FROM " + t + " WHERE v = 1").affected()).isEqualTo(1);
        assertThat(run("SELECT * FROM " + t).affected()).isZero();
    }

    @Test
    void shouldReturnRowsAndCountThemForReturning() throws Exception {
        String t = table("ret");
        run("CREATE TABLE " + t + " (id serial PRIMARY KEY, v text)");
        Result ins = run("INSERT INTO " + t + " (v) VALUES (?), (?) RETURNING id, v", "a", "b");
        assertThat(ins.rows()).hasSize(2);
        assertThat(ins.row(0)).containsExactly(1L, "a");
        assertThat(ins.affected()).isEqualTo(2);
        assertThat(ins.rowid()).isNull();
        assertThat(ins.cols()).containsExactly(new Column("id", "int4"), new Column("v", "text"));
        Result upd = run("UPDATE " + t + " SET v = upper(v) RETURNING v");
        assertThat(upd.affected()).isEqualTo(2);
        Result del = run("DELETE FROM " + t + " WHERE v = 'Z' RETURNING id");
        assertThat(del.affected()).isZero();
        assertThat(del.cols()).extracting(Column::name).containsExactly("id");
    }

    // ---- transactions -----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"BEGIN", "BEGIN ", "begin immediate", "BEGIN DEFERRED", "BEGIN EXCLUSIVE", "BEGIN TRANSACTION",
            "BEGIN IMMEDIATE TRANSACTION", "START TRANSACTION", "BEGIN ISOLATION LEVEL SERIALIZABLE"})
    void shouldOpenAWritableTransactionForEachBeginVariant(String begin) throws Exception {
        String t = table("begin");
        run("CREATE TABLE " + t + " (v int)");
        run(begin);
        assertThat(session.isAutocommit()).isFalse();
        run("INSERT INTO " + t + " VALUES (1)");
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(0L);
        run("END");
        assertThat(session.isAutocommit()).isTrue();
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(1L);
    }

    @Test
    void shouldOpenAReadOnlyTransactionForBeginTransactionReadonly() throws Exception {
        String t = table("ro");
        run("CREATE TABLE " + t + " (v int)");
        run("BEGIN TRANSACTION READONLY");
        assertThat(session.isAutocommit()).isFalse();
        assertThat(run("SHOW transaction_read_only").value()).isEqualTo("on");
        StatementException e = failure("INSERT INTO " + t + " VALUES (1)");
        assertThat(e.code()).isEqualTo("SQLITE_READONLY");
        assertThat(e.getMessage()).contains("25006");
        // the refused write did not end the transaction
        assertThat(session.isAutocommit()).isFalse();
        run("COMMIT");
        assertThat(session.isAutocommit()).isTrue();
    }

    @Test
    void shouldSeeOneSnapshotInBeginImmediateWhileAnotherWriterCommits() throws Exception {
        String t = table("snap");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY, v int)");
        run("INSERT INTO " + t + " VALUES (1, 10)");
        SqlSession other = dialect.open(connect(), false);

        run("BEGIN IMMEDIATE");
        assertThat(run("SHOW transaction_isolation").value()).isEqualTo("repeatable read");
        assertThat(run("SELECT count(*) FROM " + t).value()).isEqualTo(1L);
        run(other, "INSERT INTO " + t + " VALUES (2, 20)");
        run(other, "UPDATE " + t + " SET v = 11 WHERE id = 1");
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(2L);

        assertThat(run("SELECT count(*) FROM " + t).value()).as("the second read of the transaction").isEqualTo(1L);
        assertThat(run("SELECT v FROM " + t + " WHERE id = 1").value()).isEqualTo(10L);
        run("INSERT INTO " + t + " VALUES (3, 30)"); // a write that conflicts with nothing goes through
        run("COMMIT");
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(3L);
    }

    @Test
    void shouldAnswerSerializationFailureAsRetryableBusyInWriteTransaction() throws Exception {
        String t = table("conflict");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY, v int)");
        run("INSERT INTO " + t + " VALUES (1, 10)");
        SqlSession other = dialect.open(connect(), false);

        run("BEGIN EXCLUSIVE");
        assertThat(run("SELECT v FROM " + t + " WHERE id = 1").value()).isEqualTo(10L);
        run(other, "UPDATE " + t + " SET v = 11 WHERE id = 1");

        StatementException e = failure("UPDATE " + t + " SET v = v + 1 WHERE id = 1");
        assertThat(e.code()).isEqualTo("SQLITE_BUSY");
        assertThat(e.getMessage()).contains("40001");
        assertThat(SqlErrors.classify(e)).as("a conflict is not the database's fault").isEqualTo(FailureClass.CLIENT);
        run("ROLLBACK");
        assertThat(session.isAutocommit()).isTrue();
        // the retry, in a new transaction, sees the other writer's row and succeeds
        run("BEGIN IMMEDIATE");
        run("UPDATE " + t + " SET v = v + 1 WHERE id = 1");
        run("COMMIT");
        assertThat(committed("SELECT v FROM " + t)).containsExactly(12);
    }

    @Test
    void shouldMakeASecondWriteTransactionWaitForTheFirstAndThenSeeItsCommitWithTheWriterLock() throws Exception {
        useWriterLock();
        String t = table("writerlock");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY, v int)");
        run("INSERT INTO " + t + " VALUES (1, 10)");
        Connection otherConn = connect();
        SqlSession other = dialect.open(otherConn, false);

        run("BEGIN IMMEDIATE");
        run("UPDATE " + t + " SET v = v + 1 WHERE id = 1");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Object> second = pool.submit(() -> {
                run(other, "BEGIN IMMEDIATE");
                run(other, "UPDATE " + t + " SET v = v + 1 WHERE id = 1");
                Object seen = run(other, "SELECT v FROM " + t + " WHERE id = 1").value();
                run(other, "COMMIT");
                return seen;
            });
            awaitWaitingForWriterLock(otherConn);
            assertThat(second).as("the second writer waits while the first holds the lock").isNotDone();
            run("COMMIT");
            assertThat(second.get(10, TimeUnit.SECONDS)).as("its snapshot starts after the first commit").isEqualTo(12L);
        } finally {
            pool.shutdownNow();
        }
        assertThat(committed("SELECT v FROM " + t)).containsExactly(12);
    }

    @Test
    void shouldReleaseTheWriterLockWhenTheWriteTransactionEndsInAnyWay() throws Exception {
        useWriterLock();
        SqlSession other = dialect.open(connect(), false);
        run("BEGIN IMMEDIATE");
        run("ROLLBACK");
        takeAndEndWriteTransaction(other);
        run("BEGIN EXCLUSIVE");
        run("COMMIT");
        takeAndEndWriteTransaction(other);
        run("BEGIN IMMEDIATE");
        session.rollbackIfOpen(); // a stream closed or expired mid-transaction
        takeAndEndWriteTransaction(other);
        run("BEGIN IMMEDIATE");
        assertThat(session.resetForPool()).isTrue(); // the connection goes back to the pool
        takeAndEndWriteTransaction(other);
        run("BEGIN IMMEDIATE");
        conn.close(); // the connection is lost: the server releases the lock
        takeAndEndWriteTransaction(other);
    }

    @Test
    void shouldStopAWriterWaitingForTheWriterLockAtTheStatementTimeout() throws Exception {
        useWriterLock();
        SqlSession other = dialect.open(connect(), false);
        other.govern(new RunningStatements(Duration.ofMillis(300), SqlScanner.Syntax.POSTGRESQL), 1, "bob");
        run("BEGIN IMMEDIATE");
        StatementException e = failure(other, "BEGIN IMMEDIATE");
        assertThat(e.code()).isEqualTo(ErrorCode.STATEMENT_TIMEOUT);
        assertThat(other.isAutocommit()).isTrue();
        run("COMMIT");
        takeAndEndWriteTransaction(other); // the stopped wait left neither a lock nor a broken connection
    }

    @Test
    void shouldNotTakeTheWriterLockForDeferredOrReadTransactions() throws Exception {
        useWriterLock();
        SqlSession other = dialect.open(connect(), false);
        run("BEGIN IMMEDIATE");
        run(other, "BEGIN");
        run(other, "ROLLBACK");
        run(other, "BEGIN DEFERRED");
        run(other, "ROLLBACK");
        run(other, "BEGIN TRANSACTION READONLY");
        run(other, "ROLLBACK");
        run("COMMIT");
    }

    @Test
    void shouldRunWriteTransactionsSideBySideWithoutTheWriterLock() throws Exception {
        SqlSession other = dialect.open(connect(), false);
        run("BEGIN IMMEDIATE");
        takeAndEndWriteTransaction(other);
        run("COMMIT");
    }

    @Test
    void shouldFailTheLaterOfTwoWriteTransactionsChangingOneRowAsRetryableBusy() throws Exception {
        String t = table("rowconflict");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY, v int)");
        run("INSERT INTO " + t + " VALUES (1, 10)");
        Connection otherConn = connect();
        SqlSession other = dialect.open(otherConn, false);
        run("BEGIN IMMEDIATE");
        run("UPDATE " + t + " SET v = v + 1 WHERE id = 1");
        run(other, "BEGIN IMMEDIATE");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StatementException> second = pool.submit(() -> failure(other, "UPDATE " + t + " SET v = v + 1 WHERE id = 1"));
            awaitWaiting(otherConn, "transactionid"); // the row lock of the first
            run("COMMIT");
            StatementException e = second.get(10, TimeUnit.SECONDS);
            assertThat(e.code()).isEqualTo("SQLITE_BUSY");
            assertThat(e.getMessage()).contains("40001");
        } finally {
            pool.shutdownNow();
        }
        run(other, "ROLLBACK");
        run(other, "BEGIN IMMEDIATE");
        run(other, "UPDATE " + t + " SET v = v + 1 WHERE id = 1");
        run(other, "COMMIT");
        assertThat(committed("SELECT v FROM " + t)).containsExactly(12);
    }

    private void useWriterLock() throws Exception {
        dialect = new PostgresDialect(true, false);
        session = dialect.open(conn, false);
    }

    /** A write transaction on {@code s} that must get the writer lock at once (nobody else holds it). */
    private static void takeAndEndWriteTransaction(SqlSession s) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            pool.submit(() -> {
                run(s, "BEGIN IMMEDIATE");
                run(s, "COMMIT");
                return null;
            }).get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Until the backend of {@code waiter} queues for the writer lock (seen in pg_locks, not guessed by a sleep). */
    private void awaitWaitingForWriterLock(Connection waiter) throws Exception {
        awaitWaiting(waiter, "advisory");
    }

    /** Until the backend of {@code waiter} waits for a lock of the type given. */
    private void awaitWaiting(Connection waiter, String lockType) throws Exception {
        int pid = waiter.unwrap(org.postgresql.PGConnection.class).getBackendPID();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = ? "
                        + "AND NOT granted AND pid = ?")) {
            ps.setString(1, lockType);
            ps.setInt(2, pid);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    fail("the second writer never queued for a " + lockType + " lock");
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void shouldKeepDeferredTransactionAtReadCommitted() throws Exception {
        run("BEGIN DEFERRED");
        assertThat(run("SHOW transaction_isolation").value()).isEqualTo("read committed");
        run("ROLLBACK");
        run("BEGIN TRANSACTION READONLY");
        assertThat(run("SHOW transaction_isolation").value()).isEqualTo("repeatable read");
        run("ROLLBACK");
    }

    @Test
    void shouldRewriteSqliteTransactionStatements() {
        assertThat(PostgresSession.rewriteBegin("BEGIN IMMEDIATE")).isEqualTo("BEGIN ISOLATION LEVEL REPEATABLE READ");
        assertThat(PostgresSession.rewriteBegin("begin exclusive transaction;")).isEqualTo("BEGIN ISOLATION LEVEL REPEATABLE READ;");
        assertThat(PostgresSession.rewriteBegin("begin deferred transaction")).isEqualTo("BEGIN");
        assertThat(PostgresSession.rewriteBegin("BEGIN")).isEqualTo("BEGIN");
        assertThat(PostgresSession.rewriteBegin("BEGIN TRANSACTION READONLY")).isEqualTo("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        assertThat(PostgresSession.rewriteBegin("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE")).isEqualTo("BEGIN ISOLATION LEVEL SERIALIZABLE");
        assertThat(PostgresSession.rewriteBegin("BEGIN WORK")).isEqualTo("BEGIN WORK");
        assertThat(PostgresSession.rewriteEnd("END TRANSACTION")).isEqualTo("COMMIT TRANSACTION");
        assertThat(PostgresSession.rewriteEnd("COMMIT")).isEqualTo("COMMIT");
    }

    @Test
    void shouldKeepTheTransactionWhenAStatementInsideItFails() throws Exception {
        String t = table("keep");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        run("BEGIN IMMEDIATE");
        run("INSERT INTO " + t + " VALUES (1)");

        StatementException dup = failure("INSERT INTO " + t + " VALUES (1)");
        assertThat(dup.code()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(failure("SELEC 1").code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR);
        assertThat(failure("SELECT 1 / 0").code()).isEqualTo("SQLITE_MISMATCH");
        assertThat(failure("SELECT * FROM no_such_table").code()).isEqualTo("SQLITE_ERROR");
        assertThat(session.isAutocommit()).isFalse();

        run("INSERT INTO " + t + " VALUES (2)");
        run("COMMIT");
        assertThat(committed("SELECT id FROM " + t + " ORDER BY id")).containsExactly(1, 2);
    }

    @Test
    void shouldUndoOnlyTheFailedStatementsOwnChanges() throws Exception {
        String t = table("undo");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1)");
        // the first two rows of this statement go in before the duplicate fails it
        assertThat(failure("INSERT INTO " + t + " VALUES (2), (3), (1)").code()).isEqualTo("SQLITE_CONSTRAINT");
        run("INSERT INTO " + t + " VALUES (4)");
        run("COMMIT");
        assertThat(committed("SELECT id FROM " + t + " ORDER BY id")).containsExactly(1, 4);
    }

    @Test
    void shouldKeepTheClientsOwnSavepointsWorking() throws Exception {
        String t = table("sp");
        run("CREATE TABLE " + t + " (id int)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1)");
        run("SAVEPOINT mine");
        run("INSERT INTO " + t + " VALUES (2)");
        run("ROLLBACK TO SAVEPOINT mine");
        run("INSERT INTO " + t + " VALUES (3)");
        run("RELEASE SAVEPOINT mine");
        run("INSERT INTO " + t + " VALUES (4)");
        run("COMMIT");
        assertThat(committed("SELECT id FROM " + t + " ORDER BY id")).containsExactly(1, 3, 4);
    }

    @Test
    void shouldKeepALongTransactionUsableThroughFailuresAndClientSavepointsAcrossManySavepointReleases() throws Exception {
        // more statements than one pile of statement savepoints (RELEASE_EVERY), failures and client savepoints
        // at every position relative to the anchor
        String t = table("long");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        run("BEGIN");
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= 5 * PostgresSession.RELEASE_EVERY; i++) {
            run("INSERT INTO " + t + " VALUES (?)", (long) i);
            expected.add(i);
            if (i % 7 == 0) {
                assertThat(failure("INSERT INTO " + t + " VALUES (?)", (long) i).code()).isEqualTo("SQLITE_CONSTRAINT");
            }
            if (i % 45 == 0) {
                run("SAVEPOINT mine");
                run("INSERT INTO " + t + " VALUES (?)", (long) -i);
                failure("SELECT 1 / 0");
                run("ROLLBACK TO SAVEPOINT mine");
                run("INSERT INTO " + t + " VALUES (?)", (long) -i - 1);
                expected.add(-i - 1);
                run("RELEASE SAVEPOINT mine");
            }
        }
        assertThat(session.isAutocommit()).isFalse();
        run("COMMIT");
        assertThat(committed("SELECT id FROM " + t + " ORDER BY id")).containsExactlyElementsOf(expected.stream().sorted().toList());
    }

    @Test
    void shouldUndoAStatementWhoseResultDidNotFitTheResponseAndKeepTheTransaction() throws Exception {
        // the statement ran (its rows are in) before reading its result failed: its savepoint must still be there
        String t = table("toolarge");
        run("CREATE TABLE " + t + " (id int, v text)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1, 'kept')");
        ScannedStatement st = SqlScanner.scanOne("INSERT INTO " + t + " SELECT g, repeat('x', 1000) FROM generate_series(2, 50) g RETURNING v",
                SqlScanner.Syntax.POSTGRESQL);
        StatementException tooLarge = null;
        try {
            session.execute(st, ArgumentBinder.bind(st, List.of(), List.of()), new ResultSink() {
                @Override
                public void columns(List<Column> columns) {
                }

                @Override
                public void row(Object[] values) {
                }

                @Override
                public long rowBytesAllowed() {
                    return 100;
                }

                @Override
                public void end(long affectedRowCount, Long lastInsertRowid) {
                }
            });
        } catch (StatementException e) {
            tooLarge = e;
        }
        assertThat(tooLarge).isNotNull();
        assertThat(tooLarge.code()).isEqualTo(ErrorCode.RESPONSE_TOO_LARGE);
        run("INSERT INTO " + t + " VALUES (3, 'after')");
        run("COMMIT");
        assertThat(committed("SELECT id FROM " + t + " ORDER BY id")).containsExactly(1, 3);
    }

    @Test
    void shouldKeepTheTransactionWhenAStatementPgjdbcNeverGuardsFails() throws Exception {
        // pgjdbc sets no automatic savepoint before SET TRANSACTION: Sluice sets one itself
        String t = table("settx");
        run("CREATE TABLE " + t + " (id int)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1)");
        // only allowed before the transaction's first query
        assertThat(failure("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").getMessage()).contains("25001");
        run("INSERT INTO " + t + " VALUES (2)");
        run("COMMIT");
        assertThat(committed("SELECT id FROM " + t + " ORDER BY id")).containsExactly(1, 2);
        assertThat(PostgresSession.isAutosaved("set transaction read only")).isFalse();
        assertThat(PostgresSession.isAutosaved("INSERT INTO t VALUES (1)")).isTrue();
    }

    @Test
    void shouldStartAfreshAfterCommitAndChainWithoutTheOldTransactionsSavepoints() throws Exception {
        String t = table("chain");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        run("BEGIN");
        for (int i = 1; i <= PostgresSession.RELEASE_EVERY + 3; i++) {
            run("INSERT INTO " + t + " VALUES (?)", (long) i);
        }
        run("COMMIT AND CHAIN");
        assertThat(session.isAutocommit()).isFalse();
        failure("INSERT INTO " + t + " VALUES (1)");
        for (int i = 100; i < 100 + PostgresSession.RELEASE_EVERY + 3; i++) {
            run("INSERT INTO " + t + " VALUES (?)", (long) i);
        }
        run("COMMIT");
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly((long) 2 * (PostgresSession.RELEASE_EVERY + 3));
    }

    @Test
    void shouldTrackAutocommitThroughTransactionsAndErrors() throws Exception {
        assertThat(session.isAutocommit()).isTrue();
        failure("SELECT 1 / 0");
        assertThat(session.isAutocommit()).isTrue();
        run("BEGIN");
        assertThat(session.isAutocommit()).isFalse();
        failure("SELECT 1 / 0");
        assertThat(session.isAutocommit()).isFalse();
        run("ROLLBACK");
        assertThat(session.isAutocommit()).isTrue();
        run("BEGIN DEFERRED");
        run("SELECT 1");
        run("COMMIT");
        assertThat(session.isAutocommit()).isTrue();
    }

    @Test
    void shouldRefuseTransactionStatementsThatSqliteRefuses() throws Exception {
        StatementException commit = failure("COMMIT");
        assertThat(commit.code()).isEqualTo("SQLITE_ERROR");
        assertThat(commit.getMessage()).contains("no transaction is active");
        run("ROLLBACK"); // harmless, as on PostgreSQL: after a failed COMMIT clients roll back a transaction that is gone
        run("BEGIN");
        StatementException nested = failure("BEGIN IMMEDIATE");
        assertThat(nested.code()).isEqualTo("SQLITE_ERROR");
        assertThat(nested.getMessage()).contains("within a transaction");
        assertThat(session.isAutocommit()).isFalse();
        run("ROLLBACK");
    }

    @Test
    void shouldReportACommitOfAnAbortedTransactionAsAFailure() throws Exception {
        String t = table("aborted");
        run("CREATE TABLE " + t + " (id int)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1)");
        // a client savepoint statement runs unguarded; failing, it aborts the PostgreSQL transaction
        failure("RELEASE SAVEPOINT not_there");
        StatementException e = failure("COMMIT");
        assertThat(e.code()).isEqualTo("SQLITE_ERROR");
        assertThat(e.getMessage()).contains("rolled back");
        assertThat(session.isAutocommit()).isTrue();
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(0L);
    }

    @Test
    void shouldRollBackWhatIsOpenWhenTheStreamEnds() throws Exception {
        String t = table("close");
        run("CREATE TABLE " + t + " (id int)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1)");
        session.rollbackIfOpen();
        assertThat(session.isAutocommit()).isTrue();
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(0L);
        session.rollbackIfOpen(); // nothing open: a no-op
        assertThat(run("SELECT 1").value()).isEqualTo(1L);
    }

    // ---- read-only tokens -----------------------------------------------------------------------

    @Test
    void shouldRefuseWritesInAReadOnlySessionAndHandTheConnectionBackClean() throws Exception {
        String t = table("rotok");
        run("CREATE TABLE " + t + " (id int)");
        run("CREATE SEQUENCE " + t + "_seq");
        Connection shared = connect();
        SqlSession ro = dialect.open(shared, true);

        assertThat(failure(ro, "INSERT INTO " + t + " VALUES (1)").code()).isEqualTo("SQLITE_READONLY");
        // statements the scanner takes for reads are refused by PostgreSQL itself
        StatementException explain = failure(ro, "EXPLAIN ANALYZE INSERT INTO " + t + " VALUES (1)");
        assertThat(explain.code()).isEqualTo("SQLITE_READONLY");
        assertThat(explain.getMessage()).contains("(SQLSTATE 25006)");
        assertThat(failure(ro, "SELECT nextval('" + t + "_seq')").code()).isEqualTo("SQLITE_READONLY");
        // switching the default off does not last until the next statement
        run(ro, "SELECT set_config('default_transaction_read_only', 'off', false)");
        assertThat(failure(ro, "SELECT nextval('" + t + "_seq')").code()).isEqualTo("SQLITE_READONLY");
        // nor does asking for a writable transaction
        run(ro, "START TRANSACTION READ WRITE");
        assertThat(failure(ro, "SELECT nextval('" + t + "_seq')").code()).isEqualTo("SQLITE_READONLY");
        assertThat(run(ro, "SELECT count(*) FROM " + t).value()).isEqualTo(0L);
        ro.rollbackIfOpen();

        SqlSession rw = dialect.open(shared, false);
        assertThat(run(rw, "SHOW default_transaction_read_only").value()).isEqualTo("off");
        assertThat(run(rw, "INSERT INTO " + t + " VALUES (1)").affected()).isEqualTo(1);
        assertThat(run(rw, "SELECT nextval('" + t + "_seq')").value()).isEqualTo(1L);
    }

    // ---- errors -----------------------------------------------------------------------------------

    @Test
    void shouldMapAUniqueViolationToConstraintWithItsSqlState() throws Exception {
        String t = table("uniq");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        run("INSERT INTO " + t + " VALUES (1)");
        StatementException e = failure("INSERT INTO " + t + " VALUES (?)", 1L);
        assertThat(e.code()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(e.getMessage()).isEqualTo("duplicate key value violates unique constraint \"" + t + "_pkey\" (SQLSTATE 23505)");
    }

    @Test
    void shouldMapStatementErrorsToTheClosestSqliteCodes() throws Exception {
        String t = table("errs");
        run("CREATE TABLE " + t + " (id int NOT NULL CHECK (id > 0), u uuid, b bool)");
        assertThat(failure("INSERT INTO " + t + " (id) VALUES (NULL)").getMessage()).contains("23502");
        assertThat(failure("INSERT INTO " + t + " (id) VALUES (-1)").code()).isEqualTo("SQLITE_CONSTRAINT");
        StatementException syntax = failure("SELEKT 1");
        assertThat(syntax.code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR);
        assertThat(syntax.getMessage()).endsWith("(SQLSTATE 42601)");
        StatementException missing = failure("SELECT * FROM no_such_table");
        assertThat(missing.code()).isEqualTo("SQLITE_ERROR");
        assertThat(missing.getMessage()).isEqualTo("relation \"no_such_table\" does not exist (SQLSTATE 42P01)");
        assertThat(failure("SELECT no_such_column FROM " + t).getMessage()).contains("42703");
        assertThat(failure("INSERT INTO " + t + " (id, u) VALUES (1, ?)", "not-a-uuid").code()).isEqualTo("SQLITE_MISMATCH");
        // an integer does not bind to a bool column: bind text ('1', 'true') instead
        assertThat(failure("INSERT INTO " + t + " (id, b) VALUES (1, ?)", 1L).getMessage()).contains("42804");
        run("SET statement_timeout = '50ms'");
        assertThat(failure("SELECT pg_sleep(2)").code()).isEqualTo("SQLITE_INTERRUPT");
        run("SET statement_timeout = 0");
    }

    @Test
    void shouldReportALockThatIsNotAvailableAsBusy() throws Exception {
        String t = table("lock");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        run("INSERT INTO " + t + " VALUES (1)");
        SqlSession other = dialect.open(connect(), false);
        run(other, "BEGIN");
        run(other, "UPDATE " + t + " SET id = 1 WHERE id = 1");
        run("BEGIN");
        StatementException e = failure("SELECT * FROM " + t + " FOR UPDATE NOWAIT");
        assertThat(e.code()).isEqualTo("SQLITE_BUSY");
        assertThat(e.getMessage()).contains("55P03");
        assertThat(session.isAutocommit()).isFalse();
        run("ROLLBACK");
        run(other, "ROLLBACK");
    }

    @Test
    void shouldMapSqlStates() {
        assertThat(PostgresSession.codeFor("23505")).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(PostgresSession.codeFor("23503")).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(PostgresSession.codeFor("42601")).isEqualTo("SQL_PARSE_ERROR");
        assertThat(PostgresSession.codeFor("42P01")).isEqualTo("SQLITE_ERROR");
        assertThat(PostgresSession.codeFor("25006")).isEqualTo("SQLITE_READONLY");
        assertThat(PostgresSession.codeFor("40001")).isEqualTo("SQLITE_BUSY");
        assertThat(PostgresSession.codeFor("40P01")).isEqualTo("SQLITE_BUSY");
        assertThat(PostgresSession.codeFor("55P03")).isEqualTo("SQLITE_BUSY");
        assertThat(PostgresSession.codeFor("57014")).isEqualTo("SQLITE_INTERRUPT");
        assertThat(PostgresSession.codeFor("22P02")).isEqualTo("SQLITE_MISMATCH");
        assertThat(PostgresSession.codeFor("08006")).isNull();
        assertThat(PostgresSession.codeFor("57P01")).isNull();
        assertThat(PostgresSession.codeFor(null)).isNull();
    }

    @Test
    void shouldReportALostConnectionWithoutTheDriversText() throws Exception {
        SqlSession lost = dialect.open(connect(), false);
        lost.connection().close();
        StatementException e = failure(lost, "SELECT 1");
        assertThat(e.code()).isEqualTo("SQLITE_IOERR");
        assertThat(e.getMessage()).startsWith("Database connection failure (SQLState 08").doesNotContain(USER).doesNotContain("127.0.0.1");
    }

    // ---- describe ---------------------------------------------------------------------------------

    @Test
    void shouldDescribeASelect() throws Exception {
        String t = table("desc");
        run("CREATE TABLE " + t + " (id serial PRIMARY KEY, name text, at timestamptz)");
        ScannedStatement st = SqlScanner.scanOne("SELECT id, name AS n, at, ? AS p FROM " + t + " WHERE name = :name OR id = ?3",
                SqlScanner.Syntax.POSTGRESQL);
        DescribeResult d = session.describe(st);
        assertThat(d.params()).containsExactly(null, ":name", "?3");
        assertThat(d.columns()).containsExactly(new Column("id", "int4"), new Column("n", "text"), new Column("at", "timestamptz"),
                new Column("p", "text"));
        assertThat(d.isReadonly()).isTrue();
        assertThat(d.isExplain()).isFalse();
    }

    @Test
    void shouldDescribeAnInsert() throws Exception {
        String t = table("desci");
        run("CREATE TABLE " + t + " (id int, name text)");
        DescribeResult d = session.describe(SqlScanner.scanOne("INSERT INTO " + t + " VALUES (:id, :name)", SqlScanner.Syntax.POSTGRESQL));
        assertThat(d.params()).containsExactly(":id", ":name");
        assertThat(d.columns()).isEmpty();
        assertThat(d.isReadonly()).isFalse();
        DescribeResult r = session.describe(SqlScanner.scanOne("INSERT INTO " + t + " VALUES (1, 'a') RETURNING id", SqlScanner.Syntax.POSTGRESQL));
        assertThat(r.columns()).containsExactly(new Column("id", "int4"));
        DescribeResult n = session.describe(SqlScanner.scanOne("SELECT ? IS NULL AS missing", SqlScanner.Syntax.POSTGRESQL));
        assertThat(n.columns()).containsExactly(new Column("missing", "bool"));
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(0L);
    }

    @Test
    void shouldKeepTheTransactionWhenDescribeFails() throws Exception {
        String t = table("descx");
        run("CREATE TABLE " + t + " (id int)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1)");
        assertThatThrownBy(() -> session.describe(SqlScanner.scanOne("SELECT * FROM no_such_table", SqlScanner.Syntax.POSTGRESQL)))
                .isInstanceOfSatisfying(StatementException.class, e -> assertThat(e.getMessage()).contains("42P01"));
        run("INSERT INTO " + t + " VALUES (2)");
        run("COMMIT");
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(2L);
    }

    // ---- PRAGMA -----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"PRAGMA foreign_keys=off", "PRAGMA foreign_keys = ON", "pragma table_info(t)", "PRAGMA main.user_version = 3"})
    void shouldAnswerPragmaWithAnEmptyResultAndSendNothingToTheServer(String pragma) throws Exception {
        long pid = (Long) run("SELECT pg_backend_pid()::int8").value();
        run("SELECT 'the last statement sent'");

        Result r = run(pragma);

        assertThat(r.cols()).isEmpty();
        assertThat(r.rows()).isEmpty();
        assertThat(r.affected()).isZero();
        assertThat(r.rowid()).isNull();
        assertThat(committed("SELECT query FROM pg_stat_activity WHERE pid = " + pid))
                .as("the last statement the server got from the session").containsExactly("SELECT 'the last statement sent'");
        assertThat(session.resetForPool()).as("a no-op leaves no session state behind").isTrue();
    }

    @Test
    void shouldLeaveAnOpenTransactionAloneOnPragma() throws Exception {
        String t = table("pragmatx");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        run("BEGIN");
        run("INSERT INTO " + t + " VALUES (1)");

        run("PRAGMA foreign_keys=off");
        session.executeScript("PRAGMA foreign_keys=on; INSERT INTO " + t + " VALUES (2)");

        assertThat(session.isAutocommit()).isFalse();
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(0L);
        run("COMMIT");
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(2L);
    }

    @Test
    void shouldAcceptPragmaInAReadOnlySession() throws Exception {
        SqlSession ro = dialect.open(connect(), true);

        Result r = run(ro, "PRAGMA foreign_keys=off");

        assertThat(r.cols()).isEmpty();
        assertThat(failure(ro, "CREATE TABLE " + table("pragmaro") + " (id int)").code()).isEqualTo("SQLITE_READONLY");
    }

    @Test
    void shouldDescribePragmaAsReadOnlyWithoutColumns() throws Exception {
        DescribeResult d = session.describe(SqlScanner.scanOne("PRAGMA foreign_keys = ?", SqlScanner.Syntax.POSTGRESQL));

        assertThat(d.params()).containsExactly((String) null);
        assertThat(d.columns()).isEmpty();
        assertThat(d.isReadonly()).isTrue();
        assertThat(d.isExplain()).isFalse();
    }

    // ---- session state ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"SELECT set_config('statement_timeout', '4321ms', false)",
            "select pg_catalog.SET_CONFIG ('work_mem', '8MB', false) AS old", "WITH s AS (SELECT set_config('x.y', 'z', false)) SELECT * FROM s"})
    void shouldResetSettingsSetConfigChangedBeforeTheConnectionGoesBack(String sql) throws Exception {
        String defaults = "SELECT current_setting('statement_timeout') || ',' || current_setting('work_mem')"
                + " || ',' || coalesce(current_setting('x.y', true), '')";
        Object before = run(defaults).value();

        run(sql);
        assertThat(run(defaults).value()).as("the statement changed a setting").isNotEqualTo(before);

        assertThat(session.resetForPool()).isTrue();
        SqlSession next = dialect.open(conn, false);
        assertThat(run(next, defaults).value()).as("what the next stream on the connection sees").isEqualTo(before);
    }

    /** Session state a client can leave on a connection; each entry is 1 while it is there. */
    private static final String LEFT_BEHIND =
            "SELECT (current_setting('sluice_test.leak', true) IS NOT NULL AND current_setting('sluice_test.leak', true) <> '')::int"
                    + " + (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::int * 10"
                    + " + (SELECT count(*) FROM pg_prepared_statements WHERE from_sql)::int * 100"
                    + " + (SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND relnamespace = pg_my_temp_schema())::int * 1000"
                    + " + (SELECT count(*) FROM pg_listening_channels())::int * 10000 AS left_behind";

    /** Leaves a setting, an advisory lock, a prepared statement, a temp table and a LISTEN on the session's connection. */
    private void leaveSessionState() throws Exception {
        run("SET sluice_test.leak = 'from the previous stream'");
        run("SELECT pg_advisory_lock(?)", ThreadLocalRandom.current().nextLong());
        run("PREPARE " + table("leaked") + " AS SELECT 1");
        run("CREATE TEMP TABLE " + table("leaked") + " (id int)");
        run("LISTEN " + table("leaked"));
        assertThat(run(LEFT_BEHIND).value()).as("the state is there").isEqualTo(11111L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"read-write", "read-only", "describe first", "failing statement first", "transaction first", "parameters"})
    void shouldLeaveNoSessionStateToTheNextLeaseWhenItsResetIsDeferredToThatLease(String firstUse) throws Exception {
        leaveSessionState();
        long pid = ((Number) run("SELECT pg_backend_pid()").value()).longValue();

        assertThat(session.resetForPool(true)).isTrue(); // another stream waits for the connection: the reset rides with its first statement
        SqlSession next = dialect.open(conn, firstUse.equals("read-only"));
        switch (firstUse) {
            case "describe first" -> next.describe(SqlScanner.scanOne("SELECT 1", SqlScanner.Syntax.POSTGRESQL));
            case "failing statement first" -> assertThat(failure(next, "SELECT 1 / 0").code()).isEqualTo("SQLITE_MISMATCH");
            case "transaction first" -> run(next, "BEGIN");
            case "parameters" -> assertThat(run(next, "SELECT ?::int + ?", 40L, 2L).value()).isEqualTo(42L);
            default -> {
            }
        }
        assertThat(run(next, LEFT_BEHIND).value()).as("what the next stream on the connection sees").isEqualTo(0L);
        assertThat(committed("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid))
                .as("the advisory lock is released").containsExactly(0L);
        next.rollbackIfOpen();
    }

    @Test
    void shouldResetAtOnceWhenNoStreamWaitsAndWhenTheDeferredResetIsGivenBackUnpaid() throws Exception {
        leaveSessionState();
        long pid = ((Number) run("SELECT pg_backend_pid()").value()).longValue();
        String held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid;

        assertThat(session.resetForPool(true)).isTrue();
        assertThat(committed(held)).as("owed to the next lease").containsExactly(1L);
        SqlSession unused = dialect.open(conn, false);
        run(unused, "PRAGMA foreign_keys = on"); // runs nothing on the server
        assertThat(unused.resetForPool(false)).isTrue();
        assertThat(committed(held)).as("paid when the connection goes back with no stream waiting").containsExactly(0L);
        assertThat(run(dialect.open(conn, false), LEFT_BEHIND).value()).isEqualTo(0L);
    }

    @Test
    void shouldPayTheResetAnIdleConnectionOwesWhenAskedTo() throws Exception {
        leaveSessionState();
        long pid = ((Number) run("SELECT pg_backend_pid()").value()).longValue();
        String held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid;
        assertThat(session.resetForPool(true)).isTrue();
        assertThat(dialect.owesResets()).isTrue();

        dialect.payOwedReset(conn); // the pool's housekeeping, on a connection nobody leased since

        assertThat(dialect.owesResets()).isFalse();
        assertThat(committed(held)).containsExactly(0L);
        assertThat(run(dialect.open(conn, false), LEFT_BEHIND).value()).isEqualTo(0L);
    }

    private static final String ALICE = "read-write sub:alice";

    @ParameterizedTest
    @ValueSource(strings = {"read-write sub:bob", "read-only sub:alice", "read-write token:alice", "unknown"})
    void shouldKeepAPrincipalsSessionStateForItsNextStreamOnlyWhenSessionsAreResetPerPrincipal(String other) throws Exception {
        dialect = new PostgresDialect(false, true);
        String stranger = other.equals("unknown") ? null : other;
        session = dialect.open(conn, false, ALICE);
        leaveSessionState();

        assertThat(session.resetForPool(true)).isTrue();
        SqlSession again = dialect.open(conn, false, ALICE);
        assertThat(run(again, LEFT_BEHIND).value()).as("the same principal's next stream keeps its session").isEqualTo(11111L);
        assertThat(again.resetForPool(true)).isTrue();
        SqlSession idle = dialect.open(conn, false, ALICE); // let off the reset, and sends nothing: the state is still there
        run(idle, "PRAGMA foreign_keys = on");
        assertThat(idle.resetForPool(true)).isTrue();
        SqlSession next = dialect.open(conn, other.startsWith("read-only"), stranger);
        assertThat(run(next, LEFT_BEHIND).value()).as("another owner's stream gets the session reset").isEqualTo(0L);
        next.rollbackIfOpen();

        // the reset owed from one owner and given back unpaid by another's lease stays owed, to that other owner too
        assertThat(next.resetForPool(false)).isTrue();
        session = dialect.open(conn, false, ALICE);
        leaveSessionState();
        assertThat(session.resetForPool(true)).isTrue();
        SqlSession unused = dialect.open(conn, other.startsWith("read-only"), stranger);
        run(unused, "PRAGMA foreign_keys = on"); // runs nothing on the server
        assertThat(unused.resetForPool(true)).isTrue();
        SqlSession last = dialect.open(conn, other.startsWith("read-only"), stranger);
        assertThat(run(last, LEFT_BEHIND).value()).as("after its own lease that did not pay it").isEqualTo(0L);
        last.rollbackIfOpen();
    }

    @Test
    void shouldNotKeepTheNotificationsOfAListenOnceTheLeaseEnds() throws Exception {
        dialect = new PostgresDialect(false, true);
        session = dialect.open(conn, false, ALICE);
        String channel = table("chatty");
        run("LISTEN " + channel);
        committed("SELECT pg_notify('" + channel + "', 'hello')");
        run("SELECT 1"); // pgjdbc reads the notification with this answer
        org.postgresql.core.QueryExecutor executor = conn.unwrap(org.postgresql.core.BaseConnection.class).getQueryExecutor();
        assertThat(executor.getNotifications()).hasSize(1);
        committed("SELECT pg_notify('" + channel + "', 'again')");
        run("SELECT 1");

        assertThat(session.resetForPool(true)).isTrue();

        assertThat(executor.getNotifications()).as("held by the driver after the lease").isEmpty();
    }

    @Test
    void shouldResetForEveryStreamOfOnePrincipalByDefault() throws Exception {
        session = dialect.open(conn, false, ALICE);
        leaveSessionState();
        assertThat(session.resetForPool(true)).isTrue();
        assertThat(run(dialect.open(conn, false, ALICE), LEFT_BEHIND).value()).isEqualTo(0L);
    }

    /** The session state a lease may see, as one text: settings, role, advisory locks, prepared statements, temp tables, LISTEN, held cursors. */
    private static final String SESSION_STATE =
            "SELECT current_setting('search_path') || ',' || current_user || ',' || session_user || ',' || current_setting('role')"
                    + " || ',' || current_setting('transaction_isolation') || ',' || current_setting('transaction_read_only')"
                    + " || ',' || current_setting('transaction_deferrable')"
                    + " || ',' || coalesce(current_setting('sluice_test.leak', true), '')"
                    + " || ',' || (SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())"
                    + " || ',' || (SELECT count(*) FROM pg_catalog.pg_prepared_statements WHERE from_sql)"
                    + " || ',' || (SELECT count(*) FROM pg_catalog.pg_class WHERE relpersistence = 't' AND relnamespace = pg_my_temp_schema())"
                    + " || ',' || (SELECT count(*) FROM pg_catalog.pg_listening_channels())"
                    + " || ',' || (SELECT count(*) FROM pg_catalog.pg_cursors WHERE is_holdable)";

    /** Each kind of session state a client can leave, alone, some of it made by a function rather than a statement of its own. */
    static Stream<Arguments> sessionStateAndHowTheNextLeaseBegins() {
        List<String> states = List.of("SET search_path = pg_catalog", "SET ROLE pg_monitor", "SET ROLE postgres",
                "SET SESSION AUTHORIZATION pg_monitor",
                "SET default_transaction_isolation = 'serializable'", "SELECT set_config('default_transaction_read_only', 'on', false)",
                "SET default_transaction_deferrable = on",
                "SELECT set_config('session_authorization', 'pg_monitor', false)",
                "SELECT set_config('sluice_test.leak', 'left', false)", "DO $$BEGIN PERFORM set_config('sluice_test.leak', 'left', false); END$$",
                "SELECT pg_advisory_lock(4243)", "SELECT nextval('%s')", "PREPARE leaked AS SELECT 1",
                "DO $$BEGIN EXECUTE 'PREPARE leaked AS SELECT 1'; END$$", "CREATE TEMP TABLE leaked (id int)",
                "DO $$BEGIN EXECUTE 'CREATE TEMP TABLE leaked (id int)'; END$$", "LISTEN leaked",
                "DECLARE leaked CURSOR WITH HOLD FOR SELECT 1");
        return states.stream().flatMap(state -> Stream.of("reset alone", "reset in front", "reset in front of a failing statement")
                .map(start -> Arguments.of(state, start)));
    }

    @ParameterizedTest(name = "{0}; {1}")
    @MethodSource("sessionStateAndHowTheNextLeaseBegins")
    void shouldLeaveNoKindOfSessionStateToTheNextLeaseWhicheverResetRuns(String leave, String start) throws Exception {
        String sequence = SCHEMA + "." + table("seq");
        run("CREATE SEQUENCE " + sequence);
        assertThat(session.resetForPool()).isTrue();
        session = dialect.open(conn, false);
        Object clean = run(SESSION_STATE).value();

        run(leave.formatted(sequence));
        assertThat(run(SESSION_STATE).value()).as("the statement left state behind, or nextval ran").satisfiesAnyOf(
                state -> assertThat(state).isNotEqualTo(clean), state -> assertThat(leave).contains("nextval"));
        assertThat(session.resetForPool(!start.equals("reset alone"))).isTrue();
        SqlSession next = dialect.open(conn, false);
        if (start.equals("reset in front of a failing statement")) {
            assertThat(failure(next, "SELECT 1 / 0").code()).isEqualTo("SQLITE_MISMATCH");
        }

        assertThat(run(next, SESSION_STATE).value()).as("what the next lease sees").isEqualTo(clean);
        assertThat(failure(next, "SELECT lastval()").getMessage()).as("no sequence value of the previous lease").contains("lastval");
        assertThat(committed("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4243")).containsExactly(0L);
    }

    /** pgjdbc's prepared statements are in the server's list; a statement run five times on a connection becomes one. */
    private static final String DRIVER_PREPARED = "SELECT count(*) FROM pg_catalog.pg_prepared_statements WHERE NOT from_sql";

    @Test
    void shouldKeepTheDriversPreparedStatementsAcrossResetsUntilTheSessionHoldsWhatOnlyDiscardAllUndoes() throws Exception {
        SqlSession lease = session;
        for (int i = 0; i < 7; i++) {
            assertThat(run(lease, "SELECT ?::int + 1", (long) i).value()).isEqualTo(i + 1L);
            assertThat(lease.resetForPool(true)).isTrue(); // the next statement carries the reset
            lease = dialect.open(conn, false);
        }
        assertThat((Long) run(lease, DRIVER_PREPARED).value()).as("kept: the statement is prepared on the server").isPositive();

        run(lease, "CREATE TEMP TABLE kept_until_here (id int)");
        assertThat(lease.resetForPool(true)).isTrue();
        lease = dialect.open(conn, false);
        assertThat(run(lease, DRIVER_PREPARED).value()).as("DISCARD ALL dropped them with the temp table").isEqualTo(0L);
        assertThat(run(lease, SESSION_STATE).value().toString()).endsWith(",0,0,0,0,0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sluice", "a$b", "$", "$sluice_role$", "x$sluice_role", "$sluice_role$$sluice_role1$", "it's", "q?", "$$"})
    void shouldQuoteAnyRoleNameSoThatTheServerReadsItBack(String name) throws Exception {
        assertThat(committed("SELECT " + PostgresSessionReset.dollarQuoted(name))).containsExactly(name);
    }

    @Test
    void shouldGiveARoleWithADollarInItsNameTheLightReset() throws Exception {
        String role = "sluice$dollar$" + table("role").replace('.', '_');
        try (Connection admin = connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE \"" + role + "\" LOGIN");
            s.execute("GRANT USAGE ON SCHEMA " + SCHEMA + " TO \"" + role + "\"");
        }
        try {
            Connection c = DriverManager.getConnection(URL, role, PASSWORD);
            opened.add(c);
            SqlSession lease = dialect.open(c, false);
            for (int i = 0; i < 7; i++) {
                assertThat(run(lease, "SELECT ?::int + 1", (long) i).value()).isEqualTo(i + 1L);
                assertThat(lease.resetForPool(true)).isTrue(); // the next statement carries the reset
                lease = dialect.open(c, false);
            }
            assertThat((Long) run(lease, DRIVER_PREPARED).value()).as("kept: the light reset, not DISCARD ALL").isPositive();
            assertThat(run(lease, "SELECT session_user").value()).isEqualTo(role);
            c.close();
        } finally {
            try (Connection admin = connect(); Statement s = admin.createStatement()) {
                s.execute("DROP OWNED BY \"" + role + "\"");
                s.execute("DROP ROLE \"" + role + "\"");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRunAStatementTheServerKeptPreparedAcrossLeasesAfterAnotherClientChangedItsColumns(boolean inTransaction) throws Exception {
        String t = SCHEMA + "." + table("plan");
        run("CREATE TABLE " + t + " (a int)");
        run("INSERT INTO " + t + " VALUES (1)");
        SqlSession lease = session;
        for (int i = 0; i < 6; i++) {
            run(lease, "SELECT 1"); // carries the reset
            assertThat(run(lease, "SELECT * FROM " + t).row(0)).containsExactly(1L);
            assertThat(lease.resetForPool(true)).isTrue();
            lease = dialect.open(conn, false);
        }
        assertThat((Long) run(lease, "SELECT count(*) FROM pg_catalog.pg_prepared_statements WHERE statement = ?", "SELECT * FROM " + t).value())
                .as("prepared on the server").isPositive();
        try (Connection other = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = other.createStatement()) {
            s.execute("ALTER TABLE " + t + " ADD COLUMN b int DEFAULT 2");
        }
        run(lease, "SELECT 1");
        if (inTransaction) {
            run(lease, "BEGIN");
        }

        assertThat(run(lease, "SELECT * FROM " + t).row(0)).as("the new columns, not an error").containsExactly(1L, 2L);
        if (inTransaction) {
            run(lease, "COMMIT");
        }
    }

    // ---- sequence ---------------------------------------------------------------------------------

    @Test
    void shouldRunAScript() throws Exception {
        String t = table("seq");
        session.executeScript("CREATE TABLE " + t + " (id int PRIMARY KEY, v text); INSERT INTO " + t + " VALUES (1, 'a;b');"
                + " CREATE FUNCTION " + t + "_f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;");
        assertThat(run("SELECT v, " + t + "_f() FROM " + t).row(0)).containsExactly("a;b", 1L);
    }

    @Test
    void shouldRunATransactionScript() throws Exception {
        String t = table("seqtx");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        session.executeScript("BEGIN; INSERT INTO " + t + " VALUES (1); INSERT INTO " + t + " VALUES (2); COMMIT;");
        assertThat(session.isAutocommit()).isTrue();
        assertThat(committed("SELECT count(*) FROM " + t)).containsExactly(2L);
    }

    @Test
    void shouldStopAScriptAtTheFirstError() throws Exception {
        String t = table("seqerr");
        run("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        assertThatThrownBy(() -> session.executeScript("INSERT INTO " + t + " VALUES (1); INSERT INTO " + t + " VALUES (1); INSERT INTO "
                + t + " VALUES (3)"))
                .isInstanceOfSatisfying(StatementException.class, e -> assertThat(e.code()).isEqualTo("SQLITE_CONSTRAINT"));
        assertThat(committed("SELECT id FROM " + t)).containsExactly(1);
    }

    @Test
    void shouldNameItselfAndItsSyntax() {
        assertThat(dialect.name()).isEqualTo("postgresql");
        assertThat(dialect.syntax()).isEqualTo(SqlScanner.Syntax.POSTGRESQL);
        assertThat(new SqliteDialect().syntax()).isEqualTo(SqlScanner.Syntax.SQLITE);
    }
}
