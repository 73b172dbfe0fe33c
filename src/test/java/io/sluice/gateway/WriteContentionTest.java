package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.json;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.noRows;
import static io.sluice.gateway.HranaJson.not;
import static io.sluice.gateway.HranaJson.ok;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.pool.Backend;
import io.sluice.sql.WriteLane;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 64 concurrent writers on embedded SQLite for a bounded time (15 s here; {@code -Dtest.write-contention.seconds=60}
 * for the full run; {@code bench/write-lane.sh} runs the same against the packaged server with the lane off
 * and on): autocommit INSERTs, write batches and interactive transactions over batons (BEGIN, 2 INSERTs, a read,
 * COMMIT), and one write transaction abandoned early on. SQLite's busy timeout is 100 ms, so any writer that met
 * SQLite's lock held by another would fail with {@code SQLITE_BUSY} at once: none does, because the write lane
 * admits them one at a time in arrival order, and the abandoned transaction gives the lane back when its
 * stream expires.
 */
@QuarkusTest
@TestProfile(WriteContentionTest.ManyWriters.class)
class WriteContentionTest {
    private static final int WRITERS = 64;
    private static final long SECONDS = Long.getLong("test.write-contention.seconds", 15);

    public static class ManyWriters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "sluice.pool.max-connections", "72",
                    "sluice.pool.acquire-timeout", "60s",
                    "sluice.sqlite.busy-timeout-ms", "100",
                    "sluice.sqlite.write-wait", "60s",
                    "sluice.gateway.statement-timeout", "90s",
                    "sluice.gateway.stream-idle-timeout", "5s",
                    // -Dtest.write-contention.lane=false shows what the lane prevents: the same run then fails with SQLITE_BUSY
                    "sluice.sqlite.write-lane", System.getProperty("test.write-contention.lane", "true"));
        }
    }

    @Inject
    Backend backend;

    private final ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong busy = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Records HTTP failures and every error result or batch step error; true when the response is clean. */
    private boolean check(String what, Response r) {
        if (r.statusCode() != 200) {
            failures.add(what + ": HTTP " + r.statusCode() + " " + r.asString());
            return false;
        }
        boolean clean = true;
        for (JsonNode result : json(r).get("results")) {
            List<JsonNode> errors = new ArrayList<>();
            if (!"ok".equals(result.get("type").asText())) {
                errors.add(result.get("error"));
            } else if (result.get("response").path("result").has("step_errors")) {
                result.get("response").get("result").get("step_errors").forEach(e -> {
                    if (!e.isNull()) {
                        errors.add(e);
                    }
                });
            }
            for (JsonNode e : errors) {
                clean = false;
                if (e.path("code").asText().startsWith("SQLITE_BUSY")) {
                    busy.incrementAndGet();
                }
                failures.add(what + ": " + e);
            }
        }
        return clean;
    }

    private void autocommit(String t, int writer, long n) {
        check("autocommit " + writer, post(V2, pipeline(null,
                execute(stmt("INSERT INTO " + t + " (writer, n, kind) VALUES (?, ?, 'autocommit')", integer(writer), integer(n))), close())));
    }

    private void writeBatch(String t, int writer, long n) {
        check("batch " + writer, post(V2, pipeline(null, batchRequest(batch(
                step(noRows(stmt("BEGIN IMMEDIATE"))),
                step(ok(0), stmt("INSERT INTO " + t + " (writer, n, kind) VALUES (?, ?, 'batch')", integer(writer), integer(n))),
                step(ok(1), stmt("INSERT INTO " + t + " (writer, n, kind) VALUES (?, ?, 'batch')", integer(writer), integer(n + 1))),
                step(ok(2), noRows(stmt("COMMIT"))),
                step(not(ok(3)), noRows(stmt("ROLLBACK"))))), close())));
    }

    /** BEGIN + INSERT, INSERT + read, COMMIT: the soak's interactive transaction, three requests over batons. */
    private void interactive(String t, int writer, long n) {
        Response r = post(V2, pipeline(null, execute("BEGIN"),
                execute(stmt("INSERT INTO " + t + " (writer, n, kind) VALUES (?, ?, 'interactive')", integer(writer), integer(n)))));
        if (!check("interactive begin " + writer, r)) {
            return;
        }
        r = post(V2, pipeline(json(r).get("baton").asText(),
                execute(stmt("INSERT INTO " + t + " (writer, n, kind) VALUES (?, ?, 'interactive')", integer(writer), integer(n + 1))),
                execute(stmt("SELECT count(*) FROM " + t + " WHERE writer = ?", integer(writer)))));
        if (!check("interactive insert " + writer, r)) {
            return;
        }
        check("interactive commit " + writer, post(V2, pipeline(json(r).get("baton").asText(), execute("COMMIT"), close())));
    }

    /** Takes the lane and walks away: only the stream's expiry can give it back. */
    private void abandon(String t, int writer, long n) {
        check("abandoned " + writer, post(V2, pipeline(null, execute("BEGIN IMMEDIATE"),
                execute(stmt("INSERT INTO " + t + " (writer, n, kind) VALUES (?, ?, 'abandoned')", integer(writer), integer(n))))));
    }

    @Test
    void shouldNeverAnswerSqliteBusyToSixtyFourConcurrentWriters() throws Exception {
        String t = uniqueTable("lane");
        query("CREATE TABLE " + t + " (writer INTEGER, n INTEGER, kind TEXT, PRIMARY KEY (writer, n))");
        WriteLane lane = backend.writeLane();
        long admittedBefore = lane == null ? 0 : lane.admittedCount();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            futures.add(pool.submit(() -> {
                start.await();
                long n = 0;
                while (System.nanoTime() < deadline) {
                    switch ((int) ((writer + n) % 3)) {
                        case 0 -> autocommit(t, writer, n);
                        case 1 -> writeBatch(t, writer, n);
                        default -> interactive(t, writer, n);
                    }
                    transactions.incrementAndGet();
                    n += 2;
                    // one writer abandons a write transaction early on, while everyone else queues behind it
                    if (writer == 0 && n == 4) {
                        abandon(t, writer, n);
                        n += 2;
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(SECONDS + 120, TimeUnit.SECONDS);
        }

        System.out.printf("%d writers, %d s: %d transactions, %d SQLITE_BUSY, %d failures, write lane %s%n", WRITERS, SECONDS,
                transactions.get(), busy.get(), failures.size(), lane == null ? "off" : "on");
        assertThat(busy.get()).as("SQLITE_BUSY answers").isZero();
        assertThat(failures).isEmpty();
        assertThat(transactions.get()).isGreaterThan(WRITERS);
        assertThat(lane).as("the write lane is on by default").isNotNull();
        assertThat(lane.admittedCount() - admittedBefore).isGreaterThanOrEqualTo(transactions.get());
        assertThat(count("SELECT count(*) FROM " + t + " WHERE kind = 'abandoned'")).as("abandoned writes rolled back").isZero();
        // every write transaction ended, the abandoned ones by expiry: nobody holds the lane, nobody waits
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(lane.isFree()).isTrue();
            assertThat(lane.waiting()).isZero();
        });
        assertThat(lane.timedOutCount()).isZero();
    }
}
