package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.gateway.Hrana.AndCond;
import io.sluice.gateway.Hrana.BatchReq;
import io.sluice.gateway.Hrana.ExecuteReq;
import io.sluice.gateway.Hrana.IsAutocommitCond;
import io.sluice.gateway.Hrana.NotCond;
import io.sluice.gateway.Hrana.OkCond;
import io.sluice.gateway.Hrana.Stmt;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.Hrana.Version;
import io.sluice.sql.ArgumentBinder.NamedArg;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Hrana JSON parser on its own, without a server: what a body becomes, and which bodies are refused with
 * {@code HRANA_PROTO_ERROR} naming the offending field. Part of the fast loop ({@code ./mvnw -Pfast test}).
 */
class RequestParserTest {

    private static JsonNode json(String body) {
        return RequestParser.readTree(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(Runnable parse, String messagePart) {
        assertThatThrownBy(parse::run)
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.error()).isEqualTo(HranaError.HRANA_PROTO_ERROR);
                    assertThat(e.status()).isEqualTo(400);
                })
                .hasMessageContaining(messagePart);
    }

    @Test
    void shouldParseAnExecuteWithPositionalAndNamedArgumentsAndTheBaton() {
        JsonNode root = json("""
                {"baton": "b1", "requests": [
                  {"type": "execute", "stmt": {"sql": "SELECT ?, :x", "want_rows": false,
                    "args": [{"type": "integer", "value": "9007199254740993"}, {"type": "text", "value": "hi"}],
                    "named_args": [{"name": ":x", "value": {"type": "null"}}]}},
                  {"type": "close"}]}
                """);

        assertThat(RequestParser.baton(root)).isEqualTo("b1");
        List<StreamRequest> requests = new RequestParser(Version.V3).requests(root);

        assertThat(requests).hasSize(2);
        Stmt stmt = ((ExecuteReq) requests.get(0)).stmt();
        assertThat(stmt.sql()).isEqualTo("SELECT ?, :x");
        assertThat(stmt.sqlId()).isNull();
        assertThat(stmt.args()).containsExactly(9007199254740993L, "hi");
        assertThat(stmt.namedArgs()).containsExactly(new NamedArg(":x", null));
        assertThat(stmt.wantRows()).isFalse();
        assertThat(requests.get(1)).isInstanceOf(Hrana.CloseReq.class);
    }

    @Test
    void shouldReadANullBatonAsANewStream() {
        assertThat(RequestParser.baton(json("{\"baton\": null, \"requests\": []}"))).isNull();
        assertThat(RequestParser.baton(json("{\"requests\": []}"))).isNull();
    }

    @Test
    void shouldParseBatchConditionsReferringToEarlierSteps() {
        JsonNode root = json("""
                {"requests": [{"type": "batch", "batch": {"steps": [
                  {"stmt": {"sql": "BEGIN"}},
                  {"condition": {"type": "ok", "step": 0}, "stmt": {"sql": "INSERT INTO t VALUES (1)"}},
                  {"condition": {"type": "and", "conds": [{"type": "not", "cond": {"type": "error", "step": 1}},
                                                          {"type": "is_autocommit"}]},
                   "stmt": {"sql": "COMMIT"}}]}}]}
                """);

        BatchReq batch = (BatchReq) new RequestParser(Version.V3).requests(root).get(0);

        assertThat(batch.batch().steps()).hasSize(3);
        assertThat(batch.batch().steps().get(0).condition()).isNull();
        assertThat(batch.batch().steps().get(1).condition()).isEqualTo(new OkCond(0));
        AndCond and = (AndCond) batch.batch().steps().get(2).condition();
        assertThat(and.conds().get(0)).isInstanceOf(NotCond.class);
        assertThat(and.conds().get(1)).isInstanceOf(IsAutocommitCond.class);
    }

    @Test
    void shouldRefuseAConditionOnTheSameOrALaterStep() {
        JsonNode root = json("""
                {"requests": [{"type": "batch", "batch": {"steps": [
                  {"condition": {"type": "ok", "step": 0}, "stmt": {"sql": "SELECT 1"}}]}}]}
                """);

        assertRefused(() -> new RequestParser(Version.V3).requests(root), "requests[0].batch.steps[0].condition.step");
    }

    @Test
    void shouldRefuseHrana3OnlyRequestsAndConditionsOnVersion2() {
        JsonNode autocommit = json("{\"requests\": [{\"type\": \"get_autocommit\"}]}");
        JsonNode cond = json("""
                {"requests": [{"type": "batch", "batch": {"steps": [
                  {"stmt": {"sql": "SELECT 1"}},
                  {"condition": {"type": "is_autocommit"}, "stmt": {"sql": "SELECT 2"}}]}}]}
                """);

        assertRefused(() -> new RequestParser(Version.V2).requests(autocommit), "needs Hrana 3");
        assertRefused(() -> new RequestParser(Version.V2).requests(cond), "needs Hrana 3");
        assertThat(new RequestParser(Version.V3).requests(autocommit)).singleElement().isInstanceOf(Hrana.GetAutocommitReq.class);
    }

    @Test
    void shouldRequireExactlyOneOfSqlAndSqlId() {
        JsonNode both = json("{\"requests\": [{\"type\": \"execute\", \"stmt\": {\"sql\": \"SELECT 1\", \"sql_id\": 1}}]}");
        JsonNode neither = json("{\"requests\": [{\"type\": \"sequence\"}]}");
        JsonNode byId = json("{\"requests\": [{\"type\": \"execute\", \"stmt\": {\"sql_id\": 7}}]}");

        assertRefused(() -> new RequestParser(Version.V3).requests(both), "exactly one of 'sql' and 'sql_id'");
        assertRefused(() -> new RequestParser(Version.V3).requests(neither), "exactly one of 'sql' and 'sql_id'");
        assertThat(((ExecuteReq) new RequestParser(Version.V3).requests(byId).get(0)).stmt().sqlId()).isEqualTo(7);
    }

    @Test
    void shouldNameTheFieldOfAMalformedValue() {
        JsonNode badArg = json("""
                {"requests": [{"type": "execute", "stmt": {"sql": "SELECT ?", "args": [{"type": "integer", "value": "x"}]}}]}
                """);
        JsonNode unknownType = json("{\"requests\": [{\"type\": \"explode\"}]}");
        JsonNode notArray = json("{\"requests\": {}}");
        JsonNode hugeSqlId = json("{\"requests\": [{\"type\": \"close_sql\", \"sql_id\": 4294967296}]}");

        assertRefused(() -> new RequestParser(Version.V3).requests(badArg), "requests[0].stmt.args[0]");
        assertRefused(() -> new RequestParser(Version.V3).requests(unknownType), "unknown request type 'explode'");
        assertRefused(() -> new RequestParser(Version.V3).requests(notArray), "'requests' must be an array");
        assertRefused(() -> new RequestParser(Version.V3).requests(hugeSqlId), "requests[0].sql_id must be a 32-bit integer");
    }

    @Test
    void shouldRefuseBodiesThatAreNotAJsonObject() {
        assertRefused(() -> RequestParser.readTree(new byte[0]), "empty");
        assertRefused(() -> RequestParser.readTree("[1, 2]".getBytes(StandardCharsets.UTF_8)), "must be a JSON object");
        assertRefused(() -> RequestParser.readTree("{\"requests\": [".getBytes(StandardCharsets.UTF_8)), "Malformed JSON");
    }

    @Test
    void shouldRefuseConditionsNestedDeeperThanTheLimitWithoutExhaustingTheStack() {
        StringBuilder cond = new StringBuilder("{\"type\": \"ok\", \"step\": 0}");
        for (int i = 0; i <= RequestParser.MAX_NESTING; i++) {
            cond.insert(0, "{\"type\": \"not\", \"cond\": ").append('}');
        }
        JsonNode root = json("{\"requests\": [{\"type\": \"batch\", \"batch\": {\"steps\": [{\"stmt\": {\"sql\": \"SELECT 1\"}},"
                + "{\"condition\": " + cond + ", \"stmt\": {\"sql\": \"SELECT 2\"}}]}}]}");

        assertRefused(() -> new RequestParser(Version.V3).requests(root), "nest too deeply");
    }

    @Test
    void shouldReadAPlainStatementPipelineInOnePassAsTheTreeParserReadsIt() {
        RequestParser parser = new RequestParser(Version.V2);
        for (String body : List.of(
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\",\"args\":[],\"named_args\":[],\"want_rows\":true}},{\"type\":\"close\"}]}",
                "{\"baton\":\"b1\",\"requests\":[{\"stmt\":{\"want_rows\":false,\"sql\":\"SELECT 2\"},\"type\":\"execute\"}]}",
                "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 3\",\"args\":null,\"want_rows\":null}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"null\"}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?, ?, ?\",\"args\":[{\"type\":\"integer\",\"value\":\" -42 \"},"
                        + "{\"value\":\"caf\\u00e9 \\\"q\\\"\",\"type\":\"text\"},{\"type\":\"integer\",\"value\":\"9223372036854775807\"}]}},{\"type\":\"close\"}]}",
                "{\"requests\":[]}")) {
            RequestParser.SimplePipeline simple = RequestParser.simplePipeline(body.getBytes(StandardCharsets.UTF_8));
            JsonNode root = json(body);

            assertThat(simple).as(body).isNotNull();
            assertThat(simple.baton()).as(body).isEqualTo(RequestParser.baton(root));
            assertThat(simple.requests()).as(body).isEqualTo(parser.requests(root));
        }
    }

    @Test
    void shouldLeaveEveryOtherBodyToTheTreeParser() {
        for (String body : List.of(
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\",\"sql\":\"SELECT 2\"}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"float\",\"value\":1.5}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"blob\",\"base64\":\"AA==\"}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"integer\",\"value\":\"4x\"}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"integer\",\"value\":5}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"text\",\"value\":\"a\",\"value\":\"b\"}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"null\",\"value\":\"x\"}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[1]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[],\"args\":[]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT :a\",\"named_args\":[{\"name\":\"a\",\"value\":{\"type\":\"null\"}}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql_id\":1}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\",\"want_rows\":1}}]}",
                "{\"requests\":[{\"type\":\"close\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}",
                "{\"requests\":[{\"type\":\"sequence\",\"sql\":\"SELECT 1\"}]}",
                "{\"requests\":[{\"type\":\"close\",\"stream_id\":1}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"},\"stmt\":{\"sql\":\"SELECT 2\"}}]}",
                "{\"requests\":[{\"type\":\"close\"}],\"extra\":1}",
                "{\"requests\":[{\"type\":\"close\"}]} trailing",
                "{\"baton\":1,\"requests\":[]}",
                "{\"requests\":[{\"type\":\"close\"}]",
                "[]",
                "{}")) {
            assertThat(RequestParser.simplePipeline(body.getBytes(StandardCharsets.UTF_8))).as(body).isNull();
        }
    }
}
