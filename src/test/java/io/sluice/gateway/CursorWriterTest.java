package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sql.Column;
import io.sluice.sql.ResultSink;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cursor's body reaches the connection in as few writes as its chunking allows: the last chunk rides on the end. */
class CursorWriterTest {

    /** What the writer did to the response: each call with its buffer (null for a bare {@code end()}). */
    private record Call(String method, Buffer buffer) {
    }

    private static HttpServerResponse recording(List<Call> calls) {
        boolean[] ended = {false};
        Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(CursorWriterTest.class.getClassLoader(), new Class<?>[] {HttpServerResponse.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "write", "end" -> {
                            if (method.getName().equals("end")) {
                                ended[0] = true;
                            }
                            calls.add(new Call(method.getName(), args == null || args.length == 0 ? null : (Buffer) args[0]));
                            return Future.succeededFuture();
                        }
                        case "ended" -> {
                            return ended[0];
                        }
                        case "closed", "writeQueueFull" -> {
                            return false;
                        }
                        default -> {
                            return method.getReturnType().isInstance(proxy) ? proxy : null;
                        }
                    }
                });
        return (HttpServerResponse) self[0];
    }

    private static CursorWriter writer(List<Call> calls) {
        return new CursorWriter(recording(calls), 1 << 20, v -> {
        });
    }

    @Test
    void shouldSendSmallCursorInOneWriteThatEndsTheResponse() throws Exception {
        List<Call> calls = new ArrayList<>();
        CursorWriter w = writer(calls);
        w.begin("baton-1");
        ResultSink sink = w.open(0, true);
        sink.columns(List.of(new Column("n", "INTEGER")));
        sink.row(new Object[] {1L});
        sink.end(0, null);
        w.end();

        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).method()).isEqualTo("end");
        String body = calls.get(0).buffer().toString(StandardCharsets.UTF_8);
        assertThat(body).startsWith("{\"baton\":\"baton-1\"").contains("\"type\":\"step_begin\"")
                .endsWith("\"type\":\"step_end\",\"affected_row_count\":0,\"last_insert_rowid\":null}\n");
    }

    @Test
    void shouldSendLastChunkTogetherWithEndOfResponseWhenRowsSpanChunks() throws Exception {
        List<Call> calls = new ArrayList<>();
        CursorWriter w = writer(calls);
        w.begin("baton-2");
        ResultSink sink = w.open(0, true);
        sink.columns(List.of(new Column("v", "TEXT")));
        String value = "x".repeat(1000);
        int rows = 3 * CursorWriter.CHUNK_BYTES / 1000 + 7;
        for (int i = 0; i < rows; i++) {
            sink.row(new Object[] {value});
        }
        sink.end(0, null);
        w.end();

        assertThat(calls.size()).as("several chunks").isGreaterThan(2);
        Call last = calls.get(calls.size() - 1);
        assertThat(last.method()).isEqualTo("end");
        assertThat(last.buffer()).as("the end of the response carries the last chunk").isNotNull();
        assertThat(last.buffer().toString(StandardCharsets.UTF_8))
                .endsWith("\"type\":\"step_end\",\"affected_row_count\":0,\"last_insert_rowid\":null}\n");
        assertThat(calls.subList(0, calls.size() - 1)).allSatisfy(c -> assertThat(c.method()).isEqualTo("write"));
        StringBuilder all = new StringBuilder();
        calls.forEach(c -> all.append(c.buffer().toString(StandardCharsets.UTF_8)));
        assertThat(all.toString().split("\n")).hasSize(rows + 3);
    }
}
