package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaClient.queryError;
import static io.sluice.gateway.HranaClient.queryStmt;
import static io.sluice.gateway.HranaClient.queryStmtError;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.jsNumber;
import static io.sluice.gateway.HranaJson.namedStmt;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.storeSql;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Binding positional and named arguments to every SQLite parameter spelling, and rejecting bad argument lists. */
@QuarkusTest
class ArgumentsTest {

    static JsonNode rows(JsonNode result) {
        return result.get("rows");
    }

    @Test
    void shouldBindPositionalArgumentsToQuestionMarksInOrder() {
        assertThat(rows(query("SELECT ?, ?", integer(1), text("two"))))
                .isEqualTo(parse("[[{'type':'integer','value':'1'},{'type':'text','value':'two'}]]"));
    }

    @Test
    void shouldBindNumberedParametersByTheirNumber() {
        assertThat(rows(query("SELECT ?2, ?1, ?2", text("first"), text("second"))))
                .isEqualTo(parse("[[{'type':'text','value':'second'},{'type':'text','value':'first'},{'type':'text','value':'second'}]]"));
    }

    @Test
    void shouldBindJavaScriptNumbersToNumberedParameters() {
        assertThat(rows(query("SELECT typeof(?1), ?1 + ?2", jsNumber(2), jsNumber(3))))
                .isEqualTo(parse("[[{'type':'text','value':'real'},{'type':'float','value':5.0}]]"));
    }

    @ParameterizedTest(name = "{0} bound by name \"{1}\"")
    @CsvSource({
            ":a, a", ":a, :a",
            "@a, a", "@a, @a",
            "$a, a", "$a, $a",
    })
    void shouldBindNamedParameterWhetherOrNotNameCarriesPrefix(String param, String argName) {
        JsonNode result = queryStmt(namedStmt("SELECT " + param + " AS v", argName, text("bound")));

        assertThat(rows(result)).isEqualTo(parse("[[{'type':'text','value':'bound'}]]"));
    }

    @Test
    void shouldBindNamedArgumentsInAnyOrderAndReuseRepeatedParameter() {
        JsonNode result = queryStmt(namedStmt("SELECT :a, @b, $c, :a", "$c", integer(3), ":a", integer(1), "b", integer(2)));

        assertThat(rows(result)).isEqualTo(parse("[[{'type':'integer','value':'1'},{'type':'integer','value':'2'},"
                + "{'type':'integer','value':'3'},{'type':'integer','value':'1'}]]"));
    }

    @Test
    void shouldBindPositionalArgumentsToNamedParametersAsServerlessCompatClientSends() {
        // compat client: SELECT :a, :b with {a: 1, b: "x"} arrives as args [1, "x"], named_args []
        assertThat(rows(query("SELECT :a, :b", integer(1), text("x"))))
                .isEqualTo(parse("[[{'type':'integer','value':'1'},{'type':'text','value':'x'}]]"));
        assertThat(rows(query("SELECT @a, $b, :c, @a", integer(1), integer(2), integer(3))))
                .isEqualTo(parse("[[{'type':'integer','value':'1'},{'type':'integer','value':'2'},"
                        + "{'type':'integer','value':'3'},{'type':'integer','value':'1'}]]"));
    }

    @Test
    void shouldWriteRowsWithNamedArguments() {
        String t = uniqueTable("named");
        query("CREATE TABLE " + t + "(k TEXT, v INTEGER)");

        queryStmt(namedStmt("INSERT INTO " + t + " VALUES (:k, :v)", "v", integer(7), "k", text("seven")));

        assertThat(rows(query("SELECT k, v FROM " + t)))
                .isEqualTo(parse("[[{'type':'text','value':'seven'},{'type':'integer','value':'7'}]]"));
    }

    @Test
    void shouldBindNamedArgumentsInBatchStepsAndStoredSql() {
        JsonNode body = pipelineOk(V2, null,
                storeSql(0, "SELECT :x + 1"),
                batchRequest(batch(
                        step(namedStmt("SELECT @y", "y", text("b"))),
                        step(stmtIdNamed(0, "x", integer(41))))),
                close());

        JsonNode steps = okResponse(body.get("results").get(1)).get("result").get("step_results");
        assertThat(steps.get(0).get("rows")).isEqualTo(parse("[[{'type':'text','value':'b'}]]"));
        assertThat(steps.get(1).get("rows")).isEqualTo(parse("[[{'type':'integer','value':'42'}]]"));
    }

    private static ObjectNode stmtIdNamed(int id, String name, JsonNode value) {
        ObjectNode s = namedStmt("unused", name, value);
        s.remove("sql");
        s.put("sql_id", id);
        return s;
    }

    @Test
    void shouldNotTreatQuestionMarksInLiteralsOrCommentsAsParameters() {
        assertThat(rows(query("SELECT '?', \"?\" IS NULL, ? -- trailing ? and :x\n", integer(5))))
                .isEqualTo(parse("[[{'type':'text','value':'?'},{'type':'integer','value':'0'},{'type':'integer','value':'5'}]]"));
    }

    @Test
    void shouldRejectMissingPositionalArgumentAsArgsInvalid() {
        assertThat(queryError("SELECT ?, ?", integer(1)).get("code").asText()).isEqualTo("ARGS_INVALID");
    }

    @Test
    void shouldRejectExtraPositionalArgumentAsArgsInvalid() {
        assertThat(queryError("SELECT ?", integer(1), integer(2)).get("code").asText()).isEqualTo("ARGS_INVALID");
        assertThat(queryError("SELECT 1", integer(1)).get("code").asText()).isEqualTo("ARGS_INVALID");
    }

    @Test
    void shouldRejectMissingNamedArgumentAsArgsInvalid() {
        JsonNode error = queryStmtError(namedStmt("SELECT :a, :b", "a", integer(1)));

        assertThat(error.get("code").asText()).isEqualTo("ARGS_INVALID");
    }

    @Test
    void shouldRejectUnknownNamedArgumentAsArgsInvalid() {
        JsonNode error = queryStmtError(namedStmt("SELECT :a", "a", integer(1), "zzz", integer(2)));

        assertThat(error.get("code").asText()).isEqualTo("ARGS_INVALID");
    }

    @Test
    void shouldRejectNamedArgumentForBareQuestionMarkAsArgsInvalid() {
        JsonNode error = queryStmtError(namedStmt("SELECT ?", "a", integer(1)));

        assertThat(error.get("code").asText()).isEqualTo("ARGS_INVALID");
    }

    @Test
    void shouldRejectMixingPositionalAndNamedArgumentsAsArgsInvalid() {
        ObjectNode stmt = namedStmt("SELECT ?, :b", "b", integer(2));
        ((ArrayNode) stmt.get("args")).add(integer(1));

        assertThat(queryStmtError(stmt).get("code").asText()).isEqualTo("ARGS_INVALID");
    }

    @Test
    void shouldRejectNamedArgumentGivenTwiceAsArgsInvalid() {
        JsonNode error = queryStmtError(namedStmt("SELECT :a", "a", integer(1), ":a", integer(2)));

        assertThat(error.get("code").asText()).isEqualTo("ARGS_INVALID");
    }
}
