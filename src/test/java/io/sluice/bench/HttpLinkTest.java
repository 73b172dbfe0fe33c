package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The framing of {@link HttpLink}: what counts as one complete response. */
class HttpLinkTest {
    private static HttpLink.Response parse(String raw) {
        return HttpLink.Response.parse(Buffer.buffer(raw.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void shouldFrameABodyByItsContentLengthInAnyHeaderCase() {
        HttpLink.Response r = parse("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nCONTENT-LENGTH: 5\r\n\r\n{\"a\"}");

        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\"}");
        assertThat(r.close()).isFalse();
    }

    @Test
    void shouldWaitForTheRestOfAnIncompleteHeadOrBody() {
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n")).isNull();
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{\"a")).isNull();
        assertThat(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")).isNull();
    }

    @Test
    void shouldJoinTheChunksOfAChunkedBody() {
        String raw = "HTTP/1.1 413 Payload Too Large\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n";

        HttpLink.Response r = parse(raw);

        assertThat(r.status()).isEqualTo(413);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(r.close()).isTrue();
        assertThat(r.end()).isEqualTo(raw.length());
    }

    @Test
    void shouldLeaveBytesAfterTheResponseForTheNextOne() {
        HttpLink.Response r = parse("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\nHTTP/1.1");

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(r.end()).isEqualTo("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".length());
    }

    @Test
    void shouldRefuseWhatIsNotAnHttpResponse() {
        assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldEncodeARequestWithItsLengthAndHostOnce() {
        Buffer request = HttpLink.request("POST", "example.test", 8080, false, "/v2/pipeline", "Content-Type: application/json\r\n",
                "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(request.toString(StandardCharsets.ISO_8859_1)).isEqualTo("POST /v2/pipeline HTTP/1.1\r\nHost: example.test:8080\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    }
}
