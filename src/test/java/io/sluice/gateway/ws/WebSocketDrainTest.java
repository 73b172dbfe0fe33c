package io.sluice.gateway.ws;

import static io.sluice.gateway.ws.WsClient.execute;
import static io.sluice.gateway.ws.WsClient.openStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.gateway.StreamManager;
import io.vertx.core.http.UpgradeRejectedException;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The graceful drain with WebSocket connections, run in-process (the SIGTERM sequence: the WebSocket
 * drain's start, the stream drain, the WebSocket drain's end): a settled connection is closed with 1001
 * at once, new connections are refused, a connection in a transaction may still COMMIT and is closed with
 * 1001 once settled, and the drain's end then has nothing left to wait for. Its own profile: the
 * application stays draining afterwards.
 */
@QuarkusTest
@TestProfile(WebSocketDrainTest.Draining.class)
class WebSocketDrainTest {

    public static class Draining implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.shutdown.grace", "30s", "sluice.gateway.stream-idle-timeout", "60s");
        }
    }

    @TestHTTPResource("/")
    URL url;

    @Inject
    WebSocketRoutes routes;

    @Inject
    StreamManager streams;

    @Test
    void shouldCloseSettledConnectionsAtOnceAndTheOthersOnceTheirTransactionEnds() throws Exception {
        String t = "ws_drain_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        WsClient idle = WsClient.connect(url.getPort(), "hrana3").hello(null);
        WsClient busy = WsClient.connect(url.getPort(), "hrana3").hello(null);
        busy.call(1, openStream(1));
        busy.call(2, execute(1, "CREATE TABLE " + t + " (x INTEGER)"));
        busy.call(3, execute(1, "BEGIN"));
        busy.call(4, execute(1, "INSERT INTO " + t + " VALUES (1)"));

        routes.onDrainStart(null);
        assertThat(idle.awaitClose()).isEqualTo((short) 1001);
        UpgradeRejectedException refused = WsClient.refused(url.getPort(), "hrana3");
        assertThat(refused.getStatus()).isEqualTo(503);
        assertThat(refused.getBody().toString()).contains("SHUTTING_DOWN");

        CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> streams.drain(Duration.ofSeconds(30)));
        Thread.sleep(500);
        assertThat(busy.isClosed()).as("a connection in a transaction stays open").isFalse();
        busy.call(5, execute(1, "COMMIT"));
        assertThat(busy.awaitClose()).isEqualTo((short) 1001);
        assertThat(drained.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("streams still open when the grace ran out").isZero();

        long start = System.nanoTime();
        routes.onDrainEnd(null);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> routes.openConnections() == 0);
        idle.close();
        busy.close();
    }
}
