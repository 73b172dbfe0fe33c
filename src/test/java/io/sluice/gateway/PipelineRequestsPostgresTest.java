package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.describe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link PipelineRequestsTest} against PostgreSQL. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class PipelineRequestsPostgresTest extends PipelineRequestsTest implements PostgresExpectations {

    @Test
    @Override
    void shouldDescribeExplainStatementsAsExplain() {
        // EXPLAIN QUERY PLAN is SQLite syntax; PostgreSQL's variants are EXPLAIN and EXPLAIN (options)
        JsonNode body = pipelineOk(V3, null, describe("EXPLAIN SELECT 1"), describe("EXPLAIN (FORMAT JSON) SELECT 1"), close());

        assertThat(okResponse(body.get("results").get(0)).get("result").get("is_explain").asBoolean()).isTrue();
        assertThat(okResponse(body.get("results").get(1)).get("result").get("is_explain").asBoolean()).isTrue();
    }
}
