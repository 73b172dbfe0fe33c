package io.sluice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packaged server in {@code prod}, under the container image's JVM flags ({@code -Xmx256m
 * -XX:+ExitOnOutOfMemoryError}), attacked at once by unauthenticated clients sending 10 MiB bodies,
 * authenticated clients sending bodies just under the limit, and read-only clients asking for huge values
 * and the largest responses allowed (in pipelines and in cursors), and WebSocket clients sending 10 MiB messages with and without a
 * {@code hello}, while one well-behaved client keeps reading. The process must stay
 * alive and the good client must be served every time; its worst latency is printed.
 * The attack lasts {@code -Dhostile.seconds} seconds (default 20); the server's GC log is
 * {@code target/hostile-load-gc.log}.
 */
class HostileLoadIT {
    /** A cursor's baton, from its first line. */
    private static final Pattern BATON = Pattern.compile("^\\{\"baton\":\"([^\"]+)\"");
    /** The code of the first error in an answer. */
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\":\"([A-Z_]+)\"");

    private static final int BODY = 10 * 1024 * 1024;
    /** The server's heap: the image's 256 MiB, or less ({@code -Dhostile.heap=160m}) to see the margin. */
    private static final String HEAP = System.getProperty("hostile.heap", "256m");
    private static final String[] HUGE_READS = {
            "SELECT zeroblob(400000000)", "SELECT randomblob(300000000)", "SELECT hex(randomblob(6000000))",
            "SELECT randomblob(4000000), randomblob(4000000), randomblob(4000000)", "SELECT randomblob(7000000)",
            "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r WHERE length(s) < 400000000) SELECT max(s) FROM r",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) SELECT randomblob(1000000) FROM n",
    };

    @Test
    void shouldStayAliveAndServeAGoodClientUnderHostileLoad() throws Exception {
        TokenMinter.KeyMaterial keys = TokenMinter.generateKeyPair();
        TokenMinter minter = TokenMinter.fromPrivateKeyPem(keys.privateKeyPem(), Clock.systemUTC());
        String ro = minter.mint(Access.READ_ONLY, "attacker", Duration.ofHours(1));
        String good = minter.mint(Access.READ_ONLY, "good", Duration.ofHours(1));
        long seconds = Long.getLong("hostile.seconds", 20);
        Files.createDirectories(java.nio.file.Path.of("target", "hostile-it-data"));

        try (SluiceProcess p = SluiceProcess.start("hostile-load",
                Map.of("sluice.auth.jwt-public-keys", keys.publicKeyBase64Url(), "sluice.data-dir", "target/hostile-it-data"),
                List.of("-Xmx" + HEAP, "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc*:file=target/hostile-load-gc.log"),
                Map.of("QUARKUS_PROFILE", "prod"))) {
            URI uri = URI.create(p.url());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(34);
            for (int i = 0; i < 16; i++) {
                String auth = i % 2 == 0 ? null : "Bearer forged." + i;
                pool.submit(() -> untilDeadline(deadline, () -> unauthenticatedBody(uri, auth, outcomes)));
            }
            // HTTP/1.1: every attacker on a connection of its own, all at once (HTTP/2 would queue them on one)
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            String bigBody = "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT length(?)\",\"args\":[{\"type\":\"text\",\"value\":\""
                    + "b".repeat(BODY - 200) + "\"}]}},{\"type\":\"close\"}]}";
            for (int i = 0; i < 4; i++) {
                pool.submit(() -> untilDeadline(deadline, () -> count(outcomes, "big body",
                        post(http, uri, ro, bigBody))));
            }
            for (int i = 0; i < 7; i++) {
                AtomicLong n = new AtomicLong(i);
                // four in pipelines, three in cursors (each row written as it is read), as @libsql/client's batch() sends them
                boolean cursor = i >= 4;
                pool.submit(() -> untilDeadline(deadline, () -> {
                    String sql = HUGE_READS[(int) (n.getAndIncrement() % HUGE_READS.length)];
                    if (cursor) {
                        cursorThenClose(http, uri, ro, sql, outcomes);
                    } else {
                        count(outcomes, "huge value", post(http, uri, ro, pipeline(sql)));
                    }
                }));
            }
            // over WebSocket: 10 MiB messages, without a hello and after one with a read-only token
            String wsUri = "ws://" + uri.getHost() + ":" + uri.getPort();
            String bigExecute = "{\"type\":\"request\",\"request_id\":2,\"request\":{\"type\":\"execute\",\"stream_id\":1,"
                    + "\"stmt\":{\"sql\":\"SELECT length(?)\",\"args\":[{\"type\":\"text\",\"value\":\"" + "w".repeat(BODY - 300) + "\"}]}}}";
            for (int i = 0; i < 6; i++) {
                String hello = i % 2 == 0 ? "{\"type\":\"hello\",\"jwt\":\"" + ro + "\"}" : null;
                pool.submit(() -> untilDeadline(deadline, () -> webSocketMessage(http, wsUri, hello, bigExecute, outcomes)));
            }
            // the good client has a connection of its own, as a real one would
            HttpClient goodHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long served = 0;
            long worstNanos = 0;
            while (System.nanoTime() < deadline) {
                long start = System.nanoTime();
                HttpResponse<String> r;
                try {
                    r = post(goodHttp, uri, good, pipeline("SELECT 'good', " + served));
                } catch (IOException e) {
                    throw new AssertionError("the good client's read failed (server alive: " + p.isAlive() + "); the end of "
                            + SluiceProcess.log("hostile-load") + ":\n" + tail(SluiceProcess.log("hostile-load")), e);
                }
                long took = System.nanoTime() - start;
                assertThat(r.statusCode()).as("good client's answer %s", r.body()).isEqualTo(200);
                assertThat(r.body()).contains("\"good\"").doesNotContain("\"type\":\"error\"");
                worstNanos = Math.max(worstNanos, took);
                served++;
                Thread.sleep(50);
            }
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
            pool.shutdownNow();

            System.out.printf("hostile load for %d s: good client served %d times, worst latency %d ms; attack outcomes %s%n",
                    seconds, served, worstNanos / 1_000_000, outcomes);
            assertThat(p.isAlive()).as("the server survived; see target/hostile-load.log").isTrue();
            assertThat(served).isGreaterThan(seconds);
            assertThat(Files.readString(SluiceProcess.log("hostile-load"))).doesNotContain("OutOfMemoryError");
            assertThat(post(goodHttp, uri, good, pipeline("SELECT 'still here'")).statusCode()).isEqualTo(200);
        }
    }

    private static String tail(java.nio.file.Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private interface Attack {
        void run() throws Exception;
    }

    private static void untilDeadline(long deadline, Attack attack) {
        while (System.nanoTime() < deadline) {
            try {
                attack.run();
            } catch (Exception e) {
                // the server closing an attacker's connection is expected
            }
        }
    }

    private static String pipeline(String sql) {
        return "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql.replace("\"", "\\\"") + "\"}},{\"type\":\"close\"}]}";
    }

    /** A one-step cursor on {@code /v3/cursor}, read whole, then its stream closed with the baton of its first line. */
    private static void cursorThenClose(HttpClient http, URI base, String token, String sql, Map<String, LongAdder> outcomes)
            throws IOException, InterruptedException {
        String body = "{\"baton\":null,\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"" + sql.replace("\"", "\\\"") + "\"}}]}}";
        HttpResponse<String> r = post(http, base, "/v3/cursor", token, body);
        count(outcomes, "huge value in a cursor", r);
        String baton = r.statusCode() == 200 ? first(BATON, r.body()) : null;
        if (baton != null) {
            post(http, base, "/v3/pipeline", token, "{\"baton\":\"" + baton + "\",\"requests\":[{\"type\":\"close\"}]}");
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI base, String token, String body) throws IOException, InterruptedException {
        return post(http, base, "/v2/pipeline", token, body);
    }

    private static HttpResponse<String> post(HttpClient http, URI base, String path, String token, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void count(Map<String, LongAdder> outcomes, String kind, HttpResponse<String> r) {
        String code = r.statusCode() == 200 ? first(ERROR_CODE, r.body()) : null;
        outcomes.computeIfAbsent(kind + " " + (code != null ? code : Integer.toString(r.statusCode())), k -> new LongAdder()).increment();
    }

    /** The first group of the pattern's first match in {@code body}, or null. */
    private static String first(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Opens a WebSocket, says {@code hello} when given one (else sends the big message as its first), then
     * sends the big message and waits for an answer or the close.
     */
    private static void webSocketMessage(HttpClient http, String uri, String hello, String big, Map<String, LongAdder> outcomes)
            throws Exception {
        java.util.concurrent.CompletableFuture<String> outcome = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = http.newWebSocketBuilder().subprotocols("hrana3").buildAsync(URI.create(uri),
                new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        String text = data.toString();
                        if (text.contains("\"request_id\":2")) {
                            outcome.complete(text.contains("response_ok") ? "answered" : "error");
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w, int code, String reason) {
                        outcome.complete("closed " + code);
                        return null;
                    }

                    @Override
                    public void onError(java.net.http.WebSocket w, Throwable error) {
                        outcome.complete("dropped");
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            if (hello != null) {
                ws.sendText(hello, true).get(10, TimeUnit.SECONDS);
                ws.sendText("{\"type\":\"request\",\"request_id\":1,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}", true)
                        .get(10, TimeUnit.SECONDS);
            }
            ws.sendText(big, true).get(30, TimeUnit.SECONDS);
            outcomes.computeIfAbsent("websocket " + (hello == null ? "unauthenticated " : "") + outcome.get(30, TimeUnit.SECONDS),
                    k -> new LongAdder()).increment();
        } catch (java.util.concurrent.ExecutionException e) {
            outcomes.computeIfAbsent("websocket " + (hello == null ? "unauthenticated " : "") + outcome.getNow("dropped"),
                    k -> new LongAdder()).increment();
        } finally {
            ws.abort();
        }
    }

    /** Announces and sends a 10 MiB body without a valid token, as fast as the server lets it. */
    private static void unauthenticatedBody(URI base, String authorization, Map<String, LongAdder> outcomes) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v2/pipeline HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'a');
            String status = "closed";
            try {
                for (int sent = 0; sent < BODY; sent += chunk.length) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // closed by the server part-way: what it should do
            }
            try {
                InputStream in = s.getInputStream();
                byte[] head = in.readNBytes(12);
                status = head.length == 12 ? new String(head, StandardCharsets.US_ASCII).substring(9, 12) : status;
            } catch (IOException e) {
                // reset
            }
            outcomes.computeIfAbsent("unauthenticated " + status, k -> new LongAdder()).increment();
        }
    }
}
