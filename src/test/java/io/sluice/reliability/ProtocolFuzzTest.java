package io.sluice.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.pool.Backend;
import io.sluice.testing.TestKeys;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Generated malformed or hostile requests (broken JSON, wrong types, huge numbers, deep nesting, bad
 * base64, forged batons, oversize bodies, many statements; unauthenticated and forged-token bodies of every
 * size; huge values; PRAGMA, ATTACH, VACUUM INTO, load_extension and quoting tricks as plain SQL through
 * execute, batch, sequence and cursor, with read-only and read-write tokens): every answer is a 2xx or a
 * 4xx, or the designed 503; never a 500; the server stays healthy and keeps no connection afterwards.
 * 10,000 requests by default; {@code -Dfuzz.requests=N} for a longer run.
 */
@QuarkusTest
@TestProfile(ProtocolFuzzTest.Fuzz.class)
class ProtocolFuzzTest {
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 10_000);
    private static final int MAX_REQUEST = 65_536;
    private static final Set<Integer> ALLOWED = Set.of(200, 400, 401, 403, 404, 405, 413, 415, 503);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class Fuzz implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.gateway.stream-idle-timeout", "1s", "sluice.gateway.max-request-bytes", Integer.toString(MAX_REQUEST),
                    "sluice.auth.mode", "jwt", "sluice.auth.jwt-public-keys", keys().publicKeyBase64Url());
        }
    }

    static TokenMinter.KeyMaterial keys() {
        return TestKeys.pair("fuzz");
    }

    /** SQL an attacker tries through every request shape: file access, settings, quoting that fools scanners, huge values. */
    private static final String[] HOSTILE_SQL = {
            "PRAGMA query_only = 0", "PRAGMA user_version = 7", "pragma APPLICATION_ID=1", "PRAGMA writable_schema = ON",
            "PRAGMA optimize", "PRAGMA journal_mode = DELETE", "PRAGMA schema_version", "PRAGMA main.auto_vacuum = 1",
            "ATTACH 'target/fuzz-attach.db' AS x", "/* ; */ ATTACH DATABASE 'target/fuzz-attach2.db' AS y",
            "VACUUM INTO 'target/fuzz-vacuum.db'", "VACUUM /* ; */ INTO 'target/fuzz-vacuum2.db'", "vacuum main into 'target/fuzz-v3.db'",
            "SELECT load_extension('target/none')", "SELECT 'a'';DROP TABLE t;--'", "SELECT \"a\"\"b\", 'x\\' FROM (SELECT 1 AS \"a\"\"b\")",
            "SELECT $$;$$", "SELECT E'\\';' ; SELECT 1", "SELECT set_config('standard_conforming_strings', 'off', false)",
            "BEGIN; ATTACH 'target/fuzz-attach3.db' AS z; COMMIT", "SELECT 1; PRAGMA query_only = 0", "DETACH x",
            "SELECT zeroblob(400000000)", "SELECT randomblob(300000000)", "SELECT hex(randomblob(6000000))",
            "SELECT printf('%.*c', 300000000, 'x')", "SELECT randomblob(40000), randomblob(40000)",
            "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r WHERE length(s) < 400000000) SELECT max(s) FROM r",
            "CREATE TEMP TABLE tt(x); INSERT INTO tt SELECT zeroblob(10485761)",
    };

    private static String quoted(String sql) {
        return sql.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** One hostile statement in one of the request shapes. */
    private static String hostile(Random r) {
        String sql = quoted(HOSTILE_SQL[r.nextInt(HOSTILE_SQL.length)]);
        return switch (r.nextInt(4)) {
            case 0 -> "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + sql + "\"}},{\"type\":\"close\"}]}";
            case 1 -> "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"BEGIN\"}},{\"stmt\":{\"sql\":\""
                    + sql + "\"}},{\"stmt\":{\"sql\":\"COMMIT\"}}]}},{\"type\":\"close\"}]}";
            case 2 -> "{\"requests\":[{\"type\":\"sequence\",\"sql\":\"" + sql + "\"},{\"type\":\"close\"}]}";
            default -> "{\"baton\":null,\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"" + sql + "\"}}]}}";
        };
    }

    @TestHTTPResource("/")
    URL base;

    @Inject
    Backend backend;

    private static final String[] VALID = {
            "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?, :a\",\"args\":[{\"type\":\"integer\",\"value\":\"1\"}]}},{\"type\":\"close\"}]}",
            "{\"baton\":null,\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"}},"
                    + "{\"condition\":{\"type\":\"not\",\"cond\":{\"type\":\"ok\",\"step\":0}},\"stmt\":{\"sql\":\"SELECT 2\"}}]}},{\"type\":\"close\"}]}",
            "{\"requests\":[{\"type\":\"store_sql\",\"sql_id\":1,\"sql\":\"SELECT 1\"},{\"type\":\"execute\",\"stmt\":{\"sql_id\":1}},"
                    + "{\"type\":\"describe\",\"sql\":\"SELECT ?\"},{\"type\":\"sequence\",\"sql\":\"SELECT 1; SELECT 2\"},{\"type\":\"close\"}]}",
            "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"blob\",\"base64\":\"AAEC\"}],\"want_rows\":false}},{\"type\":\"close\"}]}",
            "{\"baton\":null,\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"}},{\"condition\":{\"type\":\"is_autocommit\"},\"stmt\":{\"sql\":\"SELECT 1\"}}]}}",
    };

    private static final String[] JUNK = {"null", "true", "-1", "1e400", "99999999999999999999999999", "\"\"", "\"x\"", "[]", "{}",
            "[[[[[[[[[[]]]]]]]]]]", "{\"type\":\"float\",\"value\":\"NaN\"}", "{\"type\":\"blob\",\"base64\":\"!!!\"}",
            "{\"type\":\"integer\",\"value\":\"9223372036854775808\"}", "{\"type\":\"nope\"}", "\"\\u0000\"", "\"SELECT 1; SELECT 2\""};

    private String mutate(Random r, String valid) {
        switch (r.nextInt(11)) {
            case 9:
                return hostile(r);
            case 10:
                // a body of any size, to be sent without a valid token
                return valid + " ".repeat(r.nextInt(4) == 0 ? MAX_REQUEST * (1 + r.nextInt(4)) : r.nextInt(MAX_REQUEST));
            case 0:
                return valid.substring(0, r.nextInt(valid.length()));
            case 1: {
                // replace one value-ish token by junk
                int at = valid.indexOf(':', r.nextInt(valid.length()));
                if (at < 0) {
                    return valid + "}";
                }
                int end = at + 1;
                while (end < valid.length() && ",}]".indexOf(valid.charAt(end)) < 0) {
                    end++;
                }
                return valid.substring(0, at + 1) + JUNK[r.nextInt(JUNK.length)] + valid.substring(end);
            }
            case 2:
                return "{\"requests\":" + "[".repeat(200 + r.nextInt(2000)) + "]".repeat(10) + "}";
            case 3: {
                byte[] raw = new byte[r.nextInt(80)];
                r.nextBytes(raw);
                String baton = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                return valid.replace("{\"requests\"", "{\"baton\":\"" + baton + "\",\"requests\"")
                        .replace("\"baton\":null", "\"baton\":\"" + baton + "\"");
            }
            case 4:
                return "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"" + "x".repeat(70_000 + r.nextInt(1000)) + "\"}}]}";
            case 5:
                return valid.replace("SELECT 1", "SELECT 1; DROP TABLE t; SELECT 3");
            case 6: {
                char[] chars = valid.toCharArray();
                for (int i = 0; i < 1 + r.nextInt(4); i++) {
                    chars[r.nextInt(chars.length)] = (char) (r.nextInt(0x2FF));
                }
                return new String(chars);
            }
            case 7:
                return "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"condition\":"
                        + "{\"type\":\"not\",\"cond\":".repeat(100 + r.nextInt(100)) + "{\"type\":\"ok\",\"step\":0}" + "}".repeat(200)
                        + ",\"stmt\":{\"sql\":\"SELECT 1\"}}]}}]}";
            default:
                return valid.replace("\"type\":\"", "\"type\":\"" + (r.nextBoolean() ? "x" : ""));
        }
    }

    @Test
    void shouldAnswerTenThousandHostileRequestsWithoutA500AndStayHealthy() throws Exception {
        Random r = new Random(Long.getLong("fuzz.seed", 20261128L));
        TokenMinter minter = TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), Clock.systemUTC());
        String[] authorizations = {"Bearer " + minter.mint(Access.READ_WRITE, "fuzz-rw", Duration.ofHours(2)),
                "Bearer " + minter.mint(Access.READ_ONLY, "fuzz-ro", Duration.ofHours(2)), null, "Bearer forged.token.here",
                "Bearer " + minter.mint(Access.READ_ONLY, "fuzz-ro", Duration.ofHours(2)).replace('.', '!'), "Basic YWRtaW46YWRtaW4="};
        deleteFilesHostileSqlNames();
        long started = System.nanoTime();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String[] paths = {"/v2/pipeline", "/v3/pipeline", "/v3/cursor", "/db/v2/pipeline"};
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String body = mutate(r, VALID[r.nextInt(VALID.length)]);
            // mostly a valid token, so that the mutations reach the parser and the database; else none or a bad one
            int who = r.nextInt(10);
            String authorization = authorizations[who < 5 ? 0 : who < 8 ? 1 : 2 + r.nextInt(authorizations.length - 2)];
            boolean authenticated = who < 8;
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + paths[r.nextInt(paths.length)]))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            HttpRequest req = builder.build();
            HttpResponse<String> resp;
            try {
                resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                // an oversize or unauthenticated body may be cut off by the server's early 413 or 401; anything else is a failure
                assertThat(body.length() > MAX_REQUEST || !authenticated)
                        .as("connection failed for %s: %s", body.substring(0, Math.min(120, body.length())), e).isTrue();
                statuses.merge(-1, 1, Integer::sum);
                continue;
            }
            statuses.merge(resp.statusCode(), 1, Integer::sum);
            if (!authenticated) {
                assertThat(resp.statusCode()).as("answer without a valid token, body %s", resp.body()).isEqualTo(401);
            }
            if (!ALLOWED.contains(resp.statusCode()) && bad.size() < 5) {
                bad.add(resp.statusCode() + " for " + body.substring(0, Math.min(200, body.length())) + " -> " + resp.body());
            }
            if (resp.statusCode() >= 400 && resp.statusCode() != 404 && resp.statusCode() != 405) {
                assertThat(resp.headers().firstValue("content-type")).as("error body type for %s", body).contains("application/json");
                assertThat(JSON.readTree(resp.body()).hasNonNull("message")).as(resp.body()).isTrue();
            }
        }
        System.out.printf("fuzz: %d requests in %d s, statuses %s (-1: connection closed by the server while sending)%n", REQUESTS,
                (System.nanoTime() - started) / 1_000_000_000L, statuses);
        assertThat(bad).as("answers outside 2xx/4xx/503").isEmpty();

        HttpResponse<String> healthy = http.send(HttpRequest.newBuilder(URI.create(base + "v2/pipeline")).header("Authorization", authorizations[1])
                .POST(HttpRequest.BodyPublishers
                        .ofString("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 7\"}},{\"type\":\"close\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).contains("\"value\":\"7\"");
        await().atMost(Duration.ofSeconds(15)).until(() -> backend.activeConnections() == 0 && backend.leases().isEmpty());
        assertThat(filesHostileSqlNames()).as("files written by ATTACH / VACUUM INTO in the hostile SQL").isEmpty();
    }

    /** The files the hostile SQL above names (ATTACH, VACUUM INTO targets): none may ever exist. */
    private static List<java.nio.file.Path> filesHostileSqlNames() throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("fuzz-.*\\.db")).toList();
        }
    }

    private static void deleteFilesHostileSqlNames() throws java.io.IOException {
        for (java.nio.file.Path f : filesHostileSqlNames()) {
            java.nio.file.Files.delete(f);
        }
    }
}
