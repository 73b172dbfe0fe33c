package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The read fast path answers exactly as the stream path would, and gives way whenever it must. */
@QuarkusTest
class InlineReadsTest {

    @Inject
    InlineReads inline;

    private static String table() {
        return "inline_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static JsonNode firstValue(JsonNode body) {
        return okResponse(body.at("/results/0")).at("/result/rows/0/0");
    }

    @Test
    void shouldAnswerAStreamlessReadWithoutLeasingAPooledConnection() {
        long answered = inline.answeredCount();
        JsonNode body = pipelineOk(V2, null, execute("SELECT 40 + 2"), close());

        assertThat(firstValue(body).get("value").asText()).isEqualTo("42");
        assertThat(body.get("baton").isNull()).isTrue();
        assertThat(inline.answeredCount()).isEqualTo(answered + 1);
    }

    @Test
    void shouldHandAReadThatRunsPastItsBudgetToTheWorkerAndStillAnswerIt() {
        long handedOver = inline.handedOverCount();
        JsonNode body = pipelineOk(V2, null, execute(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT count(*) FROM c"),
                close());

        assertThat(firstValue(body).get("value").asText()).isEqualTo("2000000");
        assertThat(inline.handedOverCount()).isEqualTo(handedOver + 1);
    }

    @Test
    void shouldReadCommittedDataWhileAnotherStreamHoldsTheWriteLock() {
        String t = table();
        pipelineOk(V2, null, execute("CREATE TABLE " + t + " (a)"), execute("INSERT INTO " + t + " VALUES (1)"), close());
        JsonNode writer = pipelineOk(V2, null, execute("BEGIN IMMEDIATE"), execute("INSERT INTO " + t + " VALUES (2)"));
        try {
            JsonNode read = pipelineOk(V2, null, execute("SELECT count(*) FROM " + t), close());

            assertThat(firstValue(read).get("value").asText()).as("uncommitted row invisible").isEqualTo("1");
        } finally {
            pipelineOk(V2, writer.get("baton").asText(), execute("ROLLBACK"), close());
        }
    }

    @Test
    void shouldNeverInlineAPipelineThatWrites() {
        String t = table();
        pipelineOk(V2, null, execute("CREATE TABLE " + t + " (a)"), close());
        long answered = inline.answeredCount();
        pipelineOk(V2, null, execute("SELECT 1"), execute("INSERT INTO " + t + " VALUES (7)"), close());
        assertThat(inline.answeredCount()).isEqualTo(answered);

        JsonNode read = pipelineOk(V2, null, execute("SELECT a FROM " + t), close());
        assertThat(firstValue(read).get("value").asText()).isEqualTo("7");
    }

    @Test
    void shouldReportStatementErrorsLikeTheStreamPath() {
        JsonNode body = pipelineOk(V2, null, execute("SELECT * FROM no_such_table_inline"), close());

        assertThat(body.at("/results/0/type").asText()).isEqualTo("error");
        assertThat(body.at("/results/0/error/code").asText()).isEqualTo("SQLITE_ERROR");
        assertThat(body.at("/results/0/error/message").asText()).contains("no such table");
        assertThat(body.at("/results/1/type").asText()).isEqualTo("ok");
    }
}
