package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write lane on a real SQLite file with several connections: who enters, in which order, for how long,
 * and that every way a transaction or session ends lets the next writer in.
 */
class WriteLaneTest {
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<Connection> connections = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final RunningStatements registry = new RunningStatements(Duration.ofSeconds(60), SqlScanner.Syntax.SQLITE);

    @AfterEach
    void closeAll() throws Exception {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        registry.close();
        for (Connection c : connections) {
            c.close();
        }
    }

    private SqlSession session(SqliteDialect dialect) throws Exception {
        Properties props = new Properties();
        props.setProperty("journal_mode", "WAL");
        // a short busy timeout: a writer that met SQLite's lock held would fail fast, so the lane is what keeps them apart
        props.setProperty("busy_timeout", "50");
        Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + dir.resolve("lane.db"), props);
        connections.add(c);
        dialect.initConnection(c);
        SqlSession s = dialect.open(c, false);
        s.govern(registry, connections.size(), "test");
        return s;
    }

    private static StmtResult run(SqlSession s, String sql) throws StatementException {
        StmtResult.Collector sink = new StmtResult.Collector(true, new ResponseBudget(1 << 20));
        s.execute(SqlScanner.scanOne(sql), new Object[0], sink);
        return sink.result();
    }

    private static long count(SqlSession s, String sql) throws StatementException {
        return (Long) run(s, sql).rows().get(0)[0];
    }

    @Test
    void shouldHoldLaneFromBeginImmediateUntilCommit() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        SqlSession a = session(new SqliteDialect(lane));
        run(a, "CREATE TABLE t (v)");
        assertThat(lane.isFree()).isTrue();

        run(a, "BEGIN IMMEDIATE");
        assertThat(lane.isFree()).isFalse();
        run(a, "INSERT INTO t VALUES (1)");
        run(a, "SELECT count(*) FROM t");
        assertThat(lane.isFree()).isFalse();
        run(a, "COMMIT");
        assertThat(lane.isFree()).isTrue();
    }

    @Test
    void shouldAdmitAutocommitWriteAloneAndNeverReads() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        SqlSession a = session(new SqliteDialect(lane));
        run(a, "CREATE TABLE t (v)");
        long before = lane.admittedCount();

        run(a, "INSERT INTO t VALUES (1)");
        assertThat(lane.admittedCount()).isEqualTo(before + 1);
        assertThat(lane.isFree()).isTrue();

        run(a, "SELECT * FROM t");
        run(a, "PRAGMA table_info(t)");
        run(a, "PRAGMA foreign_keys = on");
        assertThat(lane.admittedCount()).as("reads and connection settings do not enter").isEqualTo(before + 1);
        run(a, "PRAGMA user_version = 7");
        assertThat(lane.admittedCount()).as("a PRAGMA that writes the file enters").isEqualTo(before + 2);
    }

    @Test
    void shouldEnterLaneAtFirstWriteOfDeferredTransactionAndLeaveAtRollback() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        SqlSession a = session(new SqliteDialect(lane));
        run(a, "CREATE TABLE t (v)");

        run(a, "BEGIN");
        run(a, "SELECT count(*) FROM t");
        assertThat(lane.isFree()).as("a deferred transaction that only read").isTrue();
        run(a, "INSERT INTO t VALUES (1)");
        assertThat(lane.isFree()).isFalse();
        run(a, "ROLLBACK");
        assertThat(lane.isFree()).isTrue();
    }

    @Test
    void shouldLeaveLaneWhenSessionEndsWithTransactionOpen() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        SqlSession a = session(new SqliteDialect(lane));
        SqlSession b = session(new SqliteDialect(lane));
        run(a, "CREATE TABLE t (v)");
        run(a, "BEGIN IMMEDIATE");
        run(a, "INSERT INTO t VALUES (1)");

        // what a stream's close, expiry or drain does with its lease
        assertThat(a.resetForPool()).isTrue();

        assertThat(lane.isFree()).isTrue();
        assertThat(count(b, "SELECT count(*) FROM t")).as("the open transaction was rolled back").isZero();
    }

    @Test
    void shouldLeaveLaneWhenFailureEndsTransaction() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        SqlSession a = session(new SqliteDialect(lane));
        run(a, "CREATE TABLE t (v)");
        run(a, "CREATE TRIGGER boom BEFORE INSERT ON t WHEN new.v = 'boom' BEGIN SELECT RAISE(ROLLBACK, 'boom'); END");
        run(a, "BEGIN IMMEDIATE");
        run(a, "INSERT INTO t VALUES (1)");

        assertThatThrownBy(() -> run(a, "INSERT INTO t VALUES ('boom')")).isInstanceOf(StatementException.class).hasMessageContaining("boom");

        assertThat(a.isAutocommit()).isTrue();
        assertThat(lane.isFree()).isTrue();
    }

    @Test
    void shouldAdmitWaitingWritersInArrivalOrder() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        SqliteDialect dialect = new SqliteDialect(lane);
        SqlSession holder = session(dialect);
        run(holder, "CREATE TABLE t (id INTEGER PRIMARY KEY, who)");
        run(holder, "BEGIN IMMEDIATE");

        List<Future<?>> writers = new ArrayList<>();
        for (String who : List.of("first", "second", "third")) {
            SqlSession s = session(dialect);
            int waitingBefore = lane.waiting();
            writers.add(threads.submit(() -> {
                run(s, "BEGIN IMMEDIATE");
                run(s, "INSERT INTO t (who) VALUES ('" + who + "')");
                run(s, "COMMIT");
                return null;
            }));
            await().atMost(Duration.ofSeconds(20)).until(() -> lane.waiting() == waitingBefore + 1);
        }
        run(holder, "COMMIT");
        for (Future<?> f : writers) {
            f.get(30, TimeUnit.SECONDS);
        }

        assertThat(run(holder, "SELECT who FROM t ORDER BY id").rows()).extracting(r -> r[0]).containsExactly("first", "second", "third");
        assertThat(lane.isFree()).isTrue();
    }

    @Test
    void shouldAnswerRetryableBusyOnlyAfterWaitingPastWriteWait() throws Exception {
        WriteLane lane = new WriteLane(Duration.ofMillis(300));
        SqliteDialect dialect = new SqliteDialect(lane);
        SqlSession holder = session(dialect);
        SqlSession waiter = session(dialect);
        run(holder, "CREATE TABLE t (v)");
        run(holder, "BEGIN IMMEDIATE");

        long start = System.nanoTime();
        StatementException e = (StatementException) org.assertj.core.api.Assertions.catchThrowable(() -> run(waiter, "INSERT INTO t VALUES (1)"));
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(e.code()).isEqualTo("SQLITE_BUSY");
        assertThat(e.getMessage()).contains("sluice.sqlite.write-wait").contains("retry");
        assertThat(waitedMs).isGreaterThanOrEqualTo(290);
        assertThat(lane.timedOutCount()).isEqualTo(1);
        run(holder, "COMMIT");
        run(waiter, "INSERT INTO t VALUES (2)"); // the retry gets in
        assertThat(lane.isFree()).isTrue();
    }

    @Test
    void shouldStopWaitingWhenSessionIsStopped() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        SqliteDialect dialect = new SqliteDialect(lane);
        SqlSession holder = session(dialect);
        SqlSession waiter = session(dialect);
        run(holder, "CREATE TABLE t (v)");
        run(holder, "BEGIN IMMEDIATE");

        Future<StatementException> waiting = threads.submit(() -> {
            try {
                run(waiter, "INSERT INTO t VALUES (1)");
                return null;
            } catch (StatementException e) {
                return e;
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> lane.waiting() == 1);
        waiter.stopAll(StopReason.CLIENT_GONE);

        StatementException e = waiting.get(10, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.STATEMENT_CANCELED);
        assertThat(lane.waiting()).isZero();
        assertThat(lane.isFree()).as("still the holder's").isFalse();
        run(holder, "COMMIT");
        assertThat(lane.isFree()).isTrue();
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void shouldRefuseToWaitOnEventLoopThread() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            vertx.runOnContext(v -> {
                try {
                    lane.enter(this);
                    failure.complete(null);
                } catch (Throwable t) {
                    failure.complete(t);
                }
            });
            assertThat(failure.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
            assertThat(lane.isFree()).isTrue();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldLetOnlyHolderLeave() throws Exception {
        WriteLane lane = new WriteLane(LONG_WAIT);
        Object a = new Object();
        Object b = new Object();
        assertThat(lane.enter(a)).isTrue();
        assertThat(lane.leave(b)).isFalse();
        assertThat(lane.isFree()).isFalse();
        assertThat(lane.leave(a)).isTrue();
        assertThat(lane.leave(a)).as("once").isFalse();
        assertThat(lane.enter(b)).isTrue();
        assertThat(lane.leave(b)).isTrue();
    }

    @Test
    void shouldNotUseLaneForReadOnlySessionsOrWithoutLane() throws Exception {
        SqlSession plain = session(new SqliteDialect());
        run(plain, "CREATE TABLE t (v)");
        run(plain, "BEGIN IMMEDIATE");
        run(plain, "INSERT INTO t VALUES (1)");
        run(plain, "COMMIT");
        assertThat(count(plain, "SELECT count(*) FROM t")).isEqualTo(1);
    }
}
