package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaClient.cursorOk;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaClient.pipelineOk;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.cursor;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.parse;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Version probes, health, version, and the endpoints under a base-URL path prefix. */
@QuarkusTest
class EndpointsTest {

    @ParameterizedTest
    @ValueSource(strings = {"/v2", "/v3", "/v3-protobuf", "/db/v2", "/db/v3", "/db/v3-protobuf"})
    void shouldAnswerVersionProbeWithSuccess(String path) {
        int status = given().get(path).statusCode();

        assertThat(status).isBetween(200, 299);
    }

    @Test
    void shouldAnswerHealthWithEmptyOk() {
        given().get("/health").then().statusCode(200).body(emptyString());
    }

    @Test
    void shouldAnswerVersionWithText() {
        Response r = given().get("/version");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.getContentType()).startsWith("text/plain");
        given().get("/version").then().body(not(emptyString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/db/v2/pipeline", "/db/v3/pipeline", "/a/b/c/v2/pipeline", "/v2/v2/pipeline"})
    void shouldServePipelineUnderPathPrefix(String path) {
        JsonNode body = pipelineOk(path, null, execute("SELECT 'prefixed'"), close());

        assertThat(okResponse(body.get("results").get(0)).get("result").get("rows"))
                .isEqualTo(parse("[[{'type':'text','value':'prefixed'}]]"));
    }

    @Test
    void shouldServeCursorUnderPathPrefix() {
        Response r = HranaClient.post("/db/v3/cursor", cursor(null, batch(step(stmt("SELECT 5")))));

        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> entries = HranaClient.ndjson(r.asString());
        assertThat(entries.get(2)).isEqualTo(parse("{'type':'row','row':[{'type':'integer','value':'5'}]}"));
        pipelineOk("/db/v3/pipeline", entries.get(0).get("baton").asText(), close());
    }

    @Test
    void shouldContinueStreamOpenedUnderPrefixAtRootPath() {
        List<JsonNode> entries = cursorOk(cursor(null, batch(step(stmt("SELECT 1")))));

        JsonNode body = pipelineOk("/db/v3/pipeline", entries.get(0).get("baton").asText(), execute("SELECT 2"), close());

        assertThat(body.get("baton").isNull()).isTrue();
    }

    @Test
    void shouldNotServeUnknownPaths() {
        given().contentType("application/json").body("{\"requests\":[]}").post("/v4/pipeline").then().statusCode(404);
        given().contentType("application/json").body("{\"batch\":{\"steps\":[]}}").post("/v2/cursor").then().statusCode(404);
    }
}
