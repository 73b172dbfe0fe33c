package io.sluice.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct (legacy, killswitch) path is capped like the pool, run on each backend by a subclass: with
 * the pool feature off and {@value #CAP} connections allowed, many concurrent streams never open more
 * than {@value #CAP} backend connections, counted by the database side (open SQLite files,
 * {@code pg_stat_activity}); the streams beyond the cap wait the acquire timeout and get 503
 * {@code BACKEND_UNAVAILABLE} with {@code Retry-After}, as from an exhausted pool.
 */
abstract class DirectPathCap {
    static final int CAP = 2;
    static final Duration ACQUIRE_TIMEOUT = Duration.ofMillis(1000);
    private static final int CONCURRENT_STREAMS = 8;

    /**
     * Overrides shared by both backends' profiles. The breaker is off: here every refused stream is an
     * acquire timeout of a saturated cap, which must not open it (issue 14 classifies it as saturation);
     * only the cap is under test.
     */
    static Map<String, String> capConfig() {
        return Map.of("sluice.auth.mode", "none", "sluice.features.connection-pool", "false", "sluice.features.circuit-breaker", "false",
                "sluice.pool.max-connections", Integer.toString(CAP), "sluice.pool.min-connections", "0",
                "sluice.pool.acquire-timeout", ACQUIRE_TIMEOUT.toMillis() + "ms");
    }

    /** Backend connections of this application as the database side sees them. */
    abstract int backendConnections() throws Exception;

    @Inject
    Backend backend;

    private final List<String> held = new ArrayList<>();

    @AfterEach
    void closeStreams() {
        held.forEach(HranaCalls::close);
        held.clear();
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.status().direct() == 0);
    }

    /** A stream that keeps its direct connection: an open transaction. */
    private static Response begin() {
        return HranaCalls.pipeline(null, "BEGIN", "SELECT 1");
    }

    @Test
    void shouldNeverOpenMoreDirectConnectionsThanTheCapWhateverTheNumberOfStreams() throws Exception {
        int baseline = backendConnections();
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger mostSeen = new AtomicInteger();
        AtomicInteger mostDirect = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_STREAMS + 1);
        try {
            CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
                while (sampling.get()) {
                    try {
                        mostSeen.accumulateAndGet(backendConnections() - baseline, Math::max);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    mostDirect.accumulateAndGet((int) backend.status().direct(), Math::max);
                }
            }, pool);
            List<CompletableFuture<Response>> streams = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_STREAMS; i++) {
                streams.add(CompletableFuture.supplyAsync(DirectPathCap::begin, pool));
            }
            List<Response> answers = new ArrayList<>();
            for (CompletableFuture<Response> s : streams) {
                answers.add(s.get(60, TimeUnit.SECONDS));
            }
            int opened = 0;
            for (Response r : answers) {
                if (r.statusCode() == 200) {
                    held.add(JsonPath.from(r.asString()).getString("baton"));
                    opened++;
                } else {
                    assertUnavailable(r);
                }
            }
            int whileHeld = backendConnections() - baseline;
            sampling.set(false);
            sampler.get(30, TimeUnit.SECONDS);

            assertThat(opened).as("streams that got a connection").isEqualTo(CAP);
            assertThat(whileHeld).as("backend connections while the capped streams hold theirs").isEqualTo(CAP);
            assertThat(mostSeen.get()).as("most backend connections seen at once").isLessThanOrEqualTo(CAP);
            assertThat(mostDirect.get()).as("most direct connections counted at once").isLessThanOrEqualTo(CAP);
        } finally {
            sampling.set(false);
            pool.shutdownNow();
        }
    }

    @Test
    void shouldGiveTheNextStreamAConnectionOnceADirectOneCloses() {
        for (int i = 0; i < CAP; i++) {
            Response r = begin();
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            held.add(JsonPath.from(r.asString()).getString("baton"));
        }
        long start = System.nanoTime();
        assertUnavailable(begin());
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("waited about the acquire timeout")
                .isGreaterThanOrEqualTo(ACQUIRE_TIMEOUT.toMillis() - 100);

        HranaCalls.close(held.remove(0));

        Response next = begin();
        assertThat(next.statusCode()).as(next.asString()).isEqualTo(200);
        held.add(JsonPath.from(next.asString()).getString("baton"));
    }

    private static void assertUnavailable(Response r) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(503);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(JsonPath.from(r.asString()).getString("code")).isEqualTo("BACKEND_UNAVAILABLE");
    }
}
