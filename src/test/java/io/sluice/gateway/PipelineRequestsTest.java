package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.json;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.closeSql;
import static io.sluice.gateway.HranaJson.col;
import static io.sluice.gateway.HranaJson.cols;
import static io.sluice.gateway.HranaJson.describe;
import static io.sluice.gateway.HranaJson.describeId;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.getAutocommit;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.sequence;
import static io.sluice.gateway.HranaJson.sequenceId;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.stmtId;
import static io.sluice.gateway.HranaJson.storeSql;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every stream request type on /v2/pipeline and /v3/pipeline. */
@QuarkusTest
class PipelineRequestsTest implements BackendExpectations {

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldExecuteStatementAndEchoEveryRequestTypeInResponses(String path) {
        JsonNode body = pipelineOk(path, null, execute("SELECT 1 AS one"), close());

        ObjectNode expected = (ObjectNode) parse("{'baton':null,'base_url':null,'results':["
                + "{'type':'ok','response':{'type':'execute','result':{'cols':[],"
                + "'rows':[[{'type':'integer','value':'1'}]],'affected_row_count':0,'last_insert_rowid':null}}},"
                + "{'type':'ok','response':{'type':'close'}}]}");
        ((ObjectNode) expected.at("/results/0/response/result")).set("cols", cols(col("one", exprDecltype("int4"))));
        assertThat(body).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldReturnBatonWhenStreamIsLeftOpenAndNullBatonAfterClose(String path) {
        try (StreamSession s = new StreamSession(path)) {
            s.send(execute("SELECT 1"));
            assertThat(s.baton()).isNotBlank();

            JsonNode results = s.send(close());

            assertThat(okResponse(results.get(0))).isEqualTo(parse("{'type':'close'}"));
            assertThat(s.baton()).isNull();
        }
    }

    @Test
    void shouldOpenStreamWhenBatonKeyIsAbsent() {
        // @libsql/client sends no "baton" key at all on the first request of a stream
        Response r = HranaClient.postRaw(V2, "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 2\"}},{\"type\":\"close\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(okResponse(json(r).get("results").get(0)).get("result").get("rows"))
                .isEqualTo(parse("[[{'type':'integer','value':'2'}]]"));
    }

    @Test
    void shouldIgnoreUnknownFieldsSuchAsReplicationIndex() {
        Response r = HranaClient.postRaw(V3, "{\"baton\":null,\"future\":1,\"requests\":[{\"type\":\"execute\",\"replication_index\":\"7\","
                + "\"stmt\":{\"sql\":\"SELECT 3\",\"replication_index\":\"7\"}},{\"type\":\"close\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(okResponse(json(r).get("results").get(0)).get("result").get("rows"))
                .isEqualTo(parse("[[{'type':'integer','value':'3'}]]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldRunBatchAndReportEachStepsResultAndError(String path) {
        String t = uniqueTable("batch");
        JsonNode body = pipelineOk(path, null, batchRequest(batch(
                step(stmt("CREATE TABLE " + t + "(a INTEGER)")),
                step(stmt("INSERT INTO " + t + " VALUES (?)", integer(5))),
                step(stmt("INSERT INTO nosuch_" + t + " VALUES (1)")),
                step(stmt("SELECT a FROM " + t)))), close());

        JsonNode response = okResponse(body.get("results").get(0));
        assertThat(response.get("type").asText()).isEqualTo("batch");
        JsonNode results = response.get("result").get("step_results");
        JsonNode errors = response.get("result").get("step_errors");
        assertThat(results).hasSize(4);
        assertThat(errors).hasSize(4);
        assertThat(results.get(1).get("affected_row_count").asLong()).isEqualTo(1);
        assertThat(results.get(2).isNull()).isTrue();
        assertThat(errors.get(2).get("code").asText()).isEqualTo("SQLITE_ERROR");
        assertThat(results.get(3).get("rows")).isEqualTo(parse("[[{'type':'integer','value':'5'}]]"));
        assertThat(errors.get(0).isNull() && errors.get(1).isNull() && errors.get(3).isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldRunSequenceOfStatementsAndAnswerWithEmptyResponse(String path) {
        String t = uniqueTable("seq");
        JsonNode body = pipelineOk(path, null,
                sequence("CREATE TABLE " + t + "(a INTEGER); INSERT INTO " + t + " VALUES (1); INSERT INTO " + t + " VALUES (2);"
                        + " SELECT * FROM " + t + ";"),
                close());

        assertThat(okResponse(body.get("results").get(0))).isEqualTo(parse("{'type':'sequence'}"));
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(2);
    }

    @Test
    void shouldStopSequenceAtFirstFailingStatementAndReportItsError() {
        String t = uniqueTable("seqfail");
        JsonNode body = pipelineOk(V2, null,
                sequence("CREATE TABLE " + t + "(a INTEGER); INSERT INTO " + t + " VALUES (1); INSERT INTO nosuch_" + t
                        + " VALUES (1); INSERT INTO " + t + " VALUES (2)"),
                close());

        assertThat(errorOf(body.get("results").get(0)).get("code").asText()).isEqualTo("SQLITE_ERROR");
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }

    @Test
    void shouldRunStoredSqlInSequence() {
        String t = uniqueTable("seqid");
        pipelineOk(V2, null, storeSql(1, "CREATE TABLE " + t + "(a INTEGER); INSERT INTO " + t + " VALUES (9)"), sequenceId(1), close());

        assertThat(count("SELECT a FROM " + t)).isEqualTo(9);
    }

    @Test
    void shouldDescribeParametersNumberedFromOneWithNullNameForBareQuestionMark() {
        JsonNode body = pipelineOk(V3, null, describe("SELECT ?, ?3, :a, @b, $c, :a"), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(result.get("params")).isEqualTo(parse(
                "[{'name':null},{'name':null},{'name':'?3'},{'name':':a'},{'name':'@b'},{'name':'$c'}]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldDescribeColumnsWithDeclaredTypesAndFlags(String path) {
        String t = uniqueTable("desc");
        query("CREATE TABLE " + t + "(id INTEGER PRIMARY KEY, name TEXT, score " + realType() + ")");

        JsonNode body = pipelineOk(path, null, describe("SELECT id, name, score * 2 AS twice FROM " + t + " WHERE id = ?"), close());

        ObjectNode expected = (ObjectNode) parse("{'type':'describe','result':{'params':[{'name':null}],'cols':[],"
                + "'is_explain':false,'is_readonly':true}}");
        ((ObjectNode) expected.get("result")).set("cols", cols(col("id", decltype("INTEGER", "int4")),
                col("name", decltype("TEXT", "text")), col("twice", exprDecltype("float8"))));
        assertThat(okResponse(body.get("results").get(0))).isEqualTo(expected);
    }

    @Test
    void shouldDescribeWriteWithoutRunningIt() {
        String t = uniqueTable("descw");
        query("CREATE TABLE " + t + "(a TEXT)");

        JsonNode body = pipelineOk(V2, null, describe("INSERT INTO " + t + " VALUES (:v)"), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(result.get("params")).isEqualTo(parse("[{'name':':v'}]"));
        assertThat(result.get("cols")).isEmpty();
        assertThat(result.get("is_readonly").asBoolean()).isFalse();
        assertThat(result.get("is_explain").asBoolean()).isFalse();
        assertThat(count("SELECT count(*) FROM " + t)).isZero();
    }

    @Test
    void shouldDescribeExplainStatementsAsExplain() {
        JsonNode body = pipelineOk(V3, null, describe("EXPLAIN SELECT 1"), describe("EXPLAIN QUERY PLAN SELECT 1"), close());

        assertThat(okResponse(body.get("results").get(0)).get("result").get("is_explain").asBoolean()).isTrue();
        assertThat(okResponse(body.get("results").get(1)).get("result").get("is_explain").asBoolean()).isTrue();
    }

    @Test
    void shouldReportDescribeOfInvalidSqlAsError() {
        JsonNode body = pipelineOk(V3, null, describe("SELECT * FROM nosuch_" + uniqueTable("d")), close());

        assertThat(errorOf(body.get("results").get(0)).get("code").asText()).isEqualTo("SQLITE_ERROR");
    }

    @Test
    void shouldDescribeStoredSqlById() {
        JsonNode body = pipelineOk(V3, null, storeSql(4, "SELECT 1 AS x"), describeId(4), close());

        assertThat(okResponse(body.get("results").get(1)).get("result").get("cols")).isEqualTo(cols(col("x", exprDecltype("int4"))));
    }

    @Test
    void shouldExecuteStoredSqlByIdInExecuteAndBatch() {
        String t = uniqueTable("stored");
        query("CREATE TABLE " + t + "(a INTEGER)");

        JsonNode body = pipelineOk(V2, null,
                storeSql(0, "INSERT INTO " + t + " VALUES (?)"),
                storeSql(1, "SELECT count(*) AS n FROM " + t),
                execute(stmtId(0, integer(1))),
                batchRequest(batch(step(stmtId(0, integer(2))), step(stmtId(1)))),
                close());

        JsonNode results = body.get("results");
        assertThat(okResponse(results.get(0))).isEqualTo(parse("{'type':'store_sql'}"));
        assertThat(okResponse(results.get(1))).isEqualTo(parse("{'type':'store_sql'}"));
        assertThat(okResponse(results.get(2)).get("result").get("affected_row_count").asLong()).isEqualTo(1);
        assertThat(okResponse(results.get(3)).get("result").get("step_results").get(1).get("rows"))
                .isEqualTo(parse("[[{'type':'integer','value':'2'}]]"));
    }

    @Test
    void shouldRejectStoringSqlUnderIdAlreadyInUseAndKeepTheFirstText() {
        JsonNode body = pipelineOk(V2, null,
                storeSql(7, "SELECT 'first'"),
                storeSql(7, "SELECT 'second'"),
                execute(stmtId(7)),
                close());

        JsonNode results = body.get("results");
        okResponse(results.get(0));
        assertThat(errorOf(results.get(1)).get("message").asText()).isNotBlank();
        assertThat(okResponse(results.get(2)).get("result").get("rows")).isEqualTo(parse("[[{'type':'text','value':'first'}]]"));
    }

    @Test
    void shouldFailExecutingUnknownSqlId() {
        JsonNode body = pipelineOk(V2, null, execute(stmtId(42)), close());

        assertThat(errorOf(body.get("results").get(0)).get("message").asText()).isNotBlank();
    }

    @Test
    void shouldForgetClosedSqlIdAndAllowReusingIt() {
        JsonNode body = pipelineOk(V2, null,
                storeSql(3, "SELECT 'a'"),
                closeSql(3),
                execute(stmtId(3)),
                storeSql(3, "SELECT 'b'"),
                execute(stmtId(3)),
                close());

        JsonNode results = body.get("results");
        assertThat(okResponse(results.get(1))).isEqualTo(parse("{'type':'close_sql'}"));
        errorOf(results.get(2));
        okResponse(results.get(3));
        assertThat(okResponse(results.get(4)).get("result").get("rows")).isEqualTo(parse("[[{'type':'text','value':'b'}]]"));
    }

    @Test
    void shouldAcceptClosingUnknownSqlId() {
        JsonNode body = pipelineOk(V3, null, closeSql(99), close());

        assertThat(okResponse(body.get("results").get(0))).isEqualTo(parse("{'type':'close_sql'}"));
    }

    @Test
    void shouldKeepStoredSqlPerStream() {
        try (StreamSession a = new StreamSession(V2)) {
            a.send(storeSql(1, "SELECT 'a'"));

            JsonNode other = pipelineOk(V2, null, execute(stmtId(1)), close());

            errorOf(other.get("results").get(0));
            assertThat(okResponse(a.send(execute(stmtId(1))).get(0)).get("result").get("rows"))
                    .isEqualTo(parse("[[{'type':'text','value':'a'}]]"));
        }
    }

    @Test
    void shouldRefuseMoreThanFiftyStoredSqlTextsPerStream() {
        JsonNode[] requests = new JsonNode[52];
        for (int i = 0; i < 51; i++) {
            requests[i] = storeSql(i, "SELECT " + i);
        }
        requests[51] = close();

        JsonNode results = pipelineOk(V2, null, requests).get("results");

        okResponse(results.get(49));
        errorOf(results.get(50));
    }

    @Test
    void shouldReportAutocommitStateOnV3() {
        try (StreamSession s = new StreamSession(V3)) {
            JsonNode results = s.send(getAutocommit(), execute("BEGIN"), getAutocommit(), execute("COMMIT"), getAutocommit());

            assertThat(okResponse(results.get(0))).isEqualTo(parse("{'type':'get_autocommit','is_autocommit':true}"));
            assertThat(okResponse(results.get(2))).isEqualTo(parse("{'type':'get_autocommit','is_autocommit':false}"));
            assertThat(okResponse(results.get(4))).isEqualTo(parse("{'type':'get_autocommit','is_autocommit':true}"));
        }
    }

    @Test
    void shouldReportTransactionOpenedInEarlierRequestThroughGetAutocommit() {
        try (StreamSession s = new StreamSession(V3)) {
            s.send(sequence("BEGIN IMMEDIATE"));

            assertThat(okResponse(s.send(getAutocommit()).get(0)).get("is_autocommit").asBoolean()).isFalse();
            s.send(sequence("ROLLBACK"));
            assertThat(okResponse(s.send(getAutocommit()).get(0)).get("is_autocommit").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldRejectGetAutocommitOnV2WithHttp400() {
        Response r = post(V2, pipeline(null, getAutocommit()));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(json(r).get("message").asText()).isNotBlank();
    }

    @Test
    void shouldRunEveryRequestOfPipelineEvenAfterEarlierOneFailed() {
        JsonNode results = pipelineOk(V2, null,
                execute("SELECT * FROM nosuch_" + uniqueTable("p")),
                execute(stmt("SELECT ?", text("after"))),
                close()).get("results");

        errorOf(results.get(0));
        assertThat(okResponse(results.get(1)).get("result").get("rows")).isEqualTo(parse("[[{'type':'text','value':'after'}]]"));
        okResponse(results.get(2));
    }
}
