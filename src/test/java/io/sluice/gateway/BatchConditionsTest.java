package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.json;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.and;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.error;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.isAutocommit;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.not;
import static io.sluice.gateway.HranaJson.ok;
import static io.sluice.gateway.HranaJson.or;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Batch step conditions: which steps run, which are skipped, and what a skipped step looks like. */
@QuarkusTest
class BatchConditionsTest {

    private enum Outcome { OK, ERROR, SKIPPED }

    /** Step 0 succeeds, step 1 fails; the rest are the conditions under test, each with a trivial statement. */
    private static JsonNode runAfterOkAndError(String path, ObjectNode... conditions) {
        ObjectNode[] steps = new ObjectNode[conditions.length + 2];
        steps[0] = step(stmt("SELECT 1"));
        steps[1] = step(stmt("SELECT * FROM nosuch_" + uniqueTable("c")));
        for (int i = 0; i < conditions.length; i++) {
            steps[i + 2] = step(conditions[i], stmt("SELECT " + (i + 2)));
        }
        JsonNode body = pipelineOk(path, null, batchRequest(batch(steps)), close());
        return okResponse(body.get("results").get(0)).get("result");
    }

    private static Outcome outcome(JsonNode batchResult, int step) {
        JsonNode result = batchResult.get("step_results").get(step);
        JsonNode err = batchResult.get("step_errors").get(step);
        if (!result.isNull() && err.isNull()) {
            return Outcome.OK;
        }
        if (result.isNull() && !err.isNull()) {
            return Outcome.ERROR;
        }
        assertThat(result.isNull() && err.isNull()).as("step %d: both result and error set in %s", step, batchResult).isTrue();
        return Outcome.SKIPPED;
    }

    private static Outcome[] outcomes(JsonNode batchResult) {
        int n = batchResult.get("step_results").size();
        assertThat(batchResult.get("step_errors")).hasSize(n);
        Outcome[] out = new Outcome[n];
        for (int i = 0; i < n; i++) {
            out[i] = outcome(batchResult, i);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldRunOkConditionOnlyWhenReferencedStepSucceeded(String path) {
        JsonNode result = runAfterOkAndError(path, ok(0), ok(1));

        assertThat(outcomes(result)).containsExactly(Outcome.OK, Outcome.ERROR, Outcome.OK, Outcome.SKIPPED);
    }

    @ParameterizedTest
    @ValueSource(strings = {V2, V3})
    void shouldRunErrorConditionOnlyWhenReferencedStepFailed(String path) {
        JsonNode result = runAfterOkAndError(path, error(1), error(0));

        assertThat(outcomes(result)).containsExactly(Outcome.OK, Outcome.ERROR, Outcome.OK, Outcome.SKIPPED);
    }

    @Test
    void shouldNegateConditionWithNot() {
        JsonNode result = runAfterOkAndError(V2, not(ok(1)), not(ok(0)), not(not(ok(0))));

        assertThat(outcomes(result)).containsExactly(Outcome.OK, Outcome.ERROR, Outcome.OK, Outcome.SKIPPED, Outcome.OK);
    }

    @Test
    void shouldRunAndConditionOnlyWhenAllHold() {
        JsonNode result = runAfterOkAndError(V2, and(ok(0), error(1)), and(ok(0), ok(1)), and());

        assertThat(outcomes(result)).containsExactly(Outcome.OK, Outcome.ERROR, Outcome.OK, Outcome.SKIPPED, Outcome.OK);
    }

    @Test
    void shouldRunOrConditionWhenAnyHolds() {
        JsonNode result = runAfterOkAndError(V2, or(ok(1), ok(0)), or(ok(1), error(0)), or());

        assertThat(outcomes(result)).containsExactly(Outcome.OK, Outcome.ERROR, Outcome.OK, Outcome.SKIPPED, Outcome.SKIPPED);
    }

    @Test
    void shouldTreatSkippedStepAsNeitherOkNorError() {
        JsonNode result = runAfterOkAndError(V2, ok(1), ok(2), error(2), not(ok(2)));

        assertThat(outcomes(result)).containsExactly(
                Outcome.OK, Outcome.ERROR, Outcome.SKIPPED, Outcome.SKIPPED, Outcome.SKIPPED, Outcome.OK);
    }

    @Test
    void shouldRunIsAutocommitStepOnlyOutsideTransactionOnV3() {
        String t = uniqueTable("auto");
        query("CREATE TABLE " + t + "(a INTEGER)");
        JsonNode body = pipelineOk(V3, null, batchRequest(batch(
                step(isAutocommit(), stmt("SELECT 'outside'")),
                step(stmt("BEGIN")),
                step(isAutocommit(), stmt("INSERT INTO " + t + " VALUES (1)")),
                step(not(isAutocommit()), stmt("INSERT INTO " + t + " VALUES (2)")),
                step(stmt("COMMIT")),
                step(isAutocommit(), noRows(stmt("SELECT 1"))))), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(outcomes(result)).containsExactly(
                Outcome.OK, Outcome.OK, Outcome.SKIPPED, Outcome.OK, Outcome.OK, Outcome.OK);
        assertThat(count("SELECT sum(a) FROM " + t)).isEqualTo(2);
    }

    @Test
    void shouldRejectIsAutocommitConditionOnV2WithHttp400() {
        Response r = post(V2, pipeline(null, batchRequest(batch(step(isAutocommit(), stmt("SELECT 1"))))));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(json(r).get("message").asText()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, -1})
    void shouldRejectConditionReferringToCurrentOrLaterStepWithHttp400(int referenced) {
        Response r = post(V3, pipeline(null, batchRequest(batch(
                step(stmt("SELECT 0")),
                step(ok(referenced), stmt("SELECT 1")),
                step(stmt("SELECT 2"))))));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(json(r).get("message").asText()).isNotBlank();
    }

    @Test
    void shouldRejectLaterStepReferenceNestedInsideCompoundCondition() {
        Response r = post(V3, pipeline(null, batchRequest(batch(
                step(stmt("SELECT 0")),
                step(and(ok(0), not(or(error(0), ok(3)))), stmt("SELECT 1"))))));

        assertThat(r.statusCode()).isEqualTo(400);
    }

    @Test
    void shouldKeepStepErrorInsideHttp200Result() {
        JsonNode body = pipelineOk(V2, null, batchRequest(batch(step(stmt("SELEC 1")))), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(result.get("step_results").get(0).isNull()).isTrue();
        assertThat(result.get("step_errors").get(0).get("code").asText()).isEqualTo("SQL_PARSE_ERROR");
        assertThat(result.get("step_errors").get(0).get("message").asText()).isNotBlank();
    }

    @Test
    void shouldRollBackLibsqlClientBatchWhenMiddleStepFails() {
        String t = uniqueTable("lbatch");
        query("CREATE TABLE " + t + "(a INTEGER UNIQUE)");

        JsonNode body = pipelineOk(V2, null, batchRequest(batch(
                step(noRows(stmt("BEGIN IMMEDIATE"))),
                step(ok(0), stmt("INSERT INTO " + t + " VALUES (?)", integer(1))),
                step(ok(1), stmt("INSERT INTO " + t + " VALUES (?)", integer(1))),
                step(ok(2), noRows(stmt("COMMIT"))),
                step(not(ok(3)), noRows(stmt("ROLLBACK"))))), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(outcomes(result)).containsExactly(Outcome.OK, Outcome.OK, Outcome.ERROR, Outcome.SKIPPED, Outcome.OK);
        assertThat(result.get("step_errors").get(2).get("code").asText()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(count("SELECT count(*) FROM " + t)).isZero();
    }

    @Test
    void shouldCommitServerlessBatchAndRunAutocommitProbeAfterIt() {
        String t = uniqueTable("sbatch");
        query("CREATE TABLE " + t + "(a INTEGER)");

        JsonNode body = pipelineOk(V3, null, batchRequest(batch(
                step(noRows(stmt("BEGIN IMMEDIATE"))),
                step(ok(0), stmt("INSERT INTO " + t + " VALUES (10)")),
                step(ok(1), stmt("SELECT count(*) AS n FROM " + t)),
                step(ok(2), noRows(stmt("COMMIT"))),
                step(and(ok(0), not(ok(3))), noRows(stmt("ROLLBACK"))),
                step(isAutocommit(), noRows(stmt("SELECT 1"))))), close());

        JsonNode result = okResponse(body.get("results").get(0)).get("result");
        assertThat(outcomes(result)).containsExactly(
                Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK, Outcome.SKIPPED, Outcome.OK);
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(1);
    }
}
