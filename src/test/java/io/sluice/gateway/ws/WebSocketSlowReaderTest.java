package io.sluice.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client that sends requests and stops reading their answers: the server stops reading its requests once
 * its answers back up, instead of running them all and holding every answer in memory. Driven over a raw
 * socket, so that the client really stops reading (a Vert.x client would keep reading into its own queue).
 */
@QuarkusTest
class WebSocketSlowReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each answer echoes this many bytes: all of them together would be 64 MB. */
    private static final int VALUE_BYTES = 32 * 1024;
    private static final int REQUESTS = 2_000;

    @TestHTTPResource("/")
    URL url;

    @Test
    void shouldStopReadingRequestsOfAClientThatStopsReadingAnswersAndServeThemAllOnceItReadsAgain() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.setSendBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", url.getPort()), 10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            handshake(out, in);
            sendText(out, "{\"type\":\"hello\",\"jwt\":null}");
            sendText(out, "{\"type\":\"request\",\"request_id\":0,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}");
            assertThat(readMessage(in).path("type").asText()).isEqualTo("hello_ok");
            assertThat(readMessage(in).path("type").asText()).isEqualTo("response_ok");

            String value = "x".repeat(VALUE_BYTES);
            AtomicInteger sent = new AtomicInteger();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 1; i <= REQUESTS; i++) {
                        sendText(out, "{\"type\":\"request\",\"request_id\":" + i + ",\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                                + "\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"text\",\"value\":\"" + value + "\"}],\"want_rows\":true}}}");
                        sent.set(i);
                    }
                } catch (IOException e) {
                    // the socket closed under a blocked write: the assertions below tell
                }
            }, "slow-reader-writer");
            writer.setDaemon(true);
            writer.start();

            // the client reads nothing: the writer must come to a stop well short of all its requests
            int stalledAt = awaitStall(sent);
            assertThat(stalledAt).as("requests the server took in while nobody read its answers").isLessThan(REQUESTS / 2);
            assertThat(writer.isAlive()).isTrue();

            // reading again: every answer arrives, in order, and the writer finishes
            for (int i = 1; i <= REQUESTS; i++) {
                JsonNode m = readMessage(in);
                assertThat(m.path("type").asText()).as("answer %d: %s", i, m.path("type")).isEqualTo("response_ok");
                assertThat(m.path("request_id").asInt()).isEqualTo(i);
                assertThat(m.at("/response/result/rows/0/0/value").asText()).hasSize(VALUE_BYTES);
            }
            writer.join(30_000);
            assertThat(sent.get()).isEqualTo(REQUESTS);
        }
    }

    /** The number of requests sent once it stops growing for two seconds (at most 30 s). */
    private static int awaitStall(AtomicInteger sent) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        int last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int now = sent.get();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 2_000_000_000L) {
                return now;
            }
            Thread.sleep(100);
        }
        return sent.get();
    }

    private void handshake(OutputStream out, InputStream in) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + url.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: hrana2\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the upgrade answer").isNotNegative();
            head.write(b);
        }
        assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    }

    /** One masked text frame, as a client must send it. */
    private static synchronized void sendText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next whole text message (the server's frames are unmasked; fragments are joined). */
    private static JsonNode readMessage(DataInputStream in) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(len)];
            in.readFully(payload);
            int opcode = b0 & 0x0f;
            if (opcode == 0x9 || opcode == 0xA) {
                continue; // ping, pong
            }
            assertThat(opcode).as("a text or continuation frame, not a close (%s)", new String(payload, StandardCharsets.UTF_8))
                    .isIn(0x0, 0x1);
            message.write(payload);
            if ((b0 & 0x80) != 0) {
                return JSON.readTree(message.toByteArray());
            }
        }
    }
}
