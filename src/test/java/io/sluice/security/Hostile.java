package io.sluice.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.Response;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.testing.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Hostile Hrana requests with real Ed25519 tokens: builds bodies, sends them on every path a statement can
 * take (execute, batch, sequence, store_sql + execute by id, describe, the cursor) and reads the answers.
 */
final class Hostile {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String KEYS = "security";

    private Hostile() {
    }

    /** Profile settings: JWT authentication with this JVM's test key. */
    static Map<String, String> jwt() {
        return Map.of("sluice.auth.mode", "jwt", "sluice.auth.jwt-public-keys", TestKeys.pair(KEYS).publicKeyBase64Url());
    }

    static String token(Access access) {
        return TokenMinter.fromPrivateKeyPem(TestKeys.pair(KEYS).privateKeyPem(), Clock.systemUTC())
                .mint(access, "hostile-" + access.name().toLowerCase(java.util.Locale.ROOT), Duration.ofMinutes(30));
    }

    static final String RO = token(Access.READ_ONLY);
    static final String RW = token(Access.READ_WRITE);

    // ---- bodies -------------------------------------------------------------------------------

    static ObjectNode stmt(String sql) {
        return F.objectNode().put("sql", sql);
    }

    static ObjectNode execute(String sql) {
        ObjectNode r = F.objectNode().put("type", "execute");
        r.set("stmt", stmt(sql));
        return r;
    }

    static ObjectNode executeId(int id) {
        ObjectNode r = F.objectNode().put("type", "execute");
        r.set("stmt", F.objectNode().put("sql_id", id));
        return r;
    }

    static ObjectNode batch(String... sqls) {
        ObjectNode b = F.objectNode();
        ArrayNode steps = b.putArray("steps");
        for (String sql : sqls) {
            steps.addObject().set("stmt", stmt(sql));
        }
        return b;
    }

    static ObjectNode batchRequest(String... sqls) {
        ObjectNode r = F.objectNode().put("type", "batch");
        r.set("batch", batch(sqls));
        return r;
    }

    static ObjectNode sequence(String sql) {
        return F.objectNode().put("type", "sequence").put("sql", sql);
    }

    static ObjectNode describe(String sql) {
        return F.objectNode().put("type", "describe").put("sql", sql);
    }

    static ObjectNode storeSql(int id, String sql) {
        return F.objectNode().put("type", "store_sql").put("sql_id", id).put("sql", sql);
    }

    static ObjectNode close() {
        return F.objectNode().put("type", "close");
    }

    static ObjectNode pipeline(String baton, JsonNode... requests) {
        ObjectNode body = F.objectNode();
        if (baton == null) {
            body.putNull("baton");
        } else {
            body.put("baton", baton);
        }
        ArrayNode rs = body.putArray("requests");
        for (JsonNode r : requests) {
            rs.add(r);
        }
        return body;
    }

    // ---- sending ------------------------------------------------------------------------------

    static Response post(String path, String token, JsonNode body) {
        return given().contentType("application/json").header("Authorization", "Bearer " + token)
                .body(body.toString().getBytes(StandardCharsets.UTF_8)).post(path);
    }

    static JsonNode json(Response r) {
        try {
            return MAPPER.readTree(r.asByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + r.asString(), e);
        }
    }

    /** Sends a pipeline on /v3, asserts HTTP 200, returns the body. */
    static JsonNode pipelineOk(String token, String baton, JsonNode... requests) {
        Response r = post("/v3/pipeline", token, pipeline(baton, requests));
        assertThat(r.statusCode()).as("HTTP status, body %s", r.asString()).isEqualTo(200);
        return json(r);
    }

    /** The error code of a pipeline result, or null when it succeeded. */
    static String errorCode(JsonNode result) {
        return "error".equals(result.path("type").asText()) ? result.path("error").path("code").asText() : null;
    }

    /** The single value (as text) of a one-row, one-column read over a fresh read-write stream. */
    static String scalar(String token, String sql) {
        JsonNode body = pipelineOk(token, null, execute(sql), close());
        JsonNode result = body.get("results").get(0);
        assertThat(errorCode(result)).as("reading %s: %s", sql, result).isNull();
        JsonNode v = result.get("response").get("result").get("rows").get(0).get(0);
        return v.path("value").isMissingNode() ? null : v.get("value").asText();
    }

    /**
     * Every way a stream can carry one statement: {@code execute}, a one-step {@code batch}, a
     * {@code sequence}, {@code store_sql} + execute by id, {@code describe}, and the cursor. Each sends the
     * statement on a fresh stream and closes it; the function returns the per-path outcomes (an error code,
     * or "ok").
     */
    enum Path {
        EXECUTE(sql -> new JsonNode[] {execute(sql), close()}),
        BATCH(sql -> new JsonNode[] {batchRequest(sql), close()}),
        SEQUENCE(sql -> new JsonNode[] {sequence(sql), close()}),
        STORED(sql -> new JsonNode[] {storeSql(7, sql), executeId(7), close()}),
        DESCRIBE(sql -> new JsonNode[] {describe(sql), close()}),
        CURSOR(null);

        private final Function<String, JsonNode[]> requests;

        Path(Function<String, JsonNode[]> requests) {
            this.requests = requests;
        }

        /** Sends the statement this way; returns the statement's outcome: "ok" or its error code. */
        String send(String token, String sql) {
            if (this == CURSOR) {
                ObjectNode body = F.objectNode();
                body.putNull("baton");
                body.set("batch", batch(sql));
                Response r = post("/v3/cursor", token, body);
                assertThat(r.statusCode()).as("cursor HTTP status, body %s", r.asString()).isEqualTo(200);
                List<JsonNode> lines = new ArrayList<>();
                for (String line : r.asString().split("\n")) {
                    if (!line.isBlank()) {
                        try {
                            lines.add(MAPPER.readTree(line));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
                String baton = lines.get(0).path("baton").asText(null);
                if (baton != null) {
                    pipelineOk(token, baton, close());
                }
                for (JsonNode l : lines) {
                    if (l.path("type").asText().endsWith("error")) {
                        return l.path("error").path("code").asText();
                    }
                }
                return "ok";
            }
            JsonNode body = pipelineOk(token, null, requests.apply(sql));
            JsonNode results = body.get("results");
            for (JsonNode result : results) {
                String code = errorCode(result);
                if (code != null) {
                    return code;
                }
                for (JsonNode stepError : result.path("response").path("result").path("step_errors")) {
                    if (!stepError.isNull()) {
                        return stepError.path("code").asText();
                    }
                }
            }
            return "ok";
        }
    }
}
