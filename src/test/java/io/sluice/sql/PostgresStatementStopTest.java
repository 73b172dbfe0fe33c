package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.Postgres;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link StatementStopContract} on PostgreSQL: stopped by a server-side cancel the client cannot switch off. */
@ExtendWith(Postgres.class)
class PostgresStatementStopTest extends StatementStopContract {

    @Override
    Connection connect() throws Exception {
        return Postgres.connect();
    }

    @Override
    Dialect dialect() {
        return new PostgresDialect();
    }

    @Override
    String runaway() {
        return "SELECT pg_sleep(3600), 'secret'";
    }

    @Override
    String createTable(String name) {
        return "CREATE TABLE " + name + " (id bigint PRIMARY KEY)";
    }

    @Test
    void shouldNotLetTheClientLiftTheStatementTimeout() throws Exception {
        assertThat(run("SET statement_timeout = 0")).isNull();

        StatementException e = run(runaway());

        assertThat(e.code()).isEqualTo(ErrorCode.STATEMENT_TIMEOUT);
        assertThat(session.resetForPool()).as("the client's setting is reset before the connection is pooled again").isTrue();
    }
}
