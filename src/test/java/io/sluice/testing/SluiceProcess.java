package io.sluice.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A packaged Sluice ({@code target/quarkus-app/quarkus-run.jar}) started as its own process on a free
 * loopback port, for tests that need more than one instance. Output goes to {@code target/<name>.log}.
 */
public final class SluiceProcess implements AutoCloseable {
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;

    private SluiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts an instance with the given {@code sluice.*} settings (as system properties) and waits until it answers. */
    public static SluiceProcess start(String name, Map<String, String> config) throws IOException, InterruptedException {
        return start(name, config, List.of(), Map.of());
    }

    /**
     * Starts an instance as {@link #start(String, Map)} does, with extra JVM flags (e.g. {@code -Xmx256m}) and
     * environment variables (e.g. {@code QUARKUS_PROFILE}).
     */
    public static SluiceProcess start(String name, Map<String, String> config, List<String> jvmFlags, Map<String, String> env)
            throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests through `./mvnw verify`");
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.management.port=0"));
        cmd.addAll(1, jvmFlags);
        Map<String, String> withUrl = new java.util.HashMap<>(config);
        withUrl.putIfAbsent("sluice.cluster.advertise-url", "http://127.0.0.1:" + port);
        withUrl.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(JAR.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of("target", name + ".log").toFile());
        pb.environment().remove("SLUICE_DATABASE_URL");
        pb.environment().putAll(env);
        SluiceProcess p = new SluiceProcess(pb.start(), port);
        p.awaitReady();
        return p;
    }

    /** The file the process writes its output to. */
    public static Path log(String name) {
        return Path.of("target", name + ".log");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** POSTs a JSON body and returns the response. */
    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return post(path, json, null);
    }

    /** POSTs a JSON body with a bearer token (none when null) and returns the response. */
    public HttpResponse<String> post(String path, String json, String bearerToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Sluice exited during start with code " + process.exitValue());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("Sluice did not become ready within 30 s");
    }

    /**
     * Sends SIGTERM (what Kubernetes sends) and waits up to {@code within} for the process to exit.
     *
     * @return the exit code, or empty when it was still running (it is then killed)
     */
    public java.util.OptionalInt terminate(Duration within) throws InterruptedException {
        process.destroy();
        if (process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return java.util.OptionalInt.of(process.exitValue());
        }
        kill();
        return java.util.OptionalInt.empty();
    }

    /** A Hrana {@code close} request. */
    public static final String CLOSE = "{\"type\":\"close\"}";

    /** A Hrana {@code execute} request for SQL without quotes or backslashes. */
    public static String execute(String sql) {
        return "{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}}";
    }

    /** POSTs a v3 pipeline: a null baton opens a new stream; each request is a Hrana request object's JSON. */
    public HttpResponse<String> pipeline(String baton, String... requests) throws IOException, InterruptedException {
        return post("/v3/pipeline", "{\"baton\":" + (baton == null ? "null" : "\"" + baton + "\"") + ",\"requests\":["
                + String.join(",", requests) + "]}");
    }

    /** Opens (and closes) new streams until one is refused or {@code limit} passes; returns the last answer. */
    public HttpResponse<String> awaitNewStreamRefused(Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        HttpResponse<String> r;
        do {
            r = pipeline(null, execute("SELECT 1"), CLOSE);
            if (r.statusCode() != 200) {
                return r;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return r;
    }

    /** Sends SIGTERM (what Kubernetes sends) and returns at once; {@link #awaitExit} waits for the end. */
    public void terminate() {
        process.destroy(); // SIGTERM on Linux
    }

    /** Waits up to {@code limit} for the process to exit; its exit code, or null when it is still running. */
    public Integer awaitExit(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** GETs a path and returns the response. */
    public HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A free loopback port, e.g. for {@code quarkus.management.port}. */
    public static int freeLoopbackPort() throws IOException {
        return freePort();
    }

    /** Kills the process at once, as a crashed replica would disappear. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            kill();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
