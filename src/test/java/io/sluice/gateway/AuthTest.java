package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaClient.CURSOR;
import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.errorOf;
import static io.sluice.gateway.HranaClient.json;
import static io.sluice.gateway.HranaClient.ndjson;
import static io.sluice.gateway.HranaClient.okResponse;
import static io.sluice.gateway.HranaJson.batch;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.cursor;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.pipeline;
import static io.sluice.gateway.HranaJson.step;
import static io.sluice.gateway.HranaJson.stmt;
import static io.sluice.gateway.HranaJson.uniqueTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.testing.JwtProfile;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The data API with {@code sluice.auth.mode=jwt}: Ed25519-signed bearer tokens, read-only and read-write. */
@QuarkusTest
@TestProfile(JwtProfile.class)
class AuthTest {

    static TokenMinter.KeyMaterial keys() {
        return JwtProfile.keys();
    }

    private static String token(Access access) {
        return TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), Clock.systemUTC()).mint(access, "tester", Duration.ofMinutes(10));
    }

    private static Response post(String path, String token, JsonNode body) {
        var spec = given().contentType("application/json").body(body.toString().getBytes(StandardCharsets.UTF_8));
        if (token != null) {
            spec.header("Authorization", "Bearer " + token);
        }
        return spec.post(path);
    }

    private static JsonNode ok200(Response r) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(200);
        return json(r);
    }

    private static void assertUnauthorized(Response r) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(401);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode error = json(r);
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("code").isTextual()).isTrue();
    }

    @Test
    void shouldRejectRequestWithoutTokenWith401Json() {
        assertUnauthorized(post(V2, null, pipeline(null, execute("SELECT 1"), close())));
        assertUnauthorized(post(V3, null, pipeline(null, execute("SELECT 1"), close())));
        assertUnauthorized(post(CURSOR, null, cursor(null, batch(step(stmt("SELECT 1"))))));
        byte[] protobuf = HranaProtobuf.pipeline(null, HranaProtobuf.execute("SELECT 1")).toByteArray();
        assertUnauthorized(HranaProtobuf.post(HranaProtobuf.PIPELINE, protobuf));
        assertUnauthorized(HranaProtobuf.post(HranaProtobuf.CURSOR, protobuf));
    }

    @Test
    void shouldServeProtobufWithAReadWriteToken() throws Exception {
        byte[] body = HranaProtobuf.pipeline(null, HranaProtobuf.execute("SELECT 41 + 1"), HranaProtobuf.close()).toByteArray();

        Response r = given().contentType(HranaProtobuf.TYPE).header("Authorization", "Bearer " + token(Access.READ_WRITE))
                .body(body).post(HranaProtobuf.PIPELINE);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(HranaProtobuf.parse(r.asByteArray()).getResults(0).getOk().getExecute().getResult().getRows(0).getValues(0).getInteger())
                .isEqualTo(42);
    }

    @Test
    void shouldRejectGarbageTokenWith401() {
        assertUnauthorized(post(V2, "not.a.jwt", pipeline(null, execute("SELECT 1"), close())));
        Response basic = given().contentType("application/json").header("Authorization", "Basic dXNlcjpwYXNz")
                .body(pipeline(null, execute("SELECT 1")).toString()).post(V2);
        assertUnauthorized(basic);
    }

    @Test
    void shouldReadAndWriteWithReadWriteToken() {
        String t = uniqueTable("rw");
        String rw = token(Access.READ_WRITE);

        JsonNode body = ok200(post(V2, rw, pipeline(null, execute("CREATE TABLE " + t + "(a)"),
                execute("INSERT INTO " + t + " VALUES (1)"), execute("SELECT count(*) FROM " + t), close())));

        for (JsonNode r : body.get("results")) {
            okResponse(r);
        }
        assertThat(okResponse(body.get("results").get(2)).get("result").get("rows").get(0).get(0).get("value").asText()).isEqualTo("1");
    }

    @Test
    void shouldLetReadOnlyTokenSelectButRefuseInsertWithSqliteReadonly() {
        String t = uniqueTable("ro");
        ok200(post(V2, token(Access.READ_WRITE), pipeline(null, execute("CREATE TABLE " + t + "(a)"),
                execute("INSERT INTO " + t + " VALUES (1)"), close())));
        String ro = token(Access.READ_ONLY);

        JsonNode body = ok200(post(V2, ro, pipeline(null, execute("SELECT count(*) FROM " + t),
                execute("INSERT INTO " + t + " VALUES (2)"), execute("UPDATE " + t + " SET a = 5"), close())));

        assertThat(okResponse(body.get("results").get(0)).get("result").get("rows").get(0).get(0).get("value").asText()).isEqualTo("1");
        assertThat(errorOf(body.get("results").get(1)).get("code").asText()).isEqualTo("SQLITE_READONLY");
        assertThat(errorOf(body.get("results").get(2)).get("code").asText()).isEqualTo("SQLITE_READONLY");
        JsonNode after = ok200(post(V2, ro, pipeline(null, execute("SELECT sum(a) FROM " + t), close())));
        assertThat(okResponse(after.get("results").get(0)).get("result").get("rows").get(0).get(0).get("value").asText()).isEqualTo("1");
    }

    @Test
    void shouldRefuseWriteOfReadOnlyTokenInsideCursor() {
        String ro = token(Access.READ_ONLY);

        Response r = post(CURSOR, ro, cursor(null, batch(step(stmt("CREATE TABLE " + uniqueTable("rocur") + "(a)")), step(stmt("SELECT 1")))));

        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> entries = ndjson(r.asString());
        assertThat(entries.get(1).get("type").asText()).isEqualTo("step_error");
        assertThat(entries.get(1).get("error").get("code").asText()).isEqualTo("SQLITE_READONLY");
        ok200(post(V3, ro, pipeline(entries.get(0).get("baton").asText(), close())));
    }

    @Test
    void shouldRejectExpiredTokenWith401() {
        Clock hourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), hourAgo).mint(Access.READ_WRITE, "late", Duration.ofMinutes(5));

        assertUnauthorized(post(V2, expired, pipeline(null, execute("SELECT 1"), close())));
    }

    @Test
    void shouldRejectTokenSignedByAnotherKeyWith401() {
        TokenMinter.KeyMaterial other = TokenMinter.generateKeyPair();
        String foreign =
                TokenMinter.fromPrivateKeyPem(other.privateKeyPem(), Clock.systemUTC()).mint(Access.READ_WRITE, "mallory", Duration.ofMinutes(5));

        assertUnauthorized(post(V2, foreign, pipeline(null, execute("SELECT 1"), close())));
    }

    @Test
    void shouldRequireTokenOnEveryRequestOfStream() {
        String rw = token(Access.READ_WRITE);
        String baton = ok200(post(V3, rw, pipeline(null, execute("SELECT 1")))).get("baton").asText();

        assertUnauthorized(post(V3, null, pipeline(baton, execute("SELECT 2"))));
    }

    @Test
    void shouldServeHealthAndVersionWithoutToken() {
        given().get("/health").then().statusCode(200);
        given().get("/version").then().statusCode(200);
    }
}
