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
import io.sluice.gateway.InlineReads;
import io.sluice.gateway.StreamManager;
import io.sluice.pool.Backend;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket stream that holds no connection answers reads as a stream-less HTTP read is answered, on the
 * I/O thread without leasing a pooled connection, and behaves as before once a statement needs one.
 */
@QuarkusTest
class WebSocketInlineReadsTest {

    @TestHTTPResource("/")
    URL url;

    @Inject
    InlineReads inline;

    @Inject
    Backend backend;

    @Inject
    StreamManager streams;

    private static String table() {
        return "ws_inline_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** The request ids of the next {@code n} answers, in the order they arrive, each checked to be a response_ok. */
    private static List<JsonNode> answers(WsClient c, int n) {
        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonNode a = c.next();
            assertThat(a.path("type").asText()).as("%s", a).isEqualTo("response_ok");
            answers.add(a);
        }
        return answers;
    }

    @Test
    void shouldAnswerAReadOnAStreamWithoutAConnectionWithoutLeasingOne() {
        try (WsClient c = WsClient.connect(url.getPort(), "hrana3")) {
            c.hello(null);
            long leased = backend.activeConnections();
            long answered = inline.answeredCount();
            c.call(1, openStream(1));

            assertThat(rows(c.call(2, execute(1, "SELECT 40 + 2")).path("result"))).containsExactly(List.of("42"));
            assertThat(rows(c.call(3, execute(1, "SELECT 'again'")).path("result"))).containsExactly(List.of("again"));

            // the stream is still open, and holds no pooled connection
            assertThat(backend.activeConnections()).isEqualTo(leased);
            assertThat(inline.answeredCount()).isEqualTo(answered + 2);
            c.call(4, closeStream(1));
        }
    }

    @Test
    void shouldAnswerOpenReadAndCloseSentTogetherWithoutAConnection() {
        try (WsClient c = WsClient.connect(url.getPort(), "hrana3")) {
            c.hello(null);
            int open = streams.openStreamCount();
            long leased = backend.activeConnections();
            long answered = inline.answeredCount();
            // what @libsql/client sends for each client.execute() over ws://, here five times without waiting
            for (int i = 0; i < 5; i++) {
                c.request(3 * i, openStream(1));
                c.request(3 * i + 1, execute(1, "SELECT " + i));
                c.request(3 * i + 2, closeStream(1));
            }
            List<JsonNode> answers = answers(c, 15);

            List<Integer> order = answers.stream().map(a -> a.path("request_id").asInt()).toList();
            assertThat(order).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 15).boxed().toList());
            for (int i = 0; i < 5; i++) {
                // each call's three answers in the order sent (the specification orders a stream's answers)
                assertThat(order.indexOf(3 * i)).isLessThan(order.indexOf(3 * i + 1));
                assertThat(order.indexOf(3 * i + 1)).isLessThan(order.indexOf(3 * i + 2));
                JsonNode read = answers.get(order.indexOf(3 * i + 1));
                assertThat(rows(read.path("response").path("result"))).containsExactly(List.of(Integer.toString(i)));
            }
            assertThat(inline.answeredCount()).isEqualTo(answered + 5);
            assertThat(streams.openStreamCount()).isEqualTo(open);
            assertThat(backend.activeConnections()).isEqualTo(leased);
        }
    }

    @Test
    void shouldRunAStatementThatNeedsAConnectionOnItInOrderAndKeepItForTheStream() {
        String t = table();
        try (WsClient c = WsClient.connect(url.getPort(), "hrana3")) {
            c.hello(null);
            long leased = backend.activeConnections();
            c.call(1, openStream(1));
            c.call(2, execute(1, "CREATE TABLE " + t + " (x INTEGER)"));
            // sent together: the read after the write waits for it, on the stream's own connection
            c.request(3, execute(1, "SELECT 1"));
            c.request(4, execute(1, "BEGIN"));
            c.request(5, execute(1, "INSERT INTO " + t + " VALUES (7)"));
            c.request(6, execute(1, "SELECT count(*) FROM " + t));
            List<JsonNode> answers = answers(c, 4);

            assertThat(answers).extracting(a -> a.path("request_id").asInt()).containsExactly(3, 4, 5, 6);
            // the uncommitted row is visible: the read ran in the stream's transaction, not on the fast path
            assertThat(rows(answers.get(3).path("response").path("result"))).containsExactly(List.of("1"));
            assertThat(backend.activeConnections()).isEqualTo(leased + 1);

            c.call(7, closeStream(1)); // rolls back
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.activeConnections() == leased);
            c.call(8, openStream(2));
            assertThat(rows(c.call(9, execute(2, "SELECT count(*) FROM " + t)).path("result"))).containsExactly(List.of("0"));
        }
    }
}
