package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketJsonCodecTest {
    private final SocketJsonCodec codec = new SocketJsonCodec("hrana3", 3);

    @Test
    void shouldReadTheRequestsSentForEveryStatementInOnePassAsTheTreeReadsThem() {
        for (String message : List.of(
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}}",
                "{\"request\":{\"stream_id\":-3,\"type\":\"close_stream\"},\"request_id\":2147483647,\"type\":\"request\"}",
                "{\"type\":\"request\",\"request_id\":0,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                        + "\"stmt\":{\"sql\":\"SELECT 1\",\"want_rows\":false}}}",
                "{\"type\":\"request\",\"request_id\":5,\"request\":{\"stmt\":{\"sql\":\"SELECT ?, ?, ?\",\"args\":["
                        + "{\"type\":\"integer\",\"value\":\"-42\"},{\"value\":\"caf\\u00e9\",\"type\":\"text\"},{\"type\":\"null\"}],"
                        + "\"named_args\":[]},\"stream_id\":1,\"type\":\"execute\"}}")) {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);

            assertThat(SocketJsonCodec.common(bytes)).as(message).isNotNull().isEqualTo(codec.fromTree(bytes));
            assertThat(codec.decode(bytes)).as(message).isEqualTo(codec.fromTree(bytes));
        }
    }

    @Test
    void shouldLeaveEveryOtherMessageToTheTreeReader() {
        for (String message : List.of(
                "{\"type\":\"hello\",\"jwt\":null}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":7},\"extra\":1}",
                "{\"type\":\"request\",\"request_id\":1,\"request_id\":2,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}}",
                "{\"type\":\"request\",\"request_id\":2147483648,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}}",
                "{\"type\":\"request\",\"request_id\":1.0,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}}",
                "{\"type\":\"request\",\"request_id\":\"1\",\"request\":{\"type\":\"open_stream\",\"stream_id\":7}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\"}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":null}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"close_stream\",\"stream_id\":1,\"stmt\":{\"sql\":\"SELECT 1\"}}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"execute\",\"stream_id\":1}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"execute\",\"stream_id\":1,\"stmt\":{\"sql_id\":4}}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                        + "\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"float\",\"value\":1.5}]}}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"batch\",\"stream_id\":1,\"batch\":{\"steps\":[]}}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"store_sql\",\"sql_id\":1,\"sql\":\"SELECT 1\"}}",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}} trailing",
                "{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}",
                "{\"type\":\"response\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":7}}",
                "[]",
                "")) {
            assertThat(SocketJsonCodec.common(message.getBytes(StandardCharsets.UTF_8))).as(message).isNull();
        }
    }
}
