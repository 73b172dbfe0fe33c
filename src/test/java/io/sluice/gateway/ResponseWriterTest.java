package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.RequestRunner.Batched;
import io.sluice.gateway.RequestRunner.Executed;
import io.sluice.gateway.ResponseWriter.Result;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Hrana JSON encoder on its own, without a server: the exact shapes the official clients read. Part of the
 * fast loop ({@code ./mvnw -Pfast test}).
 */
class ResponseWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode parse(byte[] body) throws Exception {
        return JSON.readTree(body);
    }

    private static StmtResult oneRow() {
        return new StmtResult(List.of(new Column("id", "INTEGER"), new Column("body", null)),
                List.<Object[]>of(new Object[] {Long.MAX_VALUE, "hello"}), 1, 42L);
    }

    @Test
    void shouldWriteAnExecuteResultWithIntegersAndRowidsAsStrings() throws Exception {
        byte[] body = ResponseWriter.pipeline("baton-1", List.of(new Result("execute", new Executed(oneRow()), null)));

        JsonNode root = parse(body);
        assertThat(root.get("baton").asText()).isEqualTo("baton-1");
        assertThat(root.get("base_url").isNull()).isTrue();
        JsonNode result = root.get("results").get(0);
        assertThat(result.get("type").asText()).isEqualTo("ok");
        assertThat(result.get("response").get("type").asText()).isEqualTo("execute");
        JsonNode stmt = result.get("response").get("result");
        assertThat(stmt.get("cols").get(0).get("name").asText()).isEqualTo("id");
        assertThat(stmt.get("cols").get(1).get("decltype").isNull()).isTrue();
        // 64-bit integers travel as strings so JavaScript clients do not round them
        assertThat(stmt.get("rows").get(0).get(0).get("type").asText()).isEqualTo("integer");
        assertThat(stmt.get("rows").get(0).get(0).get("value").asText()).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(stmt.get("rows").get(0).get(1).get("value").asText()).isEqualTo("hello");
        assertThat(stmt.get("affected_row_count").asLong()).isEqualTo(1);
        assertThat(stmt.get("last_insert_rowid").isTextual()).isTrue();
        assertThat(stmt.get("last_insert_rowid").asText()).isEqualTo("42");
    }

    @Test
    void shouldWriteAFailedRequestAsAnErrorResultAndANullBatonWhenTheStreamClosed() throws Exception {
        StatementException failure = new StatementException("SQLITE_CONSTRAINT", "UNIQUE constraint failed: t.id");
        byte[] body = ResponseWriter.pipeline(null, List.of(new Result("execute", null, failure),
                new Result("close", new RequestRunner.Empty(), null)));

        JsonNode root = parse(body);
        assertThat(root.get("baton").isNull()).isTrue();
        JsonNode error = root.get("results").get(0);
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(error.get("error").get("message").asText()).isEqualTo("UNIQUE constraint failed: t.id");
        assertThat(root.get("results").get(1).get("response").get("type").asText()).isEqualTo("close");
    }

    @Test
    void shouldWriteABatchWithNullsForSkippedAndFailedSteps() throws Exception {
        Batched batched = new Batched(new StmtResult[] {oneRow(), null, null},
                new StatementException[] {null, new StatementException("SQL_PARSE_ERROR", "near \"SELEC\": syntax error"), null});

        JsonNode result = parse(ResponseWriter.pipeline("b", List.of(new Result("batch", batched, null))))
                .get("results").get(0).get("response").get("result");

        assertThat(result.get("step_results")).hasSize(3);
        assertThat(result.get("step_results").get(0).get("rows")).hasSize(1);
        assertThat(result.get("step_results").get(1).isNull()).isTrue();
        assertThat(result.get("step_results").get(2).isNull()).isTrue();
        assertThat(result.get("step_errors").get(0).isNull()).isTrue();
        assertThat(result.get("step_errors").get(1).get("code").asText()).isEqualTo("SQL_PARSE_ERROR");
        assertThat(result.get("step_errors").get(2).isNull()).isTrue();
    }

    @Test
    void shouldWriteTheSameBytesIntoAPresizedBufferAsIntoAnArray() {
        List<Result> results = List.of(new Result("execute", new Executed(oneRow()), null));

        Buffer buffer = HranaJsonWriter.pipeline("b", results, 10);

        assertThat(buffer.getBytes()).isEqualTo(ResponseWriter.pipeline("b", results));
    }

    @Test
    void shouldWriteAnErrorBodyWithoutACodeWhenThereIsNone() throws Exception {
        assertThat(parse(ResponseWriter.errorBody("no", null)).has("code")).isFalse();
        assertThat(parse(ResponseWriter.errorBody("Stream expired", "STREAM_EXPIRED")).get("code").asText())
                .isEqualTo("STREAM_EXPIRED");
    }
}
