package io.sluice.reliability;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RunawayStatementsTest} on PostgreSQL: {@code pg_sleep(3600)} stopped by server-side cancels. */
@QuarkusTest
@TestProfile(RunawayStatementsPostgresTest.SmallPostgresPool.class)
@ExtendWith(Postgres.class)
class RunawayStatementsPostgresTest extends RunawayStatementsTest {

    public static class SmallPostgresPool extends PostgresProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return SmallPool.governance(super.getConfigOverrides());
        }
    }
}
