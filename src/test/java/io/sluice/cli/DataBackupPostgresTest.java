package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Cli;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code maint:backup-data} on PostgreSQL: nothing copied by the server, pg_dump guidance naming the database. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@ExtendWith(Postgres.class)
class DataBackupPostgresTest {

    @TestHTTPResource("/")
    URL server;

    @Test
    void shouldPrintPgDumpGuidanceNamingTheDatabaseWithoutCredentialsAndExitOne() {
        Cli.Run r = Cli.run(server, "maint:backup-data", "nightly.db");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("the backend is PostgreSQL").contains("pg_dump --format=custom --file=sluice-")
                .contains("'postgresql://127.0.0.1:5432/test'").contains("pg_restore").contains("HTTP 409");
        assertThat(r.err()).doesNotContain("password").doesNotContain("currentSchema");
    }
}
