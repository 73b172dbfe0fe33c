package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The statement timeout and cancellation on a real connection of each backend, through the one mechanism
 * ({@link RunningStatements} and {@link SqlSession#execute}): a runaway statement is stopped with its own
 * error, the connection stays usable and an open transaction survives a stopped read.
 */
@Timeout(120)
abstract class StatementStopContract {
    /** Generous for a loaded machine; a runaway statement would run for an hour. */
    static final Duration STOPPED_WITHIN = Duration.ofSeconds(8);

    Connection connection;
    SqlSession session;
    RunningStatements registry;

    abstract Connection connect() throws Exception;

    abstract Dialect dialect();

    /** A read that would run for an hour, with a literal that must never be shown. */
    abstract String runaway();

    abstract String createTable(String name);

    @BeforeEach
    void open() throws Exception {
        connection = connect();
        registry = new RunningStatements(Duration.ofMillis(500), dialect().syntax());
        session = dialect().open(connection, false);
        session.govern(registry, 0xabcL, "alice");
    }

    @AfterEach
    void closeAll() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (session != null) {
            session.rollbackIfOpen();
        }
        if (connection != null) {
            connection.close();
        }
    }

    StatementException run(String sql) {
        return catchThrowableOfType(() -> session.execute(SqlScanner.scanOne(sql, dialect().syntax()), new Object[0], ResultSink.DISCARD),
                StatementException.class);
    }

    long countRows(String sql) throws StatementException {
        long[] n = new long[1];
        session.execute(SqlScanner.scanOne(sql, dialect().syntax()), new Object[0], new ResultSink() {
            @Override
            public void columns(List<Column> columns) {
            }

            @Override
            public void row(Object[] values) {
                n[0] = ((Number) values[0]).longValue();
            }

            @Override
            public void end(long affectedRows, Long lastInsertRowid) {
            }
        });
        return n[0];
    }

    @Test
    void shouldStopARunawayStatementAtTheTimeoutAndKeepTheConnectionUsable() throws Exception {
        long start = System.nanoTime();
        StatementException e = run(runaway());

        assertThat(e).as("the runaway statement must fail").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.STATEMENT_TIMEOUT);
        assertThat(e.getMessage()).contains("500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450), STOPPED_WITHIN);
        assertThat(SqlErrors.classify(e)).isEqualTo(FailureClass.TIMEOUT);
        assertThat(registry.count()).isZero();
        assertThat(registry.stoppedCount(StopReason.TIMEOUT)).isEqualTo(1);
        assertThat(countRows("SELECT 41 + 1")).isEqualTo(42);
        assertThat(session.resetForPool()).as("the connection goes back to the pool").isTrue();
    }

    @Test
    void shouldKeepAnOpenTransactionUsableAfterATimedOutRead() throws Exception {
        String t = "gov_tx_" + Long.toHexString(System.nanoTime());
        assertThat(run(createTable(t))).isNull();
        try {
            assertThat(run("BEGIN")).isNull();
            assertThat(run("INSERT INTO " + t + " (id) VALUES (1)")).isNull();

            assertThat(run(runaway()).code()).isEqualTo(ErrorCode.STATEMENT_TIMEOUT);

            assertThat(session.isAutocommit()).as("the transaction is still open").isFalse();
            assertThat(run("INSERT INTO " + t + " (id) VALUES (2)")).isNull();
            assertThat(run("COMMIT")).isNull();
            assertThat(countRows("SELECT count(*) FROM " + t)).isEqualTo(2);
        } finally {
            run("DROP TABLE " + t);
        }
    }

    @Test
    void shouldListTheRunningStatementRedactedAndStopItOnAnOperatorsCancel() throws Exception {
        registry.timeout(Duration.ofMinutes(10));
        CompletableFuture<StatementException> running = CompletableFuture.supplyAsync(() -> run(runaway()));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.count() == 1);
        RunningStatements.View view = registry.list().get(0);

        assertThat(view.principal()).isEqualTo("alice");
        assertThat(view.stream()).isEqualTo("abc");
        assertThat(view.sql()).doesNotContain("secret");
        assertThat(view.state()).isEqualTo("running");
        assertThat(registry.cancel(view.id(), StopReason.OPERATOR)).isTrue();

        StatementException e = running.get(STOPPED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e.code()).isEqualTo(ErrorCode.STATEMENT_CANCELED);
        assertThat(e.getMessage()).contains("operator");
        assertThat(registry.count()).isZero();
        assertThat(countRows("SELECT 1")).isEqualTo(1);
    }

    @Test
    void shouldStopTheRunningAndEveryLaterStatementOfAnAbandonedSession() throws Exception {
        registry.timeout(Duration.ofMinutes(10));
        CompletableFuture<StatementException> running = CompletableFuture.supplyAsync(() -> run(runaway()));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.count() == 1);

        session.stopAll(StopReason.CLIENT_GONE);

        assertThat(running.get(STOPPED_WITHIN.toMillis(), TimeUnit.MILLISECONDS).code()).isEqualTo(ErrorCode.STATEMENT_CANCELED);
        assertThat(run("SELECT 1").code()).isEqualTo(ErrorCode.STATEMENT_CANCELED);
        assertThat(registry.stoppedCount(StopReason.CLIENT_GONE)).isEqualTo(2);
    }

    @Test
    void shouldStopEveryRunningStatementAtShutdown() throws Exception {
        registry.timeout(Duration.ofMinutes(10));
        CompletableFuture<StatementException> running = CompletableFuture.supplyAsync(() -> run(runaway()));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.count() == 1);

        assertThat(registry.cancelAll(StopReason.SHUTDOWN)).isEqualTo(1);

        assertThat(running.get(STOPPED_WITHIN.toMillis(), TimeUnit.MILLISECONDS).getMessage()).contains("shutting down");
    }
}
