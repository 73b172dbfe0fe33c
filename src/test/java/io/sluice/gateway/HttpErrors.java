package io.sluice.gateway;

import static io.sluice.gateway.HranaClient.json;
import static io.sluice.gateway.HranaClient.scalar;
import static io.sluice.gateway.HranaJson.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;

/** Assertions on HTTP-level Hrana failures. */
final class HttpErrors {
    private HttpErrors() {
    }

    /**
     * Asserts the status and a Hrana error body {@code {message, code}} with {@code Content-Type} exactly
     * {@code application/json} (@libsql/client ignores the body otherwise), then that the server still
     * answers a normal request. Returns the error object.
     */
    static JsonNode assertHttpError(Response r, int status) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(status);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode error = json(r);
        assertThat(error.isObject()).as("error body %s", error).isTrue();
        assertThat(error.path("message").isTextual()).as("message in %s", error).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("code").isTextual()).as("code in %s", error).isTrue();
        assertServerStillAnswers();
        return error;
    }

    static void assertServerStillAnswers() {
        assertThat(scalar("SELECT 40 + 2")).isEqualTo(parse("{'type':'integer','value':'42'}"));
    }
}
