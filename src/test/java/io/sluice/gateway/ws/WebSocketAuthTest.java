package io.sluice.gateway.ws;

import static io.sluice.gateway.ws.WsClient.F;
import static io.sluice.gateway.ws.WsClient.execute;
import static io.sluice.gateway.ws.WsClient.openStream;
import static io.sluice.gateway.ws.WsClient.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.gateway.proto.HranaWsProto;
import io.sluice.testing.JwtProfile;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code hello} over WebSocket with {@code sluice.auth.mode=jwt}: the same Ed25519 JWT verifier as the HTTP
 * data API, {@code hello_error} and a close for a bad token, nothing served before a good hello, and
 * re-authentication on Hrana 2 and later (but never taking over another principal's streams), and every
 * request refused once the token of the last hello has expired.
 */
@QuarkusTest
@TestProfile(JwtProfile.class)
class WebSocketAuthTest {

    static TokenMinter.KeyMaterial keys() {
        return JwtProfile.keys();
    }

    @TestHTTPResource("/")
    URL url;

    private static String token(Access access, String subject) {
        return TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), Clock.systemUTC()).mint(access, subject, Duration.ofMinutes(10));
    }

    private WsClient connect(String... subprotocols) {
        return WsClient.connect(url.getPort(), subprotocols);
    }

    private static ObjectNode hello(String jwt) {
        ObjectNode hello = F.objectNode().put("type", "hello");
        hello.put("jwt", jwt);
        return hello;
    }

    @Test
    void shouldServeAClientWhoseHelloCarriesAValidToken() {
        try (WsClient c = connect("hrana3")) {
            c.hello(token(Access.READ_WRITE, "alice"));
            c.call(1, openStream(1));
            assertThat(rows(c.call(2, execute(1, "SELECT 1")).path("result"))).containsExactly(List.of("1"));
        }
    }

    @Test
    void shouldAnswerHelloErrorAndCloseForABadOrMissingToken() {
        for (String jwt : new String[] {null, "not-a-jwt", token(Access.READ_WRITE, "alice") + "x"}) {
            try (WsClient c = connect("hrana3")) {
                c.send(hello(jwt));
                // requests sent right behind the hello are ignored
                c.request(1, openStream(1));
                JsonNode answer = c.next();
                assertThat(answer.path("type").asText()).as("answer to hello(%s)", jwt).isEqualTo("hello_error");
                assertThat(answer.path("error").path("code").asText()).isEqualTo("UNAUTHORIZED");
                assertThat(c.awaitClose()).isEqualTo((short) 1008);
            }
        }
    }

    @Test
    void shouldAuthenticateAProtobufConnectionAndAnswerABadTokenWithABinaryHelloError() throws Exception {
        try (WsClient c = connect("hrana3-protobuf")) {
            c.sendBinary(HranaWsProto.ClientMsg.newBuilder().setHello(HranaWsProto.HelloMsg.newBuilder()
                    .setJwt(token(Access.READ_WRITE, "alice"))).build().toByteArray());
            assertThat(HranaWsProto.ServerMsg.parseFrom(c.nextBinary()).hasHelloOk()).isTrue();
        }
        try (WsClient c = connect("hrana3-protobuf")) {
            c.sendBinary(HranaWsProto.ClientMsg.newBuilder().setHello(HranaWsProto.HelloMsg.newBuilder().setJwt("not-a-jwt"))
                    .build().toByteArray());
            HranaWsProto.ServerMsg answer = HranaWsProto.ServerMsg.parseFrom(c.nextBinary());
            assertThat(answer.getHelloError().getError().getCode()).isEqualTo("UNAUTHORIZED");
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldServeNothingBeforeHello() {
        try (WsClient c = connect("hrana3")) {
            c.request(1, openStream(1));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldEnforceAReadOnlyTokenOnItsStreams() {
        String t = "ws_auth_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (WsClient c = connect("hrana3")) {
            c.hello(token(Access.READ_WRITE, "alice"));
            c.call(1, openStream(1));
            c.call(2, execute(1, "CREATE TABLE " + t + " (x)"));
        }
        try (WsClient c = connect("hrana3")) {
            c.hello(token(Access.READ_ONLY, "reader"));
            c.call(1, openStream(1));
            assertThat(rows(c.call(2, execute(1, "SELECT count(*) FROM " + t)).path("result"))).containsExactly(List.of("0"));
            JsonNode refused = c.callError(3, execute(1, "INSERT INTO " + t + " VALUES (1)"));
            assertThat(refused.path("message").asText()).contains("read-only");
        }
    }

    @Test
    void shouldReauthenticateOnHrana2AndKeepEachStreamWithItsPrincipal() {
        try (WsClient c = connect("hrana2")) {
            c.hello(token(Access.READ_WRITE, "alice"));
            c.call(1, openStream(1));
            c.hello(token(Access.READ_WRITE, "alice")); // a fresh token for the same principal: the stream goes on
            assertThat(rows(c.call(2, execute(1, "SELECT 2")).path("result"))).containsExactly(List.of("2"));
            c.hello(token(Access.READ_WRITE, "mallory")); // another principal: alice's stream is not theirs
            assertThat(c.callError(3, execute(1, "SELECT 3")).path("code").asText()).isEqualTo("FORBIDDEN");
            c.call(4, openStream(2));
            assertThat(rows(c.call(5, execute(2, "SELECT 5")).path("result"))).containsExactly(List.of("5"));
            // a failed re-authentication ends the connection
            c.send(hello("garbage"));
            assertThat(c.next().path("type").asText()).isEqualTo("hello_error");
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }

    @Test
    void shouldRefuseRequestsOnceTheHelloTokenHasExpiredUntilANewHello() throws Exception {
        // minted so that it expires five seconds from now (a lifetime is whole seconds, counted from iat):
        // room for the hello and the stream on a busy machine
        Instant expiry = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
        String shortLived = TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), Clock.fixed(expiry.minusSeconds(60), ZoneOffset.UTC))
                .mint(Access.READ_WRITE, "alice", Duration.ofSeconds(60));
        try (WsClient c = connect("hrana3")) {
            c.hello(shortLived);
            c.call(1, openStream(1));
            while (!Instant.now().isAfter(expiry.plusMillis(100))) {
                Thread.sleep(100);
            }

            JsonNode refused = c.callError(3, execute(1, "SELECT 2"));
            assertThat(refused.path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(refused.path("message").asText()).isEqualTo("Authentication failed: token expired");
            assertThat(c.callError(4, openStream(2)).path("code").asText()).isEqualTo("UNAUTHORIZED");

            // a fresh token on the same connection (Hrana 2 and later) serves the same principal's stream again
            c.hello(token(Access.READ_WRITE, "alice"));
            assertThat(rows(c.call(5, execute(1, "SELECT 5")).path("result"))).containsExactly(List.of("5"));
        }
    }

    @Test
    void shouldCloseAHrana1ConnectionThatSaysHelloTwice() {
        try (WsClient c = connect("hrana1")) {
            c.hello(token(Access.READ_WRITE, "alice"));
            c.send(hello(token(Access.READ_WRITE, "alice")));
            assertThat(c.awaitClose()).isEqualTo((short) 1008);
        }
    }
}
