package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaJson.MAPPER;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.stmt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Sends Hrana requests with RestAssured and reads answers as JSON trees (exact number types preserved). */
final class HranaClient {
    static final String V2 = "/v2/pipeline";
    static final String V3 = "/v3/pipeline";
    static final String CURSOR = "/v3/cursor";

    private HranaClient() {
    }

    static Response post(String path, JsonNode body) {
        return postRaw(path, body.toString());
    }

    static Response postRaw(String path, String body) {
        return given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8)).post(path);
    }

    static JsonNode json(Response r) {
        try {
            return MAPPER.readTree(r.asByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("response is not JSON: " + r.asString(), e);
        }
    }

    /** Posts a pipeline, asserts HTTP 200 and one result per request, and returns the whole body. */
    static JsonNode pipelineOk(String path, String baton, JsonNode... requests) {
        Response r = post(path, pipeline(baton, requests));
        assertThat(r.statusCode()).as("HTTP status of %s, body %s", path, r.asString()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("results")).as("results of %s", body).hasSize(requests.length);
        return body;
    }

    /** The {@code response} of a pipeline result that must be {@code ok}. */
    static JsonNode okResponse(JsonNode result) {
        assertThat(result.path("type").asText()).as("pipeline result %s", result).isEqualTo("ok");
        return result.get("response");
    }

    /** The error object of a pipeline result that must be {@code error}. */
    static JsonNode errorOf(JsonNode result) {
        assertThat(result.path("type").asText()).as("pipeline result %s", result).isEqualTo("error");
        return result.get("error");
    }

    /** Runs one statement on a fresh /v2 stream (execute + close, as @libsql/client does) and returns its StmtResult. */
    static JsonNode query(String sql, JsonNode... args) {
        return queryStmt(stmt(sql, args));
    }

    static JsonNode queryStmt(JsonNode stmt) {
        JsonNode body = pipelineOk(V2, null, execute((com.fasterxml.jackson.databind.node.ObjectNode) stmt), close());
        assertThat(body.get("baton").isNull()).as("baton after close in %s", body).isTrue();
        return okResponse(body.get("results").get(0)).get("result");
    }

    /** Runs one statement on a fresh stream and returns the error object it must fail with. */
    static JsonNode queryError(String sql, JsonNode... args) {
        return queryStmtError(stmt(sql, args));
    }

    static JsonNode queryStmtError(JsonNode stmt) {
        JsonNode body = pipelineOk(V2, null, execute((com.fasterxml.jackson.databind.node.ObjectNode) stmt), close());
        return errorOf(body.get("results").get(0));
    }

    /** The single value of a one-row, one-column result. */
    static JsonNode scalar(String sql, JsonNode... args) {
        JsonNode rows = query(sql, args).get("rows");
        assertThat(rows).as("rows of %s", sql).hasSize(1);
        assertThat(rows.get(0)).as("columns of %s", sql).hasSize(1);
        return rows.get(0).get(0);
    }

    /** The integer a one-row, one-column query returns. */
    static long count(String sql) {
        JsonNode v = scalar(sql);
        assertThat(v.path("type").asText()).as("value %s", v).isEqualTo("integer");
        return Long.parseLong(v.get("value").asText());
    }

    /** Posts a cursor request, asserts HTTP 200 and returns its NDJSON entries (header first). */
    static List<JsonNode> cursorOk(JsonNode body) {
        Response r = post(CURSOR, body);
        assertThat(r.statusCode()).as("cursor HTTP status, body %s", r.asString()).isEqualTo(200);
        return ndjson(r.asString());
    }

    static List<JsonNode> ndjson(String text) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(MAPPER.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException("cursor line is not JSON: " + line, e);
            }
        }
        return out;
    }
}
