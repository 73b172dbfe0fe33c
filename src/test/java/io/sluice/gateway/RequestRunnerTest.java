package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.auth.Principal;
import io.sluice.flags.TestConfig;
import io.sluice.sql.ResponseBudget;
import io.sluice.sql.StatementException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stream requests that need no database — close, stored SQL, batch conditions that skip every step —
 * without a server: a statement that reached the backend here would fail, since there is none.
 */
class RequestRunnerTest {
    private final RequestRunner runner = new RequestRunner(null, TestConfig.with("sluice.gateway.max-stored-sql", "2"), null, null);

    private static Stream held() {
        return new Stream(7, false, null, Principal.anonymous(), "test", new FairShare(new SimpleMeterRegistry()), null);
    }

    private RequestRunner.Response run(Stream s, Hrana.StreamRequest r) throws Exception {
        return runner.run(s, r, (ResponseBudget) null);
    }

    @Test
    void shouldCloseTheStreamAndRefuseEveryLaterRequestInThePipeline() throws Exception {
        Stream s = held();

        assertThat(run(s, new Hrana.CloseReq())).isInstanceOf(RequestRunner.Empty.class);

        assertThat(s.isClosed()).isTrue();
        assertThatThrownBy(() -> run(s, new Hrana.StoreSqlReq(1, "SELECT 1"))).isInstanceOf(StatementException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void shouldStoreSqlUnderAFreeIdUpToTheLimitAndFreeItOnClose() throws Exception {
        Stream s = held();
        run(s, new Hrana.StoreSqlReq(1, "SELECT 1"));

        assertThatThrownBy(() -> run(s, new Hrana.StoreSqlReq(1, "SELECT 2"))).isInstanceOf(StatementException.class)
                .hasMessageContaining("already in use");
        run(s, new Hrana.StoreSqlReq(2, "SELECT 2"));
        assertThatThrownBy(() -> run(s, new Hrana.StoreSqlReq(3, "SELECT 3"))).isInstanceOf(StatementException.class)
                .hasMessageContaining("limit 2");
        run(s, new Hrana.CloseSqlReq(1));
        run(s, new Hrana.StoreSqlReq(3, "SELECT 3"));

        assertThat(s.storedSql()).containsOnlyKeys(2, 3);
    }

    @Test
    void shouldSkipEveryStepWhoseConditionDoesNotHoldWithoutTouchingTheDatabase() throws Exception {
        Hrana.Stmt stmt = new Hrana.Stmt("SELECT 1", null, List.of(), List.of(), true);
        // step 0 waits on step 1's success, step 1 on step 0's failure: neither ran, so neither holds
        Hrana.Batch batch = new Hrana.Batch(List.of(new Hrana.BatchStep(new Hrana.OkCond(1), stmt),
                new Hrana.BatchStep(new Hrana.ErrorCond(0), stmt),
                new Hrana.BatchStep(new Hrana.NotCond(new Hrana.NotCond(new Hrana.OkCond(0))), stmt)));

        RequestRunner.Batched out = (RequestRunner.Batched) run(held(), new Hrana.BatchReq(batch));

        assertThat(out.results()).containsExactly(null, null, null);
        assertThat(out.errors()).containsExactly(null, null, null);
    }
}
