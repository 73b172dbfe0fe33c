package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.CURSOR;
import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.count;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaClient.postRaw;
import static io.sluice.gateway.HranaClient.query;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static io.sluice.gateway.HttpErrors.assertHttpError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that do not fit the protocol: HTTP 400 with a Hrana error object and {@code Content-Type}
 * exactly {@code application/json}; the server keeps answering afterwards.
 */
@QuarkusTest
class ProtocolErrorsTest {

    private static String stmtBody(String stmtJson) {
        return "{\"requests\":[{\"type\":\"execute\",\"stmt\":" + stmtJson + "}]}";
    }

    private static String valueBody(String valueJson) {
        return stmtBody("{\"sql\":\"SELECT ?\",\"args\":[" + valueJson + "]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "not json", "{\"requests\":[}", "[]", "\"requests\"", "null", "{\"requests\":[{\"type\":\"close\"}]"})
    void shouldRejectMalformedJsonOrNonObjectBodyWithHttp400(String body) {
        assertHttpError(postRaw(V2, body), 400);
    }

    @Test
    void shouldRejectEmptyBodyWithHttp400() {
        assertHttpError(postRaw(V3, ""), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"requests\":{}}", "{\"requests\":\"execute\"}", "{\"requests\":null}", "{\"requests\":[1]}",
            "{\"requests\":[{}]}", "{\"requests\":[{\"type\":7}]}"})
    void shouldRejectMissingOrMistypedRequestsWithHttp400(String body) {
        assertHttpError(postRaw(V2, body), 400);
    }

    @Test
    void shouldRejectUnknownRequestTypeWithHttp400() {
        assertHttpError(postRaw(V3, "{\"requests\":[{\"type\":\"frobnicate\"}]}"), 400);
    }

    @Test
    void shouldRejectExecuteWithoutStmtWithHttp400() {
        assertHttpError(postRaw(V2, "{\"requests\":[{\"type\":\"execute\"}]}"), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"sql\":42}", "{\"sql\":[\"SELECT 1\"]}", "{}", "{\"sql\":\"SELECT 1\",\"sql_id\":1}",
            "{\"sql_id\":\"one\"}", "{\"sql_id\":1.5}", "{\"sql\":\"SELECT 1\",\"args\":{}}", "{\"sql\":\"SELECT 1\",\"named_args\":{}}",
            "{\"sql\":\"SELECT :a\",\"named_args\":[{\"value\":{\"type\":\"null\"}}]}", "{\"sql\":\"SELECT 1\",\"want_rows\":\"yes\"}",
            "\"SELECT 1\""})
    void shouldRejectMistypedStatementFieldsWithHttp400(String stmt) {
        assertHttpError(postRaw(V2, stmtBody(stmt)), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"bigint\",\"value\":\"1\"}", "{\"type\":\"INTEGER\",\"value\":\"1\"}", "{\"value\":\"1\"}",
            "{\"type\":null}", "1", "\"text\""})
    void shouldRejectUnknownValueTypeWithHttp400(String value) {
        assertHttpError(postRaw(V2, valueBody(value)), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"blob\",\"base64\":\"@@@@\"}", "{\"type\":\"blob\",\"base64\":\"A\"}",
            "{\"type\":\"blob\",\"base64\":\"AQ==AQ\"}", "{\"type\":\"blob\"}", "{\"type\":\"blob\",\"base64\":17}"})
    void shouldRejectBadBase64BlobWithHttp400(String value) {
        assertHttpError(postRaw(V2, valueBody(value)), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"integer\",\"value\":\"abc\"}", "{\"type\":\"integer\",\"value\":\"9223372036854775808\"}",
            "{\"type\":\"integer\",\"value\":\"1.5\"}", "{\"type\":\"integer\"}", "{\"type\":\"float\",\"value\":\"1.5\"}",
            "{\"type\":\"float\"}", "{\"type\":\"text\",\"value\":5}", "{\"type\":\"text\"}"})
    void shouldRejectValueWithWrongPayloadWithHttp400(String value) {
        assertHttpError(postRaw(V2, valueBody(value)), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"store_sql\",\"sql\":\"SELECT 1\"}", "{\"type\":\"store_sql\",\"sql_id\":1}",
            "{\"type\":\"store_sql\",\"sql_id\":\"1\",\"sql\":\"SELECT 1\"}", "{\"type\":\"close_sql\"}", "{\"type\":\"sequence\"}",
            "{\"type\":\"describe\",\"sql\":1}", "{\"type\":\"batch\"}", "{\"type\":\"batch\",\"batch\":{}}",
            "{\"type\":\"batch\",\"batch\":{\"steps\":[{}]}}",
            "{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"},\"condition\":{\"type\":\"maybe\"}}]}}"})
    void shouldRejectMalformedOtherRequestsWithHttp400(String request) {
        assertHttpError(postRaw(V3, "{\"requests\":[" + request + "]}"), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"baton\":null}", "{\"baton\":null,\"batch\":[]}", "{\"batch\":{\"steps\":{}}}", "{"})
    void shouldRejectMalformedCursorRequestWithHttp400(String body) {
        assertHttpError(postRaw(CURSOR, body), 400);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 5_000})
    void shouldRejectDeeplyNestedConditionWithHttp400NotServerError(int depth) {
        String cond = "{\"type\":\"not\",\"cond\":".repeat(depth) + "{\"type\":\"ok\",\"step\":0}" + "}".repeat(depth);
        String body = "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"}},"
                + "{\"condition\":" + cond + ",\"stmt\":{\"sql\":\"SELECT 2\"}}]}}]}";

        assertHttpError(postRaw(V3, body), 400);
    }

    @Test
    void shouldRunModeratelyNestedCondition() {
        String cond = "{\"type\":\"not\",\"cond\":".repeat(10) + "{\"type\":\"ok\",\"step\":0}" + "}".repeat(10);
        String body = "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"}},"
                + "{\"condition\":" + cond + ",\"stmt\":{\"sql\":\"SELECT 2\"}}]}},{\"type\":\"close\"}]}";

        Response r = postRaw(V3, body);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode result = okResponse(HranaClient.json(r).get("results").get(0)).get("result");
        assertThat(result.get("step_results").get(1).isNull()).as("not^10(ok) is ok: step 1 runs").isFalse();
    }

    @Test
    void shouldRejectBatonOfWrongTypeWithHttp400() {
        assertHttpError(postRaw(V2, "{\"baton\":12,\"requests\":[]}"), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "", "04696e82778b.1", "!!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void shouldRejectGarbledBatonWithHttp400(String baton) {
        assertHttpError(post(V2, pipeline(baton, execute("SELECT 1"))), 400);
    }

    @Test
    void shouldRejectForgedBatonWithHttp400() {
        String genuine = pipelineOk(V2, null, execute("SELECT 1")).get("baton").asText();
        byte[] raw = Base64.getUrlDecoder().decode(genuine);
        try {
            // flip one bit of the stream id: the signature no longer matches
            byte[] forged = raw.clone();
            forged[3] ^= 0x01;
            assertHttpError(post(V2, pipeline(Base64.getUrlEncoder().withoutPadding().encodeToString(forged), execute("SELECT 1"))), 400);
            // bump the sequence number: still not signed by the server
            byte[] replay = raw.clone();
            replay[16] += 1;
            assertHttpError(post(V2, pipeline(Base64.getUrlEncoder().withoutPadding().encodeToString(replay), execute("SELECT 1"))), 400);
        } finally {
            post(V2, pipeline(genuine, HranaJson.close()));
        }
    }

    @Test
    void shouldRejectReusedOldBatonWithHttp400() {
        try (StreamSession s = new StreamSession(V2)) {
            s.send(execute("SELECT 1"));
            String old = s.baton();
            s.send(execute("SELECT 2"));

            assertHttpError(post(V2, pipeline(old, execute("SELECT 3"))), 400);
        }
    }

    @Test
    void shouldRejectBatonOfClosedStreamWithHttp400() {
        String baton = pipelineOk(V3, null, execute("SELECT 1")).get("baton").asText();
        JsonNode closed = pipelineOk(V3, baton, HranaJson.close());
        assertThat(closed.get("baton").isNull()).isTrue();

        assertHttpError(post(V3, pipeline(baton, execute("SELECT 1"))), 400);
    }

    @Test
    void shouldKillStreamAndRollBackItsTransactionWhenRequestOnItIsMalformed() {
        // HRANA.md: "HTTP-level failures kill the stream"; @libsql/client drops its stream on any HTTP error,
        // so a stream left alive would hold its transaction (and SQLite's write lock) until it expires.
        String t = uniqueTable("killed");
        query("CREATE TABLE " + t + "(a INTEGER)");
        try (StreamSession s = new StreamSession(V2)) {
            s.send(execute("BEGIN IMMEDIATE"), execute("INSERT INTO " + t + " VALUES (1)"));

            Response bad = postRaw(V2, "{\"baton\":\"" + s.baton() + "\",\"requests\":[{\"type\":\"get_autocommit\"}]}");
            assertThat(bad.statusCode()).isEqualTo(400);

            Response afterwards = post(V2, pipeline(s.baton(), execute("SELECT 1")));
            if (afterwards.statusCode() == 200) {
                // keep the live baton so that the session's close still ends the transaction
                s.baton(HranaClient.json(afterwards).get("baton").asText());
            }
            assertThat(afterwards.statusCode()).as("the failed stream's baton must no longer work").isEqualTo(400);
            JsonNode write = pipelineOk(V2, null, execute("INSERT INTO " + t + " VALUES (2)"), HranaJson.close());
            okResponse(write.get("results").get(0));
            assertThat(count("SELECT count(*) FROM " + t + " WHERE a = 1")).isZero();
        }
    }

    @Test
    void shouldAnswerValidRequestAfterRejectingInvalidOneOnSameConnection() {
        assertHttpError(postRaw(V2, "{oops"), 400);

        assertThat(okResponse(pipelineOk(V2, null, execute("SELECT 'fine'"), HranaJson.close()).get("results").get(0)).get("result").get("rows"))
                .isEqualTo(parse("[[{'type':'text','value':'fine'}]]"));
    }
}
