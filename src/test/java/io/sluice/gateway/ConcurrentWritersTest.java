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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many concurrent writers on embedded SQLite wait for the write lock (busy timeout) instead of failing. */
@QuarkusTest
class ConcurrentWritersTest {
    private static final int THREADS = 16;
    private static final int INSERTS_PER_THREAD = 25;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    private interface Writer {
        void write(int thread) throws Exception;
    }

    private void runConcurrently(Writer writer) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                writer.write(thread);
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** Records every HTTP failure and every error result or batch step error in the response. */
    private void check(String what, Response r) {
        if (r.statusCode() != 200) {
            failures.add(what + ": HTTP " + r.statusCode() + " " + r.asString());
            return;
        }
        for (JsonNode result : json(r).get("results")) {
            if (!"ok".equals(result.get("type").asText())) {
                failures.add(what + ": " + result);
            } else if (result.get("response").has("result") && result.get("response").get("result").has("step_errors")) {
                for (JsonNode e : result.get("response").get("result").get("step_errors")) {
                    if (!e.isNull()) {
                        failures.add(what + ": step error " + e);
                    }
                }
            }
        }
    }

    @Test
    void shouldLetConcurrentAutocommitWritersWaitForLockWithoutErrors() throws Exception {
        String t = uniqueTable("conc");
        query("CREATE TABLE " + t + "(thread INTEGER, n INTEGER, PRIMARY KEY (thread, n))");

        runConcurrently(thread -> {
            for (int n = 0; n < INSERTS_PER_THREAD; n++) {
                Response r = post(V2, pipeline(null, execute(stmt("INSERT INTO " + t + " VALUES (?, ?)", integer(thread), integer(n))), close()));
                check("thread " + thread + " insert " + n, r);
            }
        });

        assertThat(failures).isEmpty();
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo((long) THREADS * INSERTS_PER_THREAD);
    }

    @Test
    void shouldLetConcurrentBeginImmediateBatchesWaitForLockWithoutErrors() throws Exception {
        String t = uniqueTable("concb");
        query("CREATE TABLE " + t + "(thread INTEGER, n INTEGER, PRIMARY KEY (thread, n))");
        int perBatch = 5;

        runConcurrently(thread -> {
            for (int b = 0; b < INSERTS_PER_THREAD / perBatch; b++) {
                List<ObjectNode> steps = new ArrayList<>();
                steps.add(step(noRows(stmt("BEGIN IMMEDIATE"))));
                for (int i = 0; i < perBatch; i++) {
                    steps.add(step(ok(steps.size() - 1), stmt("INSERT INTO " + t + " VALUES (?, ?)", integer(thread), integer(b * perBatch + i))));
                }
                int commit = steps.size();
                steps.add(step(ok(commit - 1), noRows(stmt("COMMIT"))));
                steps.add(step(not(ok(commit)), noRows(stmt("ROLLBACK"))));
                Response r = post(V2, pipeline(null, batchRequest(batch(steps.toArray(ObjectNode[]::new))), close()));
                check("thread " + thread + " batch " + b, r);
            }
        });

        assertThat(failures).isEmpty();
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo((long) THREADS * INSERTS_PER_THREAD);
    }

    @Test
    void shouldLetConcurrentInteractiveTransactionsAcrossRequestsWaitForLock() throws Exception {
        String t = uniqueTable("conci");
        query("CREATE TABLE " + t + "(thread INTEGER, n INTEGER, PRIMARY KEY (thread, n))");

        runConcurrently(thread -> {
            for (int tx = 0; tx < 3; tx++) {
                Response begin = post(V2, pipeline(null, execute("BEGIN IMMEDIATE"),
                        execute(stmt("INSERT INTO " + t + " VALUES (?, ?)", integer(thread), integer(tx * 2)))));
                check("thread " + thread + " begin " + tx, begin);
                if (begin.statusCode() != 200) {
                    continue;
                }
                String baton = json(begin).get("baton").asText();
                Response insert =
                        post(V2, pipeline(baton, execute(stmt("INSERT INTO " + t + " VALUES (?, ?)", integer(thread), integer(tx * 2 + 1)))));
                check("thread " + thread + " insert " + tx, insert);
                String next = insert.statusCode() == 200 ? json(insert).get("baton").asText() : baton;
                check("thread " + thread + " commit " + tx, post(V2, pipeline(next, execute("COMMIT"), close())));
            }
        });

        assertThat(failures).isEmpty();
        assertThat(count("SELECT count(*) FROM " + t)).isEqualTo(THREADS * 6L);
    }
}
