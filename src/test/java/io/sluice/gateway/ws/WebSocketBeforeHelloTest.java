package io.sluice.gateway.ws;

import static io.sluice.gateway.ws.WsClient.closeStream;
import static io.sluice.gateway.ws.WsClient.execute;
import static io.sluice.gateway.ws.WsClient.openStream;
import static io.sluice.gateway.ws.WsClient.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.gateway.SocketSessions;
import io.vertx.core.http.WebSocketFrame;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections that have not said hello hold bytes in a budget of their own, and those of one client address
 * at most their share of it: one address opening connection after connection cannot keep clients from
 * elsewhere from saying hello.
 */
@QuarkusTest
@TestProfile(WebSocketBeforeHelloTest.ManyConnections.class)
class WebSocketBeforeHelloTest {
    /** Room for more unauthenticated connections than one address's share holds, kept open however slow the machine. */
    public static class ManyConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.websocket.max-connections", "64", "sluice.websocket.hello-timeout", "60s");
        }
    }

    /** What each unauthenticated connection holds: most of the largest message allowed before a hello. */
    private static final int HELD = 30 * 1024;

    @TestHTTPResource("/")
    URL url;

    @Inject
    WebSocketRoutes routes;

    @Inject
    SocketSessions sessions;

    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void closeAll() {
        clients.forEach(WsClient::close);
        await().atMost(Duration.ofSeconds(30)).until(() -> routes.openConnections() == 0 && sessions.reservedRequestBytes() == 0);
    }

    private WsClient connectFrom(String localAddress) {
        WsClient c = WsClient.connectFrom(localAddress, url.getPort(), "/", Map.of(), "hrana3");
        clients.add(c);
        return c;
    }

    /** Half a hello of {@link #HELD} bytes: the rest never comes. */
    private static WebSocketFrame halfAHello() {
        String start = "{\"type\":\"hello\",\"jwt\":\"";
        return WebSocketFrame.textFrame(start + "x".repeat(HELD - start.length()), false);
    }

    @Test
    void shouldCloseAnAddressesUnauthenticatedConnectionPastItsShareAndStillLetAnotherAddressSayHello() {
        int fit = (int) (SocketSessions.beforeHelloBytesPerAddress() / (HELD + 16));
        for (int i = 0; i < fit; i++) {
            connectFrom("127.0.0.1").sendFrame(halfAHello());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> sessions.reservedRequestBytes() >= (long) fit * HELD);
        assertThat(clients).noneMatch(WsClient::isClosed);

        // one more from the same address does not fit in its share, though the budget of all has room
        WsClient over = connectFrom("127.0.0.1");
        over.sendFrame(halfAHello());
        assertThat(over.awaitClose()).isEqualTo((short) 1013);

        // a client from another address says hello and is served meanwhile
        WsClient other = connectFrom("127.0.0.2").hello(null);
        other.call(1, openStream(1));
        assertThat(rows(other.call(2, execute(1, "SELECT 6 * 7")).path("result"))).containsExactly(List.of("42"));
        other.call(3, closeStream(1));
    }
}
