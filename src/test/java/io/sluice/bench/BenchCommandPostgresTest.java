package io.sluice.bench;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link BenchCommandTest} against a server on PostgreSQL: the workloads' SQL and batches work on both backends. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class BenchCommandPostgresTest extends BenchCommandTest {
}
