package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaClient.post;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.batchRequest;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.integer;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.text;
import static io.sluice.gateway.HttpErrors.assertHttpError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request and response size limits, with a 64 KiB request limit and a 32 KiB response limit. */
@QuarkusTest
@TestProfile(SmallLimitsTest.SmallLimits.class)
class SmallLimitsTest {
    static final int MAX_REQUEST = 64 * 1024;
    static final int MAX_RESPONSE = 32 * 1024;

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "sluice.gateway.max-request-bytes", Integer.toString(MAX_REQUEST),
                    "sluice.gateway.max-response-bytes", Integer.toString(MAX_RESPONSE));
        }
    }

    /** A query whose result is about {@code rows} × 100 characters of text. */
    private static String bigSelect(int rows) {
        return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") "
                + "SELECT i, printf('%100d', i) FROM n";
    }

    @Test
    void shouldRejectOversizeBodyWith413AndJsonError() {
        String big = "x".repeat(MAX_REQUEST + 1024);

        Response r = post(V2, pipeline(null, execute(stmt("SELECT length(?)", text(big))), close()));

        assertHttpError(r, 413);
    }

    @Test
    void shouldRejectOversizeChunkedBodyWith413() {
        byte[] body = pipeline(null, execute(stmt("SELECT length(?)", text("y".repeat(MAX_REQUEST * 2)))), close())
                .toString().getBytes(StandardCharsets.UTF_8);

        Response r = given().contentType("application/json").body(new ByteArrayInputStream(body)).post(V3);

        assertHttpError(r, 413);
    }

    @Test
    void shouldRejectOversizeProtobufBodyWith413BeforeReadingIt() throws Exception {
        // headers only: the answer must come from the declared length alone, before any body byte is sent
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(10_000);
            String head = "POST " + HranaProtobuf.PIPELINE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + HranaProtobuf.TYPE + "\r\nContent-Length: " + (MAX_REQUEST + 1) + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer).containsIgnoringCase("content-type: application/json\r\n");
            assertThat(answer).contains("\"code\":\"REQUEST_TOO_LARGE\"");
        }
    }

    @Test
    void shouldFailAProtobufStatementWhoseResultExceedsResponseLimitAndKeepTheRest() {
        io.sluice.gateway.proto.HranaHttpProto.PipelineRespBody body = HranaProtobuf.pipelineOk(null,
                HranaProtobuf.execute(bigSelect(1000)), HranaProtobuf.execute("SELECT 1"), HranaProtobuf.close());

        assertThat(HranaProtobuf.error(body, 0).getCode()).isEqualTo("RESPONSE_TOO_LARGE");
        assertThat(HranaProtobuf.ok(body, 1).getExecute().getResult().getRows(0).getValues(0).getInteger()).isEqualTo(1);
    }

    @Test
    void shouldAcceptBodyJustUnderLimit() {
        String text = "z".repeat(MAX_REQUEST - 1024);

        JsonNode body = pipelineOk(V2, null, execute(stmt("SELECT length(?)", text(text))), close());

        assertThat(okResponse(body.get("results").get(0)).get("result").get("rows").get(0).get(0)).isEqualTo(integer(text.length()));
    }

    @Test
    void shouldFailStatementWhoseResultExceedsResponseLimitWithResponseTooLarge() {
        JsonNode body = pipelineOk(V2, null, execute(bigSelect(2_000)), execute("SELECT 'next'"), close());

        assertThat(errorOf(body.get("results").get(0)).get("code").asText()).isEqualTo("RESPONSE_TOO_LARGE");
        assertThat(okResponse(body.get("results").get(1)).get("result").get("rows").get(0).get(0)).isEqualTo(text("next"));
    }

    @Test
    void shouldFailBatchWhoseResultsTogetherExceedResponseLimit() {
        JsonNode body = pipelineOk(V3, null, batchRequest(batch(
                step(stmt(bigSelect(150))), step(stmt(bigSelect(150))), step(stmt(bigSelect(150))))), close());

        assertThat(errorOf(body.get("results").get(0)).get("code").asText()).isEqualTo("RESPONSE_TOO_LARGE");
    }

    @Test
    void shouldReturnResultJustUnderResponseLimit() {
        JsonNode body = pipelineOk(V2, null, execute(bigSelect(100)), close());

        assertThat(okResponse(body.get("results").get(0)).get("result").get("rows")).hasSize(100);
    }

    @Test
    void shouldKeepStreamUsableAfterResponseTooLarge() {
        try (StreamSession s = new StreamSession(V3)) {
            JsonNode first = s.send(execute(bigSelect(2_000)));
            JsonNode second = s.send(execute("SELECT 1"));

            assertThat(errorOf(first.get(0)).get("code").asText()).isEqualTo("RESPONSE_TOO_LARGE");
            okResponse(second.get(0));
        }
    }
}
