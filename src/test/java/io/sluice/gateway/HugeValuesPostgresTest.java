package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.breaker.BreakerState;
import io.sluice.breaker.CircuitBreaker;
import io.sluice.pool.Backend;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On PostgreSQL a huge value or result never reaches the heap: pgjdbc's {@code maxResultBuffer} (the
 * response limit) stops it while it is received, each value is checked against the response budget as it
 * is converted, the client gets {@code RESPONSE_TOO_LARGE}, the connection is discarded, not leaked, and
 * the breaker does not count it as a database failure.
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class HugeValuesPostgresTest {
    @Inject
    Backend backend;
    @Inject
    CircuitBreaker breaker;

    private static String firstErrorCode(String sql) {
        return errorOf(pipelineOk(V2, null, execute(sql), close()).get("results").get(0)).get("code").asText();
    }

    private void assertHealthyAfterwards() {
        JsonNode ok = okResponse(pipelineOk(V2, null, execute("SELECT 40 + 2"), close()).get("results").get(0));
        assertThat(ok.get("result").get("rows").get(0).get(0).get("value").asText()).isEqualTo("42");
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.status().recentFailures()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> backend.activeConnections() == 0);
    }

    @Test
    void shouldRefuseAHugeTextValueBeforeItIsMaterialised() {
        for (int i = 0; i < 3; i++) {
            assertThat(firstErrorCode("SELECT repeat('x', 300000000)")).isEqualTo("RESPONSE_TOO_LARGE");
        }
        assertHealthyAfterwards();
    }

    @Test
    void shouldRefuseManyRowsThatTogetherExceedTheLimit() {
        assertThat(firstErrorCode("SELECT repeat('y', 1000000) FROM generate_series(1, 30)")).isEqualTo("RESPONSE_TOO_LARGE");
        assertHealthyAfterwards();
    }

    @Test
    void shouldRefuseAValueThatFitsTheDriverButNotTheEncodedResponse() {
        // 9 MB of bytea arrives (under maxResultBuffer) but is 12 MB once base64-encoded
        assertThat(firstErrorCode("SELECT decode(repeat('ab', 9000000), 'hex')")).isEqualTo("RESPONSE_TOO_LARGE");
        assertHealthyAfterwards();
    }

    @Test
    void shouldEndTheStreamWhoseResultWasRefusedWithoutBlamingTheDatabase() {
        JsonNode first = pipelineOk(V2, null, execute("BEGIN"), execute("SELECT repeat('z', 200000000)"));
        assertThat(errorOf(first.get("results").get(1)).get("code").asText()).isEqualTo("RESPONSE_TOO_LARGE");
        String baton = first.get("baton").asText(null);

        JsonNode next = pipelineOk(V2, baton, execute("SELECT 1"), close());

        assertThat(errorOf(next.get("results").get(0)).get("code").asText()).isEqualTo("SQLITE_ABORT");
        assertThat(breaker.status().recentFailures()).isZero();
        assertHealthyAfterwards();
    }
}
