package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
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

    private final String baseUrl;
    private final String token;
    private final HttpClient http;

    AdminClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (this.baseUrl.regionMatches(true, 0, "http:", 0, 5)) {
            // Without an SSLContext of its own the client loads the JDK's default one (the TLS stack and the
            // CA certificates), a large share of a command's start-up, for a plain-HTTP server that never uses
            // it. This one trusts no certificate, so any TLS connection (there is none: redirects are not
            // followed) would fail closed.
            b.sslContext(NoTls.CONTEXT);
        }
        this.http = b.build();
    }

    /** An SSLContext that trusts nothing and holds no key, for clients that only speak plain HTTP. */
    private static final class NoTls {
        static final javax.net.ssl.SSLContext CONTEXT = create();

        private static javax.net.ssl.SSLContext create() {
            try {
                javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLS");
                c.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
                return c;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("no TLS implementation", e);
            }
        }
    }

    JsonNode get(String path) throws Failure, Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** GETs a text document (exports). */
    String getText(String path) throws Failure, Unreachable {
        HttpResponse<String> r = exchange(HttpRequest.newBuilder(uri(path)).GET());
        if (r.statusCode() >= 400) {
            JsonNode body = parse(r.body());
            throw new Failure(r.statusCode(), body != null && body.hasNonNull("detail") ? body.get("detail").asText() : r.body());
        }
        return r.body();
    }

    JsonNode post(String path, Object body) throws Failure, Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    /** A POST that may take long on the server (a backup): waits up to {@code timeout} for the answer. */
    JsonNode post(String path, Object body, Duration timeout) throws Failure, Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))).timeout(timeout));
    }

    JsonNode put(String path, Object body) throws Failure, Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    JsonNode delete(String path) throws Failure, Unreachable {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    private URI uri(String path) throws Unreachable {
        try {
            return URI.create(baseUrl + path);
        } catch (IllegalArgumentException e) {
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

    private JsonNode send(HttpRequest.Builder request) throws Failure, Unreachable {
        HttpResponse<String> r = exchange(request);
        JsonNode body = parse(r.body());
        if (r.statusCode() >= 400) {
            String detail = body != null && body.hasNonNull("detail") ? body.get("detail").asText() : r.body();
            throw new Failure(r.statusCode(), detail);
        }
        return body;
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) throws Unreachable {
        HttpRequest probe = request.copy().build();
        if (probe.timeout().isEmpty()) {
            request.timeout(Duration.ofSeconds(30));
        }
        request.header("Accept", "application/json");
        String operator = System.getProperty("user.name");
        if (operator != null && !operator.isBlank()) {
            // names the operator in the server's audit log next to the admin token's identity
            request.header("X-Sluice-Operator", operator);
        }
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Unreachable("cannot reach Sluice at " + baseUrl + " (connection refused); is it running? (--url or SLUICE_URL)");
        } catch (HttpTimeoutException e) {
            throw new Unreachable("Sluice at " + baseUrl + " did not answer in time");
        } catch (IOException e) {
            throw new Unreachable("cannot reach Sluice at " + baseUrl + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
        return r;
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
