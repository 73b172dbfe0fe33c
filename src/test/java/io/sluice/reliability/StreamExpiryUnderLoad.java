package io.sluice.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.sluice.pool.Backend;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Stream expiry under load, run on each backend by a subclass: clients open interactive transactions
 * (BEGIN + INSERT), then vanish without COMMIT or close, while other clients keep reading and writing.
 * Every abandoned transaction must be rolled back (its rows never appear), its connection must go back to
 * the pool, a late COMMIT on its baton must get {@code STREAM_EXPIRED}, and the working clients must
 * never see a failure. Streams expire after {@link #IDLE_TIMEOUT} here.
 */
abstract class StreamExpiryUnderLoad {
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
    static final Duration LOAD = Duration.ofSeconds(8);
    static final int WORKERS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Overrides shared by both backends' profiles. */
    static Map<String, String> expiryConfig() {
        return Map.of("sluice.auth.mode", "none",
                "sluice.gateway.stream-idle-timeout", IDLE_TIMEOUT.toMillis() + "ms",
                "sluice.pool.max-connections", "16",
                "sluice.pool.acquire-timeout", "10s",
                "sluice.sqlite.busy-timeout-ms", "30000");
    }

    /** Clients that keep abandoning transactions, and the pause (ms, from-to) between two abandonments. */
    abstract int abandoners();

    abstract int[] abandonPauseMillis();

    @Inject
    Backend backend;

    @TestHTTPResource("/")
    URL data;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private record Answer(int status, JsonNode body) {
        boolean allOk() {
            if (status != 200) {
                return false;
            }
            for (JsonNode r : body.get("results")) {
                if (!"ok".equals(r.path("type").asText())) {
                    return false;
                }
                for (JsonNode stepError : r.at("/response/result/step_errors")) {
                    if (!stepError.isNull()) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    private Answer send(String baton, String... requests) throws Exception {
        String body = "{\"baton\":" + (baton == null ? "null" : "\"" + baton + "\"") + ",\"requests\":[" + String.join(",", requests) + "]}";
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(data + "v2/pipeline")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(r.statusCode(), JSON.readTree(r.body()));
    }

    private static String execute(String sql) {
        return "{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}}";
    }

    private static final String CLOSE = "{\"type\":\"close\"}";

    private long count(String sql) throws Exception {
        Answer a = send(null, execute(sql), CLOSE);
        assertThat(a.allOk()).as("%s answered %s", sql, a.body()).isTrue();
        return a.body().at("/results/0/response/result/rows/0/0/value").asLong();
    }

    @Test
    void shouldRollBackAndReleaseAbandonedTransactionsWhileOtherClientsKeepWorking() throws Exception {
        String t = "expiry_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        assertThat(send(null, execute("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY, kind TEXT NOT NULL)"), CLOSE).allOk()).isTrue();
        assertThat(send(null, execute("INSERT INTO " + t + " (id, kind) VALUES (0, 'seed')"), CLOSE).allOk()).isTrue();

        AtomicLong ids = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> abandonedBatons = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicLong workerOps = new AtomicLong();
        AtomicLong workerWrites = new AtomicLong();
        AtomicLong maxWorkerMillis = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(abandoners() + WORKERS);
        int[] pause = abandonPauseMillis();
        for (int i = 0; i < abandoners(); i++) {
            pool.execute(() -> {
                while (running.get()) {
                    try {
                        long id = ids.incrementAndGet();
                        Answer a = send(null, execute("BEGIN"), execute("INSERT INTO " + t + " (id, kind) VALUES (" + id + ", 'abandoned')"));
                        if (a.allOk()) {
                            abandonedBatons.add(a.body().get("baton").asText());
                        } else {
                            failures.add("abandoner: " + a.status() + " " + a.body());
                        }
                        Thread.sleep(ThreadLocalRandom.current().nextInt(pause[0], pause[1]));
                    } catch (Exception e) {
                        failures.add("abandoner: " + e);
                    }
                }
            });
        }
        for (int i = 0; i < WORKERS; i++) {
            pool.execute(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        Answer a;
                        if (ThreadLocalRandom.current().nextBoolean()) {
                            a = send(null, execute("SELECT count(*) FROM " + t + " WHERE kind = 'seed'"), CLOSE);
                        } else {
                            long id = ids.incrementAndGet();
                            a = send(null, execute("BEGIN"), execute("INSERT INTO " + t + " (id, kind) VALUES (" + id + ", 'worker')"),
                                    execute("COMMIT"), CLOSE);
                            if (a.allOk()) {
                                workerWrites.incrementAndGet();
                            }
                        }
                        if (!a.allOk()) {
                            failures.add("worker: " + a.status() + " " + a.body());
                        }
                        workerOps.incrementAndGet();
                    } catch (Exception e) {
                        failures.add("worker: " + e);
                    }
                    maxWorkerMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                }
            });
        }
        Thread.sleep(LOAD.toMillis());
        running.set(false);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(failures).as("failures seen by any client").isEmpty();
        assertThat(abandonedBatons).as("abandoned transactions").hasSizeGreaterThanOrEqualTo(4);
        assertThat(workerOps.get()).as("operations of the working clients").isGreaterThan(20);
        await().atMost(Duration.ofSeconds(15)).until(() -> backend.activeConnections() == 0 && backend.leases().isEmpty());
        assertThat(given().get("/admin/v1/connections").then().statusCode(200).extract().jsonPath().getLong("active")).isZero();

        Answer late = send(abandonedBatons.get(0), execute("COMMIT"), CLOSE);
        assertThat(late.status()).isEqualTo(400);
        assertThat(late.body().path("code").asText()).isEqualTo("STREAM_EXPIRED");
        assertThat(count("SELECT count(*) FROM " + t + " WHERE kind = 'abandoned'")).as("rows of abandoned transactions").isZero();
        assertThat(count("SELECT count(*) FROM " + t + " WHERE kind = 'worker'")).as("rows of committed transactions").isEqualTo(workerWrites.get());
        System.out.printf("stream expiry under load (%s): %d abandoned transactions rolled back, %d operations by working clients "
                + "(%d committed writes), slowest %d ms, no failure%n", backend.backendName(), abandonedBatons.size(), workerOps.get(),
                workerWrites.get(), maxWorkerMillis.get());
        send(null, execute("DROP TABLE " + t), CLOSE);
    }
}
