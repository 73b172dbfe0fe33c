package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaClient.queryError;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Statement failures: reported inside an HTTP 200 pipeline result with the Hrana error code clients compare against. */
@QuarkusTest
class StatementErrorsTest implements BackendExpectations {

    private static String code(JsonNode error) {
        assertThat(error.get("message").asText()).as("message of %s", error).isNotBlank();
        return error.get("code").asText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", ";", " ; ; ", "-- only a comment", "/* block */"})
    void shouldReportSqlWithoutStatementAsSqlNoStatement(String sql) {
        assertThat(code(queryError(sql))).isEqualTo("SQL_NO_STATEMENT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1; SELECT 2", "SELECT 1;SELECT 2;", "CREATE TABLE x(a); DROP TABLE x"})
    void shouldReportTwoStatementsAsSqlManyStatements(String sql) {
        assertThat(code(queryError(sql))).isEqualTo("SQL_MANY_STATEMENTS");
    }

    @Test
    void shouldAcceptSingleStatementWithTrailingSemicolonsAndComments() {
        assertThat(query("SELECT 1; -- done\n;").get("rows")).isEqualTo(parse("[[{'type':'integer','value':'1'}]]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELEC 1", "SELECT FROM WHERE", "SELECT 'unterminated", "SELECT (1"})
    void shouldReportSyntaxErrorAsSqlParseError(String sql) {
        assertThat(code(queryError(sql))).isEqualTo("SQL_PARSE_ERROR");
    }

    @Test
    void shouldReportMissingTableAsSqliteErrorWithTheBackendsMessage() {
        String t = uniqueTable("missing");

        JsonNode error = queryError("SELECT * FROM " + t);

        assertThat(code(error)).isEqualTo("SQLITE_ERROR");
        assertThat(error.get("message").asText()).contains(missingTableMessage()).contains(t);
    }

    @Test
    void shouldReportConstraintViolationsAsSqliteConstraint() {
        String parent = uniqueTable("parent");
        String t = uniqueTable("cons");
        query("CREATE TABLE " + parent + "(id INTEGER PRIMARY KEY)");
        query("CREATE TABLE " + t + "(id " + autoIdKey() + ", u TEXT UNIQUE, n TEXT NOT NULL, c INTEGER CHECK (c > 0), "
                + "p INTEGER REFERENCES " + parent + "(id))");
        query("INSERT INTO " + t + "(id, u, n, c) VALUES (1, 'x', 'n', 1)");

        assertThat(code(queryError("INSERT INTO " + t + "(id, u, n, c) VALUES (1, 'y', 'n', 1)"))).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(code(queryError("INSERT INTO " + t + "(u, n, c) VALUES ('x', 'n', 1)"))).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(code(queryError("INSERT INTO " + t + "(u, n, c) VALUES ('z', NULL, 1)"))).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(code(queryError("INSERT INTO " + t + "(u, n, c) VALUES ('z', 'n', 0)"))).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(code(queryError("INSERT INTO " + t + "(u, n, c, p) VALUES ('z', 'n', 1, ?)", integer(99))))
                .isEqualTo("SQLITE_CONSTRAINT");
    }

    @Test
    void shouldNotLeakDriverDecorationsIntoErrorMessage() {
        JsonNode error = queryError("SELECT * FROM " + uniqueTable("deco"));

        assertThat(error.get("message").asText()).doesNotContain("[SQLITE_").doesNotContain("SQLException").doesNotContain("org.sqlite");
    }

    @Test
    void shouldKeepStreamUsableAfterStatementError() {
        try (StreamSession s = new StreamSession(V2)) {
            JsonNode first = s.send(execute("SELECT * FROM " + uniqueTable("gone")));
            JsonNode second = s.send(execute("SELECT 'still here'"));

            assertThat(code(errorOf(first.get(0)))).isEqualTo("SQLITE_ERROR");
            assertThat(okResponse(second.get(0)).get("result").get("rows")).isEqualTo(parse("[[{'type':'text','value':'still here'}]]"));
        }
    }
}
