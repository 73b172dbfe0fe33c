package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's client for a running server's data API ({@code POST /v3/pipeline}). It holds at most one Hrana
 * stream: a statement that leaves a transaction open keeps the stream's baton for the next statement; a
 * statement that ends in autocommit mode closes the stream at once, so an idle shell holds no server
 * connection. No CDI, no Quarkus.
 */
final class DataClient implements AutoCloseable {

    /** One statement's result: column names, rows of Hrana values, affected row count. */
    record Result(List<String> columns, List<List<JsonNode>> rows, long affectedRows) {
    }

    /** A Hrana error: a failed statement (the stream lives on) or a failed request (the stream is gone). */
    static final class HranaError extends Exception {
        final String code;

        HranaError(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        /** {@code error CODE: message}, the shell's one error line. */
        String line() {
            return "error " + (code == null || code.isBlank() ? "" : code + ": ") + getMessage();
        }
    }

    private final URI pipeline;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;
    private String baton;
    private long lastRequest = System.nanoTime();

    DataClient(String baseUrl, String token, Duration timeout) throws AdminClient.Unreachable {
        String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        try {
            this.pipeline = URI.create(base).resolve("v3/pipeline");
        } catch (IllegalArgumentException e) {
            throw new AdminClient.Unreachable("invalid server URL " + baseUrl);
        }
        if (pipeline.getScheme() == null || !pipeline.getScheme().matches("(?i)https?")) {
            throw new AdminClient.Unreachable("invalid server URL " + baseUrl + " (expected http:// or https://)");
        }
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** True while the server holds an open transaction for this shell (its stream is kept). */
    synchronized boolean inTransaction() {
        return baton != null;
    }

    /**
     * Runs one statement with positional arguments. After it, the stream is kept only if a transaction is
     * open. A failed statement inside a transaction leaves the transaction open (Hrana semantics).
     */
    synchronized Result execute(String sql, String... textArgs) throws HranaError, AdminClient.Unreachable {
        ObjectNode stmt = AdminClient.json().createObjectNode().put("sql", sql);
        if (textArgs.length > 0) {
            ArrayNode args = stmt.putArray("args");
            for (String a : textArgs) {
                args.addObject().put("type", "text").put("value", a);
            }
        }
        ObjectNode execute = AdminClient.json().createObjectNode().put("type", "execute");
        execute.set("stmt", stmt);
        JsonNode response = pipeline(List.of(execute, AdminClient.json().createObjectNode().put("type", "get_autocommit")));
        JsonNode results = response.path("results");
        String next = response.path("baton").isTextual() ? response.get("baton").asText() : null;
        boolean autocommit = results.path(1).path("response").path("is_autocommit").asBoolean(true);
        if (next != null && autocommit) {
            baton = next;
            close();
        } else {
            baton = next;
        }
        JsonNode first = results.path(0);
        if (!"ok".equals(first.path("type").asText())) {
            JsonNode error = first.path("error");
            throw new HranaError(error.path("code").asText(null), error.path("message").asText("the statement failed"));
        }
        JsonNode result = first.path("response").path("result");
        List<String> columns = new ArrayList<>();
        for (JsonNode c : result.path("cols")) {
            columns.add(c.path("name").isTextual() ? c.get("name").asText() : "");
        }
        List<List<JsonNode>> rows = new ArrayList<>();
        for (JsonNode r : result.path("rows")) {
            List<JsonNode> row = new ArrayList<>(columns.size());
            r.forEach(row::add);
            rows.add(row);
        }
        return new Result(columns, rows, result.path("affected_row_count").asLong());
    }

    /** Closes the stream if one is held, which rolls back an open transaction. Never throws. */
    /**
     * Keeps an open transaction's stream from expiring while the shell waits for the next line: when the stream
     * has been idle for {@code idle}, one {@code get_autocommit} request renews it. Returns a line to show when
     * the stream turned out to be gone (its transaction rolled back), else null.
     */
    synchronized String keepAlive(Duration idle) {
        if (baton == null || System.nanoTime() - lastRequest < idle.toNanos()) {
            return null;
        }
        try {
            JsonNode response = pipeline(List.of(AdminClient.json().createObjectNode().put("type", "get_autocommit")));
            baton = response.path("baton").isTextual() ? response.get("baton").asText() : null;
            if (baton != null && response.path("results").path(0).path("response").path("is_autocommit").asBoolean(false)) {
                close(); // the server ended the transaction: nothing left to keep
                return "warning: the transaction ended on the server";
            }
            return baton == null ? "warning: the stream was closed by the server; the open transaction was rolled back" : null;
        } catch (HranaError e) {
            return e.line();
        } catch (AdminClient.Unreachable e) {
            return "error: " + e.getMessage() + "; the open transaction will be rolled back when the stream expires";
        }
    }

    @Override
    public synchronized void close() {
        if (baton == null) {
            return;
        }
        try {
            pipeline(List.of(AdminClient.json().createObjectNode().put("type", "close")));
        } catch (HranaError | AdminClient.Unreachable e) {
            // the stream is gone either way: the server rolls back and releases it when it expires
        } finally {
            baton = null;
        }
    }

    private JsonNode pipeline(List<ObjectNode> requests) throws HranaError, AdminClient.Unreachable {
        ObjectNode body = AdminClient.json().createObjectNode();
        if (baton == null) {
            body.putNull("baton");
        } else {
            body.put("baton", baton);
        }
        body.putArray("requests").addAll(requests);
        HttpRequest.Builder request = HttpRequest.newBuilder(pipeline).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r;
        lastRequest = System.nanoTime();
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            baton = null;
            throw new AdminClient.Unreachable("cannot reach Sluice at " + pipeline.resolve("/") + " (connection refused); is it running?");
        } catch (HttpTimeoutException e) {
            baton = null;
            throw new AdminClient.Unreachable("Sluice did not answer within " + timeout.toSeconds() + " s (--timeout)");
        } catch (IOException e) {
            baton = null;
            throw new AdminClient.Unreachable("cannot reach Sluice at " + pipeline.resolve("/") + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            baton = null;
            throw new AdminClient.Unreachable("interrupted");
        }
        JsonNode parsed = parse(r.body());
        if (r.statusCode() != 200 || parsed == null || !parsed.path("results").isArray()) {
            // a failed request ends the stream on the server: any open transaction was rolled back
            boolean hadTransaction = baton != null;
            baton = null;
            String message = parsed != null && parsed.path("message").isTextual() ? parsed.get("message").asText()
                    : "HTTP " + r.statusCode();
            String code = parsed != null && parsed.path("code").isTextual() ? parsed.get("code").asText() : "HTTP_" + r.statusCode();
            String status = r.statusCode() == 401 ? " (HTTP 401; the data API token comes from --token or SLUICE_TOKEN)"
                    : r.statusCode() != 200 ? " (HTTP " + r.statusCode() + ")" : "";
            throw new HranaError(code, message + status + (hadTransaction ? " (the open transaction was rolled back)" : ""));
        }
        return parsed;
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return AdminClient.json().readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
