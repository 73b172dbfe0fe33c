package io.sluice.gateway.ws;

import static io.sluice.gateway.ws.WsClient.closeStream;
import static io.sluice.gateway.ws.WsClient.execute;
import static io.sluice.gateway.ws.WsClient.openStream;
import static io.sluice.gateway.ws.WsClient.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.pool.Backend;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WebSocket streams on PostgreSQL while every pooled connection is taken: a stream's first statement waits
 * for its connection in the one queue HTTP pipelines wait in, so no more threads wait in the pool than it
 * has connections however many streams wait; a stream that holds its connection (a transaction) goes on at
 * once; a statement that waited out the acquire timeout gets the pool's own error and its stream closes,
 * the WebSocket connection stays usable.
 */
@QuarkusTest
@TestProfile(WebSocketLeasesPostgresTest.SmallPool.class)
@ExtendWith(Postgres.class)
@Timeout(120)
class WebSocketLeasesPostgresTest {
    private static final int POOL = 3;

    /** A pool that a few streams fill, a short acquire timeout, and streams that outlive a slow machine's waits. */
    public static class SmallPool extends PostgresProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("sluice.pool.max-connections", Integer.toString(POOL));
            config.put("sluice.pool.acquire-timeout", "300ms");
            config.put("sluice.gateway.stream-idle-timeout", "120s");
            return config;
        }
    }

    @TestHTTPResource("/")
    URL url;

    @Inject
    Backend backend;

    @Inject
    RuntimeSettingsService settings;

    private final List<WsClient> clients = new ArrayList<>();
    private String table;

    @AfterEach
    void cleanUp() {
        clients.forEach(WsClient::close);
        settings.update("connectionPool", "acquireTimeout", "300", "test", "restore");
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.leases().isEmpty() && backend.awaiting() == 0);
    }

    private WsClient client() {
        WsClient c = WsClient.connect(url.getPort(), "hrana3");
        clients.add(c);
        return c.hello(null);
    }

    /** A fresh table, then every pooled connection held by a stream of the returned client with a transaction open. */
    private WsClient tableAndEveryConnectionInATransaction() {
        table = "ws_lease_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        WsClient holder = client();
        holder.call(1, openStream(100));
        holder.call(2, execute(100, "CREATE TABLE " + table + " (id bigint PRIMARY KEY)"));
        holder.call(3, closeStream(100));
        for (int s = 1; s <= POOL; s++) {
            holder.call(10 + s, openStream(s));
            holder.call(20 + s, execute(s, "BEGIN"));
            holder.call(30 + s, execute(s, "INSERT INTO " + table + " (id) VALUES (" + -s + ")"));
        }
        assertThat(backend.activeConnections()).isEqualTo(POOL);
        return holder;
    }

    /** Sends {@code open_stream + execute(INSERT id) + close_stream} together on stream {@code id}, as the official client does per call. */
    private void insertPerCall(WsClient c, int id) {
        c.request(3 * id, openStream(id)).request(3 * id + 1, execute(id, "INSERT INTO " + table + " (id) VALUES (" + id + ")"))
                .request(3 * id + 2, closeStream(id));
    }

    /** The next {@code n} answers by request id. */
    private static Map<Integer, JsonNode> answers(WsClient c, int n) {
        Map<Integer, JsonNode> answers = new HashMap<>();
        for (int i = 0; i < n; i++) {
            JsonNode a = c.next();
            answers.put(a.path("request_id").asInt(), a);
        }
        return answers;
    }

    /** Threads waiting for a connection inside the pool (Agroal) now, by name. */
    private static List<String> threadsWaitingInThePool() {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().startsWith("io.agroal.") && frame.getMethodName().equals("getConnection")) {
                    names.add(thread.getName());
                    return;
                }
            }
        });
        return names;
    }

    private HttpResponse<String> httpInsert(long id) throws Exception {
        String body = "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"INSERT INTO " + table + " (id) VALUES (" + id
                + ")\"}},{\"type\":\"close\"}]}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString()).resolve("/v3/pipeline"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldQueueStreamsWaitingForAConnectionWithHttpPipelinesParkingNoMoreThreadsInThePoolThanItHasConnections() throws Exception {
        settings.update("connectionPool", "acquireTimeout", "30000", "test", "the streams wait for a connection");
        WsClient holder = tableAndEveryConnectionInATransaction();
        WsClient waiting = client();
        int streams = 8;
        for (int id = 1; id <= streams; id++) {
            insertPerCall(waiting, id);
        }
        CompletableFuture<HttpResponse<String>> http = CompletableFuture.supplyAsync(() -> {
            try {
                return httpInsert(1000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // each stream's open_stream is answered at once; its statement waits for a connection
        Map<Integer, JsonNode> opened = answers(waiting, streams);
        assertThat(opened.values()).allSatisfy(a -> assertThat(a.path("type").asText()).isEqualTo("response_ok"));
        await().atMost(Duration.ofSeconds(30)).until(() -> backend.awaiting() == streams + 1);
        assertThat(backend.status().awaiting()).isEqualTo(streams + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsWaitingInThePool().size() == POOL);
        assertThat(threadsWaitingInThePool()).as("threads waiting in the pool").hasSize(POOL)
                .allSatisfy(name -> assertThat(name).startsWith("sluice-lease-queue-"));

        // the streams holding connections go on at once, past the queue: a stream is never queued behind others for its own connection
        for (int s = 1; s <= POOL; s++) {
            holder.call(40 + s, execute(s, "INSERT INTO " + table + " (id) VALUES (" + (-10 - s) + ")"));
            holder.call(50 + s, execute(s, "COMMIT"));
            holder.call(60 + s, closeStream(s));
        }

        Map<Integer, JsonNode> served = answers(waiting, 2 * streams);
        assertThat(served.values()).allSatisfy(a -> assertThat(a.path("type").asText()).as("%s", a).isEqualTo("response_ok"));
        assertThat(http.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        WsClient reader = client();
        reader.call(1, openStream(1));
        assertThat(rows(reader.call(2, execute(1, "SELECT count(*) FROM " + table + " WHERE id > 0")).path("result")))
                .containsExactly(List.of(Integer.toString(streams + 1)));
        reader.call(3, closeStream(1));
    }

    @Test
    void shouldAnswerAStatementThatWaitedOutTheAcquireTimeoutWithThePoolsErrorCloseItsStreamAndKeepTheConnection() {
        WsClient holder = tableAndEveryConnectionInATransaction();
        long timeoutsBefore = backend.status().timeouts();
        WsClient waiting = client();
        int streams = 6; // more than the pool: some wait out the timeout in the pool, the others in the queue in front of it
        for (int id = 1; id <= streams; id++) {
            waiting.request(4 * id, openStream(id)).request(4 * id + 1, execute(id, "INSERT INTO " + table + " (id) VALUES (" + id + ")"))
                    .request(4 * id + 2, execute(id, "SELECT 1")).request(4 * id + 3, closeStream(id));
        }
        Map<Integer, JsonNode> answers = answers(waiting, 4 * streams);
        for (int id = 1; id <= streams; id++) {
            JsonNode refused = answers.get(4 * id + 1);
            assertThat(refused.path("type").asText()).as("%s", refused).isEqualTo("response_error");
            assertThat(refused.at("/error/code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
            assertThat(refused.at("/error/message").asText()).contains("within 300 ms: every connection is busy");
            // the stream closed with its failure, as over HTTP; closing it again is still answered
            assertThat(answers.get(4 * id + 2).path("type").asText()).isEqualTo("response_error");
            assertThat(answers.get(4 * id + 3).path("type").asText()).isEqualTo("response_ok");
        }
        assertThat(backend.status().timeouts() - timeoutsBefore).isEqualTo(streams);
        assertThat(waiting.isClosed()).isFalse();

        for (int s = 1; s <= POOL; s++) {
            holder.call(40 + s, execute(s, "COMMIT"));
            holder.call(50 + s, closeStream(s));
        }
        waiting.call(100, openStream(100));
        waiting.call(101, execute(100, "INSERT INTO " + table + " (id) VALUES (100)"));
        waiting.call(102, closeStream(100));
    }

    @Test
    void shouldTellARequestOnAStreamItsRefusedLeaseClosedSoWithoutWaitingForAConnection() {
        WsClient holder = tableAndEveryConnectionInATransaction();
        WsClient waiting = client();
        waiting.call(1, openStream(1));
        waiting.request(2, execute(1, "INSERT INTO " + table + " (id) VALUES (1)"));
        assertThat(waiting.next().at("/error/code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
        long timeoutsBefore = backend.status().timeouts();
        for (int s = 2; s <= POOL + 1; s++) {
            waiting.call(10 * s, openStream(s));
        }
        // every runner of the lease queue busy with a stream waiting in the pool for a connection that will not come
        for (int s = 2; s <= POOL + 1; s++) {
            waiting.request(10 * s + 1, execute(s, "INSERT INTO " + table + " (id) VALUES (" + s + ")"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsWaitingInThePool().size() == POOL);

        waiting.request(3, execute(1, "SELECT 1"));

        JsonNode first = waiting.next();
        assertThat(first.path("request_id").asInt()).as("the first answer, %s", first).isEqualTo(3);
        assertThat(first.at("/error/code").asText()).isEqualTo("STREAM_EXPIRED");
        assertThat(first.at("/error/message").asText()).as("not 'expired due to inactivity': it was closed when its lease was refused")
                .startsWith("The stream was closed when a request on it failed");
        Map<Integer, JsonNode> refused = answers(waiting, POOL);
        assertThat(refused.values()).allSatisfy(a -> assertThat(a.at("/error/code").asText()).isEqualTo("BACKEND_UNAVAILABLE"));
        assertThat(backend.status().timeouts() - timeoutsBefore).as("acquire timeouts counted").isEqualTo(POOL);
        for (int s = 1; s <= POOL; s++) {
            holder.call(40 + s, execute(s, "ROLLBACK"));
            holder.call(50 + s, closeStream(s));
        }
    }

    @Test
    void shouldSendAStatementsAnswerWithoutWaitingForTheSlowStatementQueuedAfterItOnTheStream() {
        table = "ws_lease_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        WsClient c = client();
        c.call(1, openStream(1));
        c.call(2, execute(1, "CREATE TABLE " + table + " (id bigint PRIMARY KEY)"));
        // sent together, so they run on one worker one after the other
        c.request(3, execute(1, "INSERT INTO " + table + " (id) VALUES (1)")).request(4, execute(1, "SELECT pg_sleep(1.5)"))
                .request(5, closeStream(1));
        JsonNode inserted = c.next();
        long insertedAt = System.nanoTime();
        JsonNode slept = c.next();
        Duration between = Duration.ofNanos(System.nanoTime() - insertedAt);
        assertThat(inserted.path("request_id").asInt()).isEqualTo(3);
        assertThat(inserted.path("type").asText()).isEqualTo("response_ok");
        assertThat(slept.path("request_id").asInt()).isEqualTo(4);
        assertThat(between).as("the INSERT's answer came before the 1.5 s statement after it ended").isGreaterThan(Duration.ofMillis(1200));
        // the close_stream's answer goes out with the last statement's
        assertThat(c.next().path("request_id").asInt()).isEqualTo(5);
    }
}
