package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaJson.MAPPER;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.cursor;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.RawHttp.readHead;
import static io.sluice.gateway.RawHttp.readResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.gateway.ws.WebSocketRoutes;
import io.sluice.metrics.Meters;
import io.sluice.pool.Backend;
import io.sluice.testing.TestKeys;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever a request holds — its share of the request-body budget (HTTP bodies and WebSocket messages, and the
 * budget of connections that have not said hello yet), a stream, a pooled connection, a running statement, the
 * SQLite write lane — is given back on every way a request can end: the client going away (a FIN or a reset)
 * in its headers, its body, while its statement runs or while its answer is written; every refusal; and over
 * WebSocket a client leaving mid-frame, mid-message, with streams, transactions and cursors open, or after the
 * server closed it (1008, 1009, 1013). Each attack is made on a raw socket, and afterwards the server holds
 * nothing and still serves. JWT mode, a 16 MiB body budget, streams that stay open for two minutes unless
 * closed (so one left open shows), WebSocket messages of at most 1 MiB.
 */
@QuarkusTest
@TestProfile(ReleaseOnEveryPathTest.Release.class)
class ReleaseOnEveryPathTest {
    static final int LIMIT = 10 * 1024 * 1024;
    static final long BODY_BUDGET = 16L * 1024 * 1024;
    /** What large requests may take of the budget: all but an eighth, at most 2 MiB, left to small ones. */
    static final long LARGE_CAP = BODY_BUDGET - 2L * 1024 * 1024;
    static final int MAX_MESSAGE = 1024 * 1024;
    static final int STREAMS_PER_PRINCIPAL = 4;
    static final String SUBJECT = "release";
    /** Runs until it is stopped: counting a recursive sequence ten billion long. */
    static final String ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
            + " SELECT count(*) FROM (SELECT x FROM c LIMIT 10000000000)";
    /** Many rows of some hundred bytes each: far more than socket buffers hold. */
    static final String MANY_ROWS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000)"
            + " SELECT x, hex(randomblob(64)) FROM c";

    static TokenMinter.KeyMaterial keys() {
        return TestKeys.pair(SUBJECT);
    }

    public static class Release implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("sluice.auth.mode", "jwt"), Map.entry("sluice.auth.jwt-public-keys", keys().publicKeyBase64Url()),
                    Map.entry("sluice.gateway.max-buffered-request-bytes", Long.toString(BODY_BUDGET)),
                    Map.entry("sluice.gateway.stream-idle-timeout", "120s"),
                    Map.entry("sluice.gateway.request-body-timeout", "2s"),
                    Map.entry("sluice.gateway.max-streams-per-principal", Integer.toString(STREAMS_PER_PRINCIPAL)),
                    Map.entry("sluice.websocket.max-message-bytes", Integer.toString(MAX_MESSAGE)),
                    Map.entry("sluice.websocket.hello-timeout", "2s"));
        }
    }

    @Inject
    HranaRoutes routes;
    @Inject
    SocketSessions sessions;
    @Inject
    StreamManager streams;
    @Inject
    Backend backend;
    @Inject
    WebSocketRoutes webSockets;
    @Inject
    MeterRegistry registry;

    private static String token(Access access) {
        return token(access, SUBJECT);
    }

    private static String token(Access access, String subject) {
        return TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), Clock.systemUTC()).mint(access, subject, Duration.ofMinutes(10));
    }

    /**
     * Opens requests that announce these body sizes and send none of it, each for a principal of its own (one
     * principal's bodies may hold only half of the budget, or one body alone), and waits until they hold the budget.
     */
    private List<Socket> holders(long... sizes) throws IOException {
        List<Socket> holders = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            Socket s = open();
            s.getOutputStream().write(head(HranaClient.V2, "Bearer " + token(Access.READ_ONLY, "holder-" + i), "Content-Length: " + sizes[i]));
            holders.add(s);
        }
        long total = Arrays.stream(sizes).sum();
        awaitUntil(() -> routes.bufferedRequestBytes() == total);
        return holders;
    }

    // ---- what the server holds -------------------------------------------------------------------------

    /** Everything is given back (within moments of the attack) and a normal request is served. */
    private void assertHoldsNothingAndServes() throws IOException {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            assertThat(routes.bufferedRequestBytes()).as("bytes reserved in the request budget").isZero();
            assertThat(sessions.reservedRequestBytes()).as("bytes reserved, before a hello too").isZero();
            assertThat(streams.openStreams()).as("open streams").isZero();
            assertThat(streams.openStreamsOf("sub:" + SUBJECT)).as("open streams of the principal").isZero();
            assertThat(backend.leases()).as("leased connections").isEmpty();
            assertThat(backend.statements().count()).as("running statements").isZero();
            assertThat(backend.writeLane().isFree()).as("the SQLite write lane is free").isTrue();
            assertThat(webSockets.openConnections()).as("open WebSocket connections").isZero();
        });
        Response r = post(HranaClient.V2, Access.READ_ONLY, pipeline(null, execute(stmt("SELECT 1 + 1")), close()));
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(200);
        assertThat(MAPPER.readTree(r.asByteArray()).at("/results/0/response/result/rows/0/0/value").asText()).isEqualTo("2");
    }

    private static Response post(String path, Access access, JsonNode body) {
        return given().contentType("application/json").header("Authorization", "Bearer " + token(access))
                .body(body.toString().getBytes(StandardCharsets.UTF_8)).post(path);
    }

    private static void awaitUntil(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(condition);
    }

    // ---- raw HTTP ----------------------------------------------------------------------------------------

    private static Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", RestAssured.port);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Leaves: a reset when {@code reset}, else an orderly close (a FIN). */
    private static void leave(Socket s, boolean reset) throws IOException {
        if (reset) {
            s.setSoLinger(true, 0);
        }
        s.close();
    }

    /** The head of a POST; {@code framing} is a {@code Content-Length} or {@code Transfer-Encoding} line, or null. */
    private static byte[] head(String path, String authorization, String framing) {
        return ("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + (framing == null ? "" : framing + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static Socket send(String path, Access access, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        Socket s = open();
        OutputStream out = s.getOutputStream();
        out.write(head(path, "Bearer " + token(access), "Content-Length: " + bytes.length));
        out.write(bytes);
        out.flush();
        return s;
    }

    private static String errorCode(String[] response) throws IOException {
        return MAPPER.readTree(response[1]).path("code").asText();
    }

    // ---- HTTP: the client goes away ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldHoldNothingWhenAClientLeavesInTheMiddleOfItsHeaders(boolean reset) throws Exception {
        try (Socket s = open()) {
            s.getOutputStream().write(("POST /v2/pipeline HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token(Access.READ_WRITE)
                    + "\r\nContent-Length: 1000000\r\nX-Half: ").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            Thread.sleep(200); // the server has read what came
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest(name = "chunked {0}, reset {1}")
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void shouldReleaseTheReservationAndBlameTheClientWhenItLeavesInTheMiddleOfItsBody(boolean chunked, boolean reset) throws Exception {
        double serverWork = count(Meters.WORK, Meters.BLAME, "server");
        double clientClosed = count(Meters.HRANA_REQUESTS, Meters.OUTCOME, "client_closed");
        long declared = 3_000_000;
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head(HranaClient.V2, "Bearer " + token(Access.READ_WRITE),
                    chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + declared));
            byte[] piece = "[{\"baton\":null,".getBytes(StandardCharsets.US_ASCII);
            if (chunked) {
                out.write((Integer.toHexString(4096) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(piece); // a chunk begun, not ended
            out.flush();
            long reserved = chunked ? LIMIT : declared;
            awaitUntil(() -> routes.bufferedRequestBytes() == reserved);
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
        // a client gone is no fault of the server's: no health verdict may count it
        assertThat(count(Meters.HRANA_REQUESTS, Meters.OUTCOME, "client_closed")).isEqualTo(clientClosed + 1);
        assertThat(count(Meters.WORK, Meters.BLAME, "server")).isEqualTo(serverWork);
    }

    /** The sum of the counters named {@code name} with this tag. */
    private double count(String name, String tag, String value) {
        return registry.find(name).tag(tag, value).counters().stream().mapToDouble(Counter::count).sum();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldStopTheStatementAndGiveBackItsStreamAndTransactionWhenTheClientLeavesWhileItRuns(boolean reset) throws Exception {
        try (Socket s = send(HranaClient.V2, Access.READ_WRITE,
                pipeline(null, execute(stmt("BEGIN IMMEDIATE")), execute(stmt(ENDLESS)), close()))) {
            awaitUntil(() -> backend.statements().count() == 1 && !backend.writeLane().isFree());
            assertThat(streams.openStreams()).isEqualTo(1);
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldStopTheStatementOfALargeBodyWhenTheClientLeavesWhileItIsParsed(boolean reset) throws Exception {
        // a body over 64 KiB is parsed on a worker: the client may be gone before its request is admitted
        String padding = "x".repeat(8 * 1024 * 1024);
        try (Socket s = send(HranaClient.V2, Access.READ_WRITE,
                pipeline(null, execute(stmt("SELECT length('" + padding + "')")), execute(stmt(ENDLESS))))) {
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldHoldNothingWhenAClientStopsReadingALargeResponseAndResets() throws Exception {
        try (Socket s = send(HranaClient.V2, Access.READ_ONLY,
                pipeline(null, execute(stmt("SELECT randomblob(3000000), randomblob(3000000), randomblob(1000000)")), close()))) {
            s.setReceiveBufferSize(4096);
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
            s.getInputStream().readNBytes(1024); // then stops reading
            Thread.sleep(300);
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldCloseTheStreamOfACursorWhoseClientStopsReadingAndLeaves(boolean reset) throws Exception {
        try (Socket s = send(HranaClient.CURSOR, Access.READ_WRITE, cursor(null, batch(step(stmt("BEGIN")), step(stmt(MANY_ROWS)))))) {
            InputStream in = s.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 200");
            in.readNBytes(64 * 1024); // then stops reading: the cursor waits for its connection to drain
            awaitUntil(() -> backend.leases().size() == 1 && streams.openStreams() == 1);
            Thread.sleep(300);
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    // ---- HTTP: refusals --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldHoldNothingAfterA401EvenWhenTheClientResetsWhileSendingItsBody(boolean reset) throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head(HranaClient.V2, "Bearer not-a-token", "Content-Length: 5000000"));
            out.write(new byte[8192]);
            out.flush();
            assertThat(readResponse(s)[0]).startsWith("HTTP/1.1 401");
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldKeepTheStreamButHoldNothingElseAfterA403() throws Exception {
        Response opened = post(HranaClient.V2, Access.READ_WRITE, pipeline(null, execute(stmt("SELECT 1"))));
        String baton = MAPPER.readTree(opened.asByteArray()).path("baton").asText();
        try (Socket s = send(HranaClient.V2, Access.READ_ONLY, pipeline(baton, execute(stmt("SELECT 2"))))) {
            String[] response = readResponse(s);
            assertThat(response[0]).startsWith("HTTP/1.1 403");
            assertThat(errorCode(response)).isEqualTo("FORBIDDEN");
            leave(s, true);
        }
        awaitUntil(() -> routes.bufferedRequestBytes() == 0);
        // the stream is its owner's still, idle: the read-write token closes it with the same baton
        assertThat(streams.openStreams()).isEqualTo(1);
        Response closed = post(HranaClient.V2, Access.READ_WRITE, pipeline(baton, close()));
        assertThat(closed.statusCode()).as(closed.asString()).isEqualTo(200);
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldHoldNothingAfterA413ForAChunkedBodyWhenTheClientLeavesAtOnce(boolean reset) throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head(HranaClient.V2, "Bearer " + token(Access.READ_WRITE), "Transfer-Encoding: chunked"));
            byte[] chunk = new byte[1024 * 1024];
            try {
                for (int i = 0; i <= LIMIT / chunk.length; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                assertThat(readResponse(s)[0]).startsWith("HTTP/1.1 413");
            } catch (IOException closedByTheServer) {
                // refused and closed while it was still sending: as good
            }
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldHoldNothingAfterA408WhenTheClientResetsRightAfterIt() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head(HranaClient.V2, "Bearer " + token(Access.READ_WRITE), "Content-Length: 1000000"));
            out.flush();
            s.setSoTimeout(200);
            String[] response = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (response == null && System.nanoTime() < deadline) {
                out.write('['); // a byte every 200 ms: never keeps pace
                out.flush();
                try {
                    response = readResponse(s);
                } catch (SocketTimeoutException notYet) {
                    // no answer yet
                }
            }
            assertThat(response).isNotNull();
            assertThat(response[0]).startsWith("HTTP/1.1 408");
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldHoldNothingAfterA503WhenTheBudgetIsFullAndItsHoldersLeave(boolean reset) throws Exception {
        List<Socket> holders = holders(LIMIT, LARGE_CAP - LIMIT - 1024);
        try {
            for (Socket s : holders) {
                s.getOutputStream().write('[');
            }
            try (Socket refused = open()) {
                refused.getOutputStream().write(head(HranaClient.V2, "Bearer " + token(Access.READ_ONLY), "Content-Length: 100000"));
                String[] response = readResponse(refused);
                assertThat(response[0]).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after");
                assertThat(errorCode(response)).isEqualTo("SERVER_BUSY");
                leave(refused, reset);
            }
        } finally {
            for (Socket s : holders) {
                leave(s, reset);
            }
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldGiveBackEveryStreamSlotAfterThePrincipalsLimitRefusedOne() throws Exception {
        List<String> batons = new ArrayList<>();
        for (int i = 0; i < STREAMS_PER_PRINCIPAL; i++) {
            Response r = post(HranaClient.V2, Access.READ_WRITE, pipeline(null, execute(stmt("SELECT " + i))));
            batons.add(MAPPER.readTree(r.asByteArray()).path("baton").asText());
        }
        try (Socket s = send(HranaClient.V2, Access.READ_WRITE, pipeline(null, execute(stmt("SELECT 99"))))) {
            String[] response = readResponse(s);
            assertThat(response[0]).startsWith("HTTP/1.1 429");
            assertThat(errorCode(response)).isEqualTo("PRINCIPAL_STREAMS_EXHAUSTED");
            leave(s, true);
        }
        assertThat(streams.openStreamsOf("sub:" + SUBJECT)).isEqualTo(STREAMS_PER_PRINCIPAL);
        for (String baton : batons) {
            assertThat(post(HranaClient.V2, Access.READ_WRITE, pipeline(baton, close())).statusCode()).isEqualTo(200);
        }
        assertHoldsNothingAndServes();
    }

    // ---- HTTP/2: the client resets its stream or drops its connection ------------------------------------

    private static final Vertx CLIENTS = Vertx.vertx();

    /** An HTTP/2 (prior knowledge, cleartext) POST whose headers went out. */
    private static HttpClientRequest http2Post(HttpClient http, String path, long contentLength) throws Exception {
        HttpClientRequest request = http.request(HttpMethod.POST, RestAssured.port, "127.0.0.1", path).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        request.putHeader("Authorization", "Bearer " + token(Access.READ_WRITE)).putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Long.toString(contentLength));
        return request;
    }

    private static HttpClient http2() {
        return CLIENTS.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldReleaseTheReservationWhenAnHttp2ClientResetsItsStreamOrLeavesMidBody(boolean dropConnection) throws Exception {
        HttpClient http = http2();
        try {
            HttpClientRequest request = http2Post(http, HranaClient.V2, 3_000_000);
            request.write(Buffer.buffer("[{\"baton\":null,"));
            awaitUntil(() -> routes.bufferedRequestBytes() == 3_000_000);
            if (dropConnection) {
                request.connection().close();
            } else {
                request.reset();
            }
        } finally {
            http.close();
        }
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldStopTheStatementWhenAnHttp2ClientResetsItsStreamOrLeavesWhileItRuns(boolean dropConnection) throws Exception {
        byte[] body = pipeline(null, execute(stmt("BEGIN IMMEDIATE")), execute(stmt(ENDLESS)), close()).toString()
                .getBytes(StandardCharsets.UTF_8);
        HttpClient http = http2();
        try {
            HttpClientRequest request = http2Post(http, HranaClient.V2, body.length);
            request.end(Buffer.buffer(body));
            awaitUntil(() -> backend.statements().count() == 1);
            if (dropConnection) {
                request.connection().close();
            } else {
                request.reset();
            }
        } finally {
            http.close();
        }
        assertHoldsNothingAndServes();
    }

    // ---- raw WebSocket -----------------------------------------------------------------------------------

    private static final int TEXT = 1;
    private static final int CONTINUATION = 0;
    private static final int CLOSE = 8;
    private static final int PING = 9;

    /** A Hrana 3 WebSocket connection, upgraded. */
    private static Socket webSocket() throws IOException {
        Socket s = open();
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: hrana3\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 101");
        return s;
    }

    /** Writes a masked frame's header for {@code length} bytes of payload, then {@code payload} (all or the first part of it). */
    private static void frame(Socket s, int opcode, boolean fin, long length, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            f.write(0x80 | (int) length);
        } else if (length < 65536) {
            f.write(0x80 | 126);
            f.write((int) (length >> 8));
            f.write((int) length);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) (length >> (8 * i)));
            }
        }
        byte[] mask = {1, 2, 3, 4};
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        s.getOutputStream().write(f.toByteArray());
        s.getOutputStream().flush();
    }

    private static void message(Socket s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        frame(s, TEXT, true, bytes.length, bytes);
    }

    /** The server's next frame other than a ping: its opcode, then its payload. */
    private static Object[] nextFrame(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        while (true) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                throw new IOException("connection closed before a frame");
            }
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | in.read();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if ((b0 & 0x0f) != PING) {
                return new Object[] {b0 & 0x0f, payload};
            }
        }
    }

    private static JsonNode nextMessage(Socket s) throws IOException {
        Object[] f = nextFrame(s);
        assertThat((int) f[0]).as("a text message, got %s", new String((byte[]) f[1], StandardCharsets.UTF_8)).isEqualTo(TEXT);
        return MAPPER.readTree((byte[]) f[1]);
    }

    /** The close code of the server's close frame, which must come next. */
    private static int closeCode(Socket s) throws IOException {
        Object[] f = nextFrame(s);
        assertThat((int) f[0]).as("a close frame").isEqualTo(CLOSE);
        byte[] p = (byte[]) f[1];
        return ((p[0] & 0xff) << 8) | (p[1] & 0xff);
    }

    private static void hello(Socket s, String jwt) throws IOException {
        message(s, MAPPER.createObjectNode().put("type", "hello").put("jwt", jwt).toString());
    }

    private static Socket greeted(Access access) throws IOException {
        return greeted(access, SUBJECT);
    }

    private static Socket greeted(Access access, String subject) throws IOException {
        Socket s = webSocket();
        hello(s, token(access, subject));
        assertThat(nextMessage(s).path("type").asText()).isEqualTo("hello_ok");
        return s;
    }

    private static void request(Socket s, int id, ObjectNode request) throws IOException {
        ObjectNode m = MAPPER.createObjectNode().put("type", "request").put("request_id", id);
        m.set("request", request);
        message(s, m.toString());
    }

    private static JsonNode call(Socket s, int id, ObjectNode request) throws IOException {
        request(s, id, request);
        JsonNode answer = nextMessage(s);
        assertThat(answer.path("type").asText()).as("answer %s", answer).isEqualTo("response_ok");
        assertThat(answer.path("request_id").asInt()).isEqualTo(id);
        return answer;
    }

    private static ObjectNode openStream(int id) {
        return MAPPER.createObjectNode().put("type", "open_stream").put("stream_id", id);
    }

    private static ObjectNode onStream(int id, String sql) {
        ObjectNode r = MAPPER.createObjectNode().put("type", "execute").put("stream_id", id);
        r.set("stmt", stmt(sql));
        return r;
    }

    private static ObjectNode openCursor(int streamId, int cursorId, String sql) {
        ObjectNode r = MAPPER.createObjectNode().put("type", "open_cursor").put("stream_id", streamId).put("cursor_id", cursorId);
        r.set("batch", batch(step(stmt(sql))));
        return r;
    }

    // ---- WebSocket: the client goes away ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldGiveBackTheShareBeforeHelloWhenAClientLeavesInTheMiddleOfAFrame(boolean reset) throws Exception {
        try (Socket s = webSocket()) {
            frame(s, TEXT, true, 30 * 1024, ("{\"type\":\"hello\",\"jwt\":\"" + "x".repeat(20 * 1024)).getBytes(StandardCharsets.US_ASCII));
            awaitUntil(() -> sessions.reservedRequestBytes() >= 20 * 1024);
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldGiveBackTheBudgetWhenAClientLeavesInTheMiddleOfAFragmentedMessage(boolean reset) throws Exception {
        try (Socket s = greeted(Access.READ_WRITE)) {
            call(s, 1, openStream(1));
            byte[] piece = "x".repeat(200 * 1024).getBytes(StandardCharsets.US_ASCII);
            frame(s, TEXT, false, piece.length, piece);
            frame(s, CONTINUATION, false, piece.length, piece);
            frame(s, CONTINUATION, false, piece.length, new byte[1000]); // and a frame begun
            awaitUntil(() -> routes.bufferedRequestBytes() >= 2 * piece.length);
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldCloseEveryStreamAndCursorAndStopItsStatementsWhenAClientLeavesAbruptly(boolean reset) throws Exception {
        String table = HranaJson.uniqueTable("release");
        try (Socket s = greeted(Access.READ_WRITE)) {
            // a transaction holding the write lane, a cursor, a statement running with another waiting behind it
            call(s, 1, openStream(1));
            call(s, 2, onStream(1, "BEGIN"));
            call(s, 3, onStream(1, "CREATE TABLE " + table + "(x)"));
            call(s, 4, openStream(2));
            call(s, 5, openCursor(2, 1, "SELECT 1 UNION ALL SELECT 2"));
            call(s, 6, openStream(3));
            request(s, 7, onStream(3, ENDLESS));
            request(s, 8, onStream(3, "SELECT 3"));
            awaitUntil(() -> backend.statements().count() == 1 && routes.bufferedRequestBytes() > 0);
            assertThat(streams.openStreams()).isEqualTo(3);
            assertThat(backend.writeLane().isFree()).isFalse();
            leave(s, reset);
        }
        assertHoldsNothingAndServes();
        // the transaction was rolled back
        Response r = post(HranaClient.V2, Access.READ_ONLY,
                pipeline(null, execute(stmt("SELECT count(*) FROM sqlite_master WHERE name = '" + table + "'")), close()));
        assertThat(MAPPER.readTree(r.asByteArray()).at("/results/0/response/result/rows/0/0/value").asText()).isEqualTo("0");
    }

    @Test
    void shouldStopTheStatementOfAStreamWhoseCloseWaitsBehindItWhenTheClientResets() throws Exception {
        try (Socket s = greeted(Access.READ_WRITE)) {
            call(s, 1, openStream(1));
            request(s, 2, onStream(1, ENDLESS));
            // the close waits for the statement; the stream is no longer the connection's, yet still runs
            request(s, 3, MAPPER.createObjectNode().put("type", "close_stream").put("stream_id", 1));
            awaitUntil(() -> backend.statements().count() == 1);
            Thread.sleep(100); // the close_stream has arrived
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldHoldNothingWhenAClientThatStopsReadingItsAnswersResets() throws Exception {
        try (Socket s = greeted(Access.READ_ONLY)) {
            s.setReceiveBufferSize(4096);
            call(s, 1, openStream(1));
            // answers of some 300 KB each, never read: the server stops reading once its write queue is full
            for (int id = 2; id < 40; id++) {
                request(s, id, onStream(1, "SELECT hex(randomblob(150000))"));
            }
            Thread.sleep(500);
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldCloseStreamsAndGiveBackTheBudgetWhenARepeatedHelloFails() throws Exception {
        try (Socket s = greeted(Access.READ_WRITE)) {
            call(s, 1, openStream(1));
            call(s, 2, onStream(1, "BEGIN IMMEDIATE"));
            call(s, 3, openStream(2));
            request(s, 4, onStream(2, ENDLESS));
            request(s, 5, onStream(2, "SELECT 5")); // waits behind the endless one, holding its bytes
            awaitUntil(() -> backend.statements().count() == 1);
            // a Hrana 2+ client may say hello again; this one's token is bad
            assertHelloRefused(s);
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }

    /** Says hello with a bad token: the answer is {@code hello_error}, then close 1008. */
    private static void assertHelloRefused(Socket s) throws IOException {
        hello(s, "not-a-token");
        assertThat(nextMessage(s).path("type").asText()).isEqualTo("hello_error");
        assertThat(closeCode(s)).isEqualTo(1008);
    }

    // ---- WebSocket: after the server closed it ---------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldGiveBackEverythingAfterClose1009WhenTheClientResetsInsteadOfClosing(boolean afterHello) throws Exception {
        try (Socket s = afterHello ? greeted(Access.READ_WRITE) : webSocket()) {
            if (afterHello) {
                call(s, 1, openStream(1));
                call(s, 2, onStream(1, "BEGIN IMMEDIATE"));
            }
            // a message larger than allowed, in fragments; then half a frame more that is never finished
            byte[] piece = new byte[afterHello ? 300 * 1024 : 20 * 1024];
            Arrays.fill(piece, (byte) 'x');
            frame(s, TEXT, false, piece.length, piece);
            for (int i = 0; i < 4; i++) {
                frame(s, CONTINUATION, false, piece.length, piece);
            }
            frame(s, CONTINUATION, false, piece.length, new byte[100]);
            assertThat(closeCode(s)).isEqualTo(1009);
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldGiveBackEverythingAfterClose1013WhenTheClientResetsInsteadOfClosing() throws Exception {
        // HTTP bodies hold the budget but for 128 KiB of what large requests may take
        List<Socket> holders = holders(LIMIT, LARGE_CAP - LIMIT - 128 * 1024);
        try {
            try (Socket s = greeted(Access.READ_WRITE)) {
                call(s, 1, openStream(1));
                call(s, 2, onStream(1, "BEGIN IMMEDIATE"));
                byte[] piece = new byte[100 * 1024];
                Arrays.fill(piece, (byte) 'x');
                try {
                    frame(s, TEXT, false, piece.length, piece);
                    for (int i = 0; i < 5; i++) {
                        frame(s, CONTINUATION, false, piece.length, piece);
                    }
                } catch (IOException closedByTheServer) {
                    // its close may come while it still sends
                }
                assertThat(closeCode(s)).isEqualTo(1013);
                leave(s, true);
            }
        } finally {
            for (Socket h : holders) {
                leave(h, true);
            }
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldClose1013AWebSocketWhoseLargeMessageWouldPassItsPrincipalsShareAndStillServeAnotherPrincipal() throws Exception {
        byte[] piece = new byte[200 * 1024];
        Arrays.fill(piece, (byte) 'x');
        // the principal's HTTP body alone holds more than half of the budget, which one request of any size may
        try (Socket body = open()) {
            body.getOutputStream().write(head(HranaClient.V2, "Bearer " + token(Access.READ_ONLY), "Content-Length: " + LIMIT));
            awaitUntil(() -> routes.bufferedRequestBytes() == LIMIT);
            try (Socket s = greeted(Access.READ_WRITE)) {
                try {
                    frame(s, TEXT, false, piece.length, piece);
                } catch (IOException closedByTheServer) {
                    // its close may come while it still sends
                }
                assertThat(closeCode(s)).isEqualTo(1013);
                leave(s, true);
            }
            // another principal's message of that size is read whole and answered
            try (Socket other = greeted(Access.READ_WRITE, "other")) {
                call(other, 1, openStream(1));
                JsonNode answer = call(other, 2, onStream(1, "SELECT length('" + "x".repeat(piece.length) + "')"));
                assertThat(answer.path("response").path("result").path("rows").path(0).path(0).path("value").asText())
                        .isEqualTo(Integer.toString(piece.length));
                leave(other, false);
            }
            leave(body, true);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldGiveBackEverythingAfterClose1008ForAFailedHelloWhenTheClientResets() throws Exception {
        try (Socket s = webSocket()) {
            assertHelloRefused(s);
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }

    @Test
    void shouldGiveBackTheShareBeforeHelloAfterTheHelloTimeoutWhenTheClientResets() throws Exception {
        try (Socket s = webSocket()) {
            frame(s, TEXT, true, 30 * 1024, ("{\"type\":\"hello\",\"jwt\":\"" + "x".repeat(10 * 1024)).getBytes(StandardCharsets.US_ASCII));
            awaitUntil(() -> sessions.reservedRequestBytes() >= 10 * 1024);
            assertThat(closeCode(s)).isEqualTo(1008);
            leave(s, true);
        }
        assertHoldsNothingAndServes();
    }
}
