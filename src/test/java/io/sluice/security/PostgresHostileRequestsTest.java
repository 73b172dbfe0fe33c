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
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.pool.Backend;
import io.sluice.testing.Postgres;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile requests against PostgreSQL with real tokens, Sluice connected as the least-privilege role of
 * docs/security.md: a read-only token changes nothing whatever settings it plays with (class 1), one Hrana
 * statement is one backend statement even after {@code standard_conforming_strings} was switched off, the
 * server's files and programs are out of reach (classes 1 and 5), and session state never reaches the next
 * stream. Every test reads the table back over JDBC and checks that no connection is left leased.
 */
@QuarkusTest
@TestProfile(PostgresHostileRequestsTest.LeastPrivilege.class)
@ExtendWith(Postgres.class)
class PostgresHostileRequestsTest {

    public static class LeastPrivilege implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(LeastPrivilegeRole.sluiceConfig());
            config.putAll(Hostile.jwt());
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LeastPrivilegeRole.class));
        }
    }

    /** Breaks out of a literal only when the driver reads backslashes as escapes (standard_conforming_strings off). */
    private static String smuggle(String hidden) {
        // a text of its own each time: pgjdbc caches its parse of a text whatever the setting was then
        return "SELECT 'a\\'' ; " + hidden + " ; --' /* " + UUID.randomUUID() + " */";
    }

    @Inject
    Backend backend;

    private String t;

    @BeforeEach
    void table() {
        t = "sec_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        JsonNode body = pipelineOk(RW, null, execute("CREATE TABLE " + t + " (a int)"), execute("INSERT INTO " + t + " VALUES (1)"),
                execute("CREATE SEQUENCE " + t + "_seq"), close());
        for (JsonNode r : body.get("results")) {
            assertThat(errorCode(r)).as("%s", r).isNull();
        }
    }

    /** The table's rows and the sequence's state, read straight from the database. */
    private String state() throws Exception {
        try (Connection c = LeastPrivilegeRole.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT string_agg(a::text, ',' ORDER BY a) FROM " + t + ") || '/' || "
                        + "(SELECT last_value || ':' || is_called FROM " + t + "_seq)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @AfterEach
    void serverAliveAndNothingLeased() {
        given().get("/health").then().statusCode(200);
        assertThat(backend.leases()).as("open leases").isEmpty();
        // the pool's housekeeping borrows an idle connection for a moment to pay the reset it owes; a leak stays
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(backend.status().active()).as("connections leased").isZero());
    }

    // ---- class 1: read-only means read-only --------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Hostile.Path.class, names = {"EXECUTE", "BATCH", "STORED", "CURSOR"})
    void shouldChangeNothingWhateverSettingsAReadOnlyStreamChangesFirst(Hostile.Path path) throws Exception {
        String before = state();
        List<String> writes = List.of("INSERT INTO " + t + " VALUES (666)", "SELECT nextval('" + t + "_seq')",
                "UPDATE " + t + " SET a = 666", "DELETE FROM " + t);
        List<List<String>> setups = List.of(List.of(),
                List.of("SELECT set_config('default_transaction_read_only', 'off', false)"),
                List.of("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"),
                List.of("SET TRANSACTION READ WRITE"),
                List.of("SELECT set_config('transaction_read_only', 'off', false)"),
                List.of("BEGIN READ WRITE"), List.of("START TRANSACTION READ WRITE"), List.of("BEGIN", "SET TRANSACTION READ WRITE"),
                List.of("BEGIN", "SELECT 1", "ROLLBACK AND CHAIN", "SET TRANSACTION READ WRITE"),
                List.of("BEGIN", "COMMIT AND CHAIN"), List.of("/* x */ begin isolation level serializable, read write"));
        for (List<String> setup : setups) {
            for (String write : writes) {
                List<JsonNode> requests = new ArrayList<>();
                for (String sql : setup) {
                    requests.add(execute(sql));
                }
                requests.add(execute(write));
                requests.add(execute("COMMIT"));
                requests.add(close());
                JsonNode body = pipelineOk(RO, null, requests.toArray(JsonNode[]::new));
                JsonNode writeResult = body.get("results").get(setup.size());
                assertThat(errorCode(writeResult)).as("%s after %s: %s", write, setup, writeResult).isNotNull();
            }
            assertThat(path.send(RO, "INSERT INTO " + t + " VALUES (667)")).as("via %s", path).isNotEqualTo("ok");
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldChangeNothingThroughASequenceOfAReadOnlyToken() throws Exception {
        String before = state();
        JsonNode body = pipelineOk(RO, null, Hostile.sequence("SELECT set_config('default_transaction_read_only', 'off', false);"
                + " COMMIT; BEGIN READ WRITE; INSERT INTO " + t + " VALUES (666); COMMIT"), close());
        assertThat(errorCode(body.get("results").get(0))).isNotNull();
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldKeepOneStatementOneStatementAfterStandardConformingStringsWasSwitchedOff() throws Exception {
        String before = state();
        String hidden = "COMMIT ; BEGIN READ WRITE ; INSERT INTO " + t + " VALUES (666) ; COMMIT";
        for (String token : List.of(RO, RW)) {
            for (String off : List.of("SELECT set_config('standard_conforming_strings', 'off', false)",
                    "SET standard_conforming_strings = off", "SET SESSION standard_conforming_strings TO 'off'")) {
                // the same stream, autocommit and inside a transaction of the client's
                pipelineOk(token, null, execute(off), execute(smuggle(hidden)), execute(smuggle("DROP TABLE " + t)), close());
                pipelineOk(token, null, execute("BEGIN"), execute(off), execute(smuggle(hidden)), execute("COMMIT"), close());
                pipelineOk(token, null, Hostile.batchRequest(off, smuggle("INSERT INTO " + t + " VALUES (668)")), close());
            }
        }
        // a line comment ends at CR for PostgreSQL and pgjdbc: what follows it is a statement
        for (String tail : List.of("; -- x\rDROP TABLE " + t, ";\r-- x\rINSERT INTO " + t + " VALUES (669)",
                "; /* x */ INSERT INTO " + t + " VALUES (670)")) {
            JsonNode body = pipelineOk(RW, null, execute("SELECT 1 " + tail), close());
            assertThat(errorCode(body.get("results").get(0))).as("%s: %s", tail, body).isNotNull();
        }
        assertThat(state()).isEqualTo(before);
        // the scanner and the backend agree: the literal is one value
        JsonNode body = pipelineOk(RW, null, execute("SET standard_conforming_strings = off"), execute(smuggle("SELECT 2")), close());
        assertThat(body.get("results").get(1).toString()).contains("a\\\\' ; SELECT 2 ; --");
    }

    // ---- classes 1 and 5: nothing reaches outside the database -------------------------------

    @Test
    void shouldKeepTheServersFilesAndProgramsOutOfReach() throws Exception {
        String before = state();
        List<String> attempts = List.of("SELECT pg_read_file('/etc/hostname')", "SELECT pg_read_binary_file('/etc/passwd')",
                "SELECT pg_ls_dir('.')", "SELECT pg_stat_file('/etc/hostname')", "SELECT lo_import('/etc/hostname')",
                "SELECT lo_export(0, '/tmp/sluice-escape')", "SELECT pg_reload_conf()", "SELECT pg_rotate_logfile()",
                "COPY (SELECT 1) TO PROGRAM 'true'", "COPY " + t + " FROM '/etc/hostname'", "COPY " + t + " TO '/tmp/sluice-escape'",
                "CREATE EXTENSION IF NOT EXISTS dblink", "CREATE EXTENSION IF NOT EXISTS file_fdw",
                "ALTER SYSTEM SET log_statement = 'all'", "SET ROLE postgres", "SET SESSION AUTHORIZATION postgres");
        for (String token : List.of(RO, RW)) {
            for (String sql : attempts) {
                JsonNode body = pipelineOk(token, null, execute(sql), close());
                assertThat(errorCode(body.get("results").get(0))).as("%s: %s", sql, body).isNotNull();
            }
        }
        assertThat(state()).isEqualTo(before);
    }

    // ---- session state never reaches the next stream -----------------------------------------

    @Test
    void shouldNameItsSessionsSluiceInPgStatActivityAfterEveryReset() {
        for (int i = 0; i < 4; i++) {
            pipelineOk(RW, null, execute("SET application_name = 'renamed'"), close());
            assertThat(scalar(RW, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")).isEqualTo("sluice");
        }
    }

    @Test
    void shouldHandTheNextStreamAFreshSession() {
        String settings = "SELECT current_setting('statement_timeout') || ',' || current_setting('search_path')"
                + " || ',' || current_setting('standard_conforming_strings') || ',' || current_setting('application_name')";
        String defaults = scalar(RW, settings);
        for (String token : List.of(RW, RO)) {
            JsonNode body = pipelineOk(token, null, execute("SELECT pg_advisory_lock(4242)"), execute("PREPARE sec_p AS SELECT 1"),
                    execute("SET statement_timeout = 1234"), execute("SET search_path = pg_catalog"),
                    execute("SELECT set_config('standard_conforming_strings', 'off', false)"), execute("SET application_name = 'hostile'"),
                    close());
            assertThat(errorCode(body.get("results").get(0))).as("%s", body).isNull();
            for (int i = 0; i < 6; i++) {
                // the lease's own session: another pooled connection may still owe its reset for up to a housekeeping tick
                assertThat(scalar(RW, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242"
                        + " AND pid = pg_backend_pid()")).isEqualTo("0");
                assertThat(scalar(RW, "SELECT count(*) FROM pg_prepared_statements WHERE from_sql")).isEqualTo("0");
                assertThat(scalar(RW, settings)).isEqualTo(defaults);
            }
            // and no session keeps the lock: an idle connection pays the reset it owes within a housekeeping tick
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> scalar(RW, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242").equals("0"));
        }
        JsonNode rw = pipelineOk(RW, null, execute("CREATE TEMP TABLE " + t + " (a int)"), execute("INSERT INTO " + t + " VALUES (42)"), close());
        assertThat(errorCode(rw.get("results").get(0))).as("%s", rw).isNull();
        for (int i = 0; i < 6; i++) {
            assertThat(scalar(RW, "SELECT string_agg(a::text, ',') FROM " + t)).as("the real table, not a temp one").isEqualTo("1");
        }
    }

    @Test
    void shouldHandTheNextStreamAFreshSessionWhicheverStatementOrFunctionMadeTheState() {
        String left = "SELECT current_setting('search_path') || ',' || (SELECT count(*) FROM pg_catalog.pg_prepared_statements WHERE from_sql)"
                + " || ',' || (SELECT count(*) FROM pg_catalog.pg_cursors WHERE is_holdable) || ',' || (SELECT count(*) FROM pg_catalog.pg_listening_channels())";
        String fresh = scalar(RW, left);
        JsonNode body = pipelineOk(RW, null, execute("SELECT nextval('" + t + "_seq')"),
                execute("DO $$BEGIN EXECUTE 'PREPARE sec_q AS SELECT 1'; PERFORM set_config('search_path', 'pg_catalog', false); END$$"),
                execute("DECLARE sec_c CURSOR WITH HOLD FOR SELECT 1"), execute("DO $$BEGIN EXECUTE 'LISTEN sec_l'; END$$"), close());
        for (JsonNode r : body.get("results")) {
            assertThat(errorCode(r)).as("%s", r).isNull();
        }
        for (int i = 0; i < 6; i++) {
            assertThat(scalar(RW, left)).as("what the next stream sees").isEqualTo(fresh);
            JsonNode lastval = pipelineOk(RW, null, execute("SELECT lastval()"), close());
            assertThat(errorCode(lastval.get("results").get(0))).as("no sequence value of an earlier stream").isNotNull();
        }
    }
}
