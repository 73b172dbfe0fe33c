package io.sluice.security;

import static io.restassured.RestAssured.given;
import static io.sluice.security.Hostile.RO;
import static io.sluice.security.Hostile.RW;
import static io.sluice.security.Hostile.close;
import static io.sluice.security.Hostile.errorCode;
import static io.sluice.security.Hostile.execute;
import static io.sluice.security.Hostile.pipelineOk;
import static io.sluice.security.Hostile.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.flags.FlagService;
import io.sluice.pool.Backend;
import io.sluice.pool.PoolStatus;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile requests against embedded SQLite with real tokens: a read-only token cannot change persistent state
 * (classes 1 of issue 13), no statement reaches a file outside the database (class 2), on every path a
 * statement can take. Each test reads the database back over JDBC afterwards, and checks that the server
 * still answers and that no connection is left leased.
 */
@QuarkusTest
@TestProfile(SqliteHostileRequestsTest.Jwt.class)
class SqliteHostileRequestsTest {

    public static class Jwt implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Hostile.jwt();
        }
    }

    private static final Path DB = Path.of("target", "test-data", "sluice.db");

    @Inject
    Backend backend;

    @Inject
    FlagService flags;

    /** What a stream can change in the file besides rows: the header fields and SQLite's statistics tables. */
    private static String persistentState() throws SQLException {
        Properties p = new Properties();
        p.setProperty("open_mode", "1"); // read-only: the check itself must change nothing
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DB, p); Statement s = c.createStatement()) {
            List<String> out = new ArrayList<>();
            for (String q : List.of("PRAGMA user_version", "PRAGMA application_id", "PRAGMA schema_version", "PRAGMA auto_vacuum",
                    "PRAGMA journal_mode", "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sqlite_stat%'",
                    "SELECT count(*) FROM sqlite_schema")) {
                try (ResultSet rs = s.executeQuery(q)) {
                    rs.next();
                    out.add(q + "=" + rs.getString(1));
                }
            }
            return String.join("; ", out);
        }
    }

    @AfterEach
    void serverAliveAndNothingLeased() {
        given().get("/health").then().statusCode(200);
        assertThat(backend.leases()).as("open leases").isEmpty();
        PoolStatus rw = backend.status();
        PoolStatus ro = backend.readOnlyStatus();
        assertThat(rw.active()).as("read-write connections leased").isZero();
        assertThat(ro.active()).as("read-only connections leased").isZero();
        assertThat(rw.direct()).as("direct connections open").isZero();
    }

    // ---- class 1: a read-only token cannot change persistent state ----------------------------

    @ParameterizedTest
    @EnumSource(Hostile.Path.class)
    void shouldLeaveTheFileUnchangedWhateverPragmaAReadOnlyTokenSends(Hostile.Path path) throws Exception {
        String before = persistentState();
        List<String> attempts = List.of(
                "PRAGMA query_only = 0", "PRAGMA user_version = 4242", "pragma USER_VERSION=4242",
                "/* a comment; */ PRAGMA\n\tuser_version(4242)", "PRAGMA main.user_version = 4242", "PRAGMA 'user_version' = 4242",
                "PRAGMA \"application_id\" = 77", "EXPLAIN PRAGMA user_version = 4242", "explain query plan pragma schema_version = 999",
                "PRAGMA schema_version = 999", "PRAGMA auto_vacuum = FULL", "PRAGMA optimize", "PRAGMA optimize = 0x10002",
                "PRAGMA journal_mode = DELETE", "PRAGMA locking_mode = EXCLUSIVE", "PRAGMA writable_schema = ON",
                "-- line\nPRAGMA [user_version] = 4242;", "PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA incremental_vacuum");
        for (String sql : attempts) {
            assertThat(path.send(RO, sql)).as("%s via %s", sql, path).isIn("SQLITE_READONLY", "SQLITE_AUTH");
        }
        // a read-only token may still ask
        assertThat(path.send(RO, "PRAGMA user_version")).as("querying user_version via %s", path).isEqualTo("ok");
        assertThat(path.send(RO, "PRAGMA table_info(sqlite_schema)")).as("table_info via %s", path).isEqualTo("ok");
        assertThat(persistentState()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Hostile.Path.class)
    void shouldRefuseTheOperatorsPragmasToAnyTokenBehindEmptyStatementsAndComments(Hostile.Path path) throws Exception {
        String before = persistentState();
        // SQLite skips an empty statement in front and runs the PRAGMA behind it: the rules must see that PRAGMA
        for (String sql : List.of("; PRAGMA journal_mode = DELETE", ";;\n;PRAGMA writable_schema = ON",
                "/* ; */ ; -- ;\n PRAGMA writable_schema = 1", "; EXPLAIN PRAGMA schema_version = 999",
                ";PRAGMA locking_mode = EXCLUSIVE")) {
            assertThat(path.send(RW, sql)).as("%s via %s", sql, path).isEqualTo("SQLITE_AUTH");
            assertThat(path.send(RO, sql)).as("%s via %s, read-only", sql, path).isIn("SQLITE_AUTH", "SQLITE_READONLY");
        }
        assertThat(path.send(RO, " ; pragma main.user_version = 4242")).as("a read-only token's setting via %s", path).isIn("SQLITE_AUTH",
                "SQLITE_READONLY");
        assertThat(persistentState()).isEqualTo(before);
        assertThat(path.send(RW, "; PRAGMA user_version")).as("querying behind an empty statement via %s", path).isEqualTo("ok");
    }

    @ParameterizedTest
    @EnumSource(Hostile.Path.class)
    void shouldRefuseEveryWriteOfAReadOnlyTokenAtTheEngine(Hostile.Path path) throws Exception {
        String t = table();
        pipelineOk(RW, null, execute("CREATE TABLE " + t + " (a)"), execute("INSERT INTO " + t + " VALUES (1)"), close());
        String before = persistentState();
        for (String sql : List.of("INSERT INTO " + t + " VALUES (2)", "/**/ insert into " + t + " values (2)",
                "WITH x AS (SELECT 1) INSERT INTO " + t + " SELECT 2", "DELETE FROM " + t, "ANALYZE", "CREATE TABLE " + t + "_b (a)",
                "CREATE TEMP VIEW " + t + " AS SELECT 42 AS a", "DROP TABLE " + t, "VACUUM", "REINDEX")) {
            String outcome = path.send(RO, sql);
            if (path != Hostile.Path.DESCRIBE) { // describe only prepares: it may answer, it must not write
                assertThat(outcome).as("%s via %s", sql, path).isNotEqualTo("ok");
            }
        }
        assertThat(scalar(RW, "SELECT group_concat(a) FROM " + t)).isEqualTo("1");
        assertThat(persistentState()).isEqualTo(before);
    }

    @Test
    void shouldServeReadOnlyStreamsFromConnectionsOpenedReadOnly() {
        // the transaction stays open, so the lease is held while we look
        JsonNode body = pipelineOk(RO, null, execute("BEGIN"), execute("SELECT 1"));
        String baton = body.get("baton").asText();
        try {
            assertThat(backend.readOnlyStatus().active()).isEqualTo(1);
            assertThat(backend.status().active()).as("no read-write connection for a read-only token").isZero();
            JsonNode r = pipelineOk(RO, baton, execute("PRAGMA query_only = 0"), execute("CREATE TABLE ro_escape (a)"));
            assertThat(errorCode(r.get("results").get(0))).isEqualTo("SQLITE_READONLY");
            assertThat(errorCode(r.get("results").get(1))).isEqualTo("SQLITE_READONLY");
            baton = r.get("baton").asText();
        } finally {
            pipelineOk(RO, baton, close());
        }
    }

    @Test
    void shouldNotLetTempObjectsShadowTablesForTheNextStream() {
        String t = table();
        pipelineOk(RW, null, execute("CREATE TABLE " + t + " (a)"), execute("INSERT INTO " + t + " VALUES (1)"), close());
        long evictedBefore = backend.status().evicted();

        JsonNode body = pipelineOk(RW, null, execute("CREATE TEMP VIEW " + t + " AS SELECT 42 AS a"),
                execute("CREATE TEMP TRIGGER " + t + "_tr AFTER INSERT ON main." + t + " BEGIN DELETE FROM main." + t + "; END"),
                execute("SELECT a FROM " + t), close());
        assertThat(body.get("results").get(2).toString()).as("the stream itself sees its view").contains("\"42\"");

        // every connection the pool may hand out next answers from the real table
        for (int i = 0; i < 8; i++) {
            assertThat(scalar(RW, "SELECT group_concat(a) FROM " + t)).isEqualTo("1");
        }
        pipelineOk(RW, null, execute("INSERT INTO " + t + " VALUES (2)"), close());
        assertThat(scalar(RW, "SELECT count(*) FROM " + t)).as("no temp trigger deleted the rows").isEqualTo("2");
        assertThat(backend.status().evicted()).as("the connection was discarded").isGreaterThan(evictedBefore);
    }

    @Test
    void shouldNotLetAChangedSettingReachTheNextStream() {
        long evictedBefore = backend.status().evicted();
        pipelineOk(RW, null, execute("PRAGMA foreign_keys = OFF"), execute("PRAGMA recursive_triggers = ON"), close());
        for (int i = 0; i < 8; i++) {
            assertThat(scalar(RW, "PRAGMA foreign_keys")).isEqualTo("1");
            assertThat(scalar(RW, "PRAGMA recursive_triggers")).isEqualTo("0");
        }
        assertThat(backend.status().evicted()).isGreaterThan(evictedBefore);
    }

    // ---- class 2: no statement reaches a file outside the database --------------------------

    @ParameterizedTest
    @ValueSource(strings = {"pool", "direct"})
    void shouldRefuseAttachAndVacuumIntoWhateverTheirSpellingOnEveryPath(String connections) throws Exception {
        if (connections.equals("direct")) {
            flags.disable("ENABLE_CONNECTION_POOL", "test", "direct path");
        }
        try {
            Path target = Path.of("target", "escape-" + UUID.randomUUID() + ".db").toAbsolutePath();
            String f = target.toString().replace("'", "''");
            List<String> attempts = List.of("ATTACH '" + f + "' AS x", "attach database '" + f + "' as x",
                    "/* ; */ ATTACH '" + f + "' AS x", "-- ;\nATTACH '" + f + "' AS x", "VACUUM INTO '" + f + "'",
                    "VACUUM /* ; */ INTO '" + f + "'", "vacuum main\ninto '" + f + "'", "VACUUM -- ;\n INTO '" + f + "'",
                    "VACUUM \"main\" INTO '" + f + "'", "SELECT load_extension('" + f + "')",
                    "backup to " + f, "restore from " + f, "PRAGMA temp_store_directory = '" + target.getParent() + "'",
                    "PRAGMA soft_heap_limit = 1", "PRAGMA hard_heap_limit = 1", "PRAGMA data_store_directory = '/tmp'",
                    "PRAGMA threads = 8", "PRAGMA mmap_size = 268435456");
            for (Hostile.Path path : Hostile.Path.values()) {
                for (String sql : attempts) {
                    String outcome = path.send(RW, sql);
                    if (path != Hostile.Path.DESCRIBE || sql.startsWith("PRAGMA")) { // describe only prepares
                        assertThat(outcome).as("%s via %s on %s connections", sql, path, connections).isNotEqualTo("ok");
                    }
                    assertThat(Files.exists(target)).as("%s via %s wrote %s", sql, path, target).isFalse();
                }
            }
            assertThat(scalar(RW, "SELECT * FROM pragma_soft_heap_limit")).as("process-wide heap limit").isEqualTo("0");
        } finally {
            if (connections.equals("direct")) {
                flags.enable("ENABLE_CONNECTION_POOL", "test", "direct path done");
            }
        }
    }

    @Test
    void shouldKeepWhatOrmsAndMigrationsUse() {
        String t = table();
        JsonNode body = pipelineOk(RW, null, execute("PRAGMA foreign_keys = OFF"), execute("PRAGMA defer_foreign_keys = ON"),
                execute("PRAGMA legacy_alter_table = ON"), execute("CREATE TABLE " + t + " (a INTEGER PRIMARY KEY, b TEXT)"),
                execute("PRAGMA table_info(" + t + ")"), execute("PRAGMA index_list(" + t + ")"), execute("PRAGMA foreign_key_check"),
                execute("PRAGMA journal_mode = WAL"), execute("PRAGMA integrity_check"), execute("PRAGMA foreign_keys = ON"), close());
        for (JsonNode r : body.get("results")) {
            assertThat(errorCode(r)).as("%s", r).isNull();
        }
    }

    @Test
    void shouldAnswerTheReadFastPathWithoutAnyWayOut() {
        long before = Long.parseLong(scalar(RO, "PRAGMA user_version"));
        JsonNode body = pipelineOk(RO, null, execute("SELECT * FROM pragma_user_version"),
                execute("SELECT load_extension('/tmp/none')"), execute("SELECT count(*) FROM pragma_table_info('sqlite_schema')"), close());
        assertThat(errorCode(body.get("results").get(0))).isNull();
        assertThat(errorCode(body.get("results").get(1))).isNotNull();
        assertThat(errorCode(body.get("results").get(2))).isNull();
        assertThat(Long.parseLong(scalar(RO, "PRAGMA user_version"))).isEqualTo(before);
    }

    private static String table() {
        return "sec_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
