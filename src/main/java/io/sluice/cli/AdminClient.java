package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The CLI's HTTP client for a running server's admin API. No CDI, no Quarkus. */
final class AdminClient {
    /** Jackson's mapper, built on first use: a command that fails before any answer arrives never pays for it. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    static ObjectMapper json() {
        return Json.MAPPER;
    }

    /** The server answered with an error status; {@code detail} is the problem's detail or the raw body. */
    static final class Failure extends Exception {
        final int status;

        Failure(int status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }
    }

    /** The server could not be reached at all. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    /** A status and the body's text. */
    private record Answer(int status, String body) {
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String token;

    AdminClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    JsonNode get(String path) throws Failure, Unreachable {
        return send("GET", path, null, READ_TIMEOUT);
    }

    /** GETs a text document (exports). */
    String getText(String path) throws Failure, Unreachable {
        Answer r = exchange("GET", path, null, READ_TIMEOUT);
        if (r.status() >= 400) {
            JsonNode body = parse(r.body());
            throw new Failure(r.status(), body != null && body.hasNonNull("detail") ? body.get("detail").asText() : r.body());
        }
        return r.body();
    }

    JsonNode post(String path, Object body) throws Failure, Unreachable {
        return send("POST", path, write(body), READ_TIMEOUT);
    }

    /** A POST that may take long on the server (a backup): waits up to {@code timeout} for the answer. */
    JsonNode post(String path, Object body, Duration timeout) throws Failure, Unreachable {
        return send("POST", path, write(body), timeout);
    }

    JsonNode put(String path, Object body) throws Failure, Unreachable {
        return send("PUT", path, write(body), READ_TIMEOUT);
    }

    JsonNode delete(String path) throws Failure, Unreachable {
        return send("DELETE", path, null, READ_TIMEOUT);
    }

    private URL url(String path) throws Unreachable {
        try {
            URI uri = URI.create(baseUrl + path);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("not HTTP");
            }
            return uri.toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            throw new Unreachable("invalid server URL " + baseUrl);
        }
    }

    private static String write(Object body) {
        try {
            return json().writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode the request body", e);
        }
    }

    private JsonNode send(String method, String path, String body, Duration timeout) throws Failure, Unreachable {
        Answer r = exchange(method, path, body, timeout);
        JsonNode parsed = parse(r.body());
        if (r.status() >= 400) {
            String detail = parsed != null && parsed.hasNonNull("detail") ? parsed.get("detail").asText() : r.body();
            throw new Failure(r.status(), detail);
        }
        return parsed;
    }

    /**
     * One request over {@link HttpURLConnection}: a client command makes one or two calls and exits, and
     * {@code java.net.http}'s client (its selector thread, executor and HTTP/2 machinery) cost a command about
     * three times the CPU of this one's start-up. Redirects are not followed; TLS is loaded only for https.
     */
    private Answer exchange(String method, String path, String body, Duration timeout) throws Unreachable {
        URL url = url(path);
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) url.openConnection();
            c.setRequestMethod(method);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            c.setRequestProperty("Accept", "application/json");
            String operator = System.getProperty("user.name");
            if (operator != null && !operator.isBlank()) {
                // names the operator in the server's audit log next to the admin token's identity
                c.setRequestProperty("X-Sluice-Operator", operator);
            }
            if (token != null && !token.isBlank()) {
                c.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (body != null) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(bytes);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String text = "";
            if (in != null) {
                try (in) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Answer(status, text);
        } catch (ConnectException e) {
            throw new Unreachable("cannot reach Sluice at " + baseUrl + " (connection refused); is it running? (--url or SLUICE_URL)");
        } catch (SocketTimeoutException e) {
            throw new Unreachable("Sluice at " + baseUrl + " did not answer in time");
        } catch (IOException e) {
            throw new Unreachable("cannot reach Sluice at " + baseUrl + ": " + e.getClass().getSimpleName());
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return json().readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
