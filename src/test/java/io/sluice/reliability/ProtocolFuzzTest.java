package io.sluice.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.pool.Backend;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * 10,000 generated malformed or hostile requests (broken JSON, wrong types, huge numbers, deep nesting,
 * bad base64, forged batons, oversize bodies, many statements): every answer is a 2xx or a 4xx, or the
 * designed 503; never a 500; the server stays healthy and keeps no connection afterwards.
 */
@QuarkusTest
@TestProfile(ProtocolFuzzTest.Fuzz.class)
class ProtocolFuzzTest {
    private static final int REQUESTS = 10_000;
    private static final Set<Integer> ALLOWED = Set.of(200, 400, 401, 403, 404, 405, 413, 415, 503);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class Fuzz implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.gateway.stream-idle-timeout", "1s", "sluice.gateway.max-request-bytes", "65536");
        }
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
        switch (r.nextInt(9)) {
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
                return valid.replace("\"type\":\"" , "\"type\":\"" + (r.nextBoolean() ? "x" : ""));
        }
    }

    @Test
    void shouldAnswerTenThousandHostileRequestsWithoutA500AndStayHealthy() throws Exception {
        Random r = new Random(20261128L);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String[] paths = {"/v2/pipeline", "/v3/pipeline", "/v3/cursor", "/db/v2/pipeline"};
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String body = mutate(r, VALID[r.nextInt(VALID.length)]);
            HttpRequest req = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + paths[r.nextInt(paths.length)]))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> resp;
            try {
                resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                // an oversize body may be cut off by the server's early 413; anything else is a failure
                assertThat(body.length()).as("connection failed for %s: %s", body.substring(0, Math.min(120, body.length())), e)
                        .isGreaterThan(65_536);
                statuses.merge(-1, 1, Integer::sum);
                continue;
            }
            statuses.merge(resp.statusCode(), 1, Integer::sum);
            if (!ALLOWED.contains(resp.statusCode()) && bad.size() < 5) {
                bad.add(resp.statusCode() + " for " + body.substring(0, Math.min(200, body.length())) + " -> " + resp.body());
            }
            if (resp.statusCode() >= 400 && resp.statusCode() != 404 && resp.statusCode() != 405) {
                assertThat(resp.headers().firstValue("content-type")).as("error body type for %s", body).contains("application/json");
                assertThat(JSON.readTree(resp.body()).hasNonNull("message")).as(resp.body()).isTrue();
            }
        }
        System.out.println("fuzz statuses: " + statuses);
        assertThat(bad).as("answers outside 2xx/4xx/503").isEmpty();

        HttpResponse<String> healthy = http.send(HttpRequest.newBuilder(URI.create(base + "v2/pipeline"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 7\"}},{\"type\":\"close\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).contains("\"value\":\"7\"");
        await().atMost(Duration.ofSeconds(15)).until(() -> backend.activeConnections() == 0 && backend.leases().isEmpty());
    }
}
