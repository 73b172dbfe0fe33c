package io.sluice.gateway;

import static io.restassured.RestAssured.given;
import static io.sluice.gateway.HranaClient.V2;
import static io.sluice.gateway.HranaClient.V3;
import static io.sluice.gateway.HranaClient.json;
import static io.sluice.gateway.HranaJson.close;
import static io.sluice.gateway.HranaJson.execute;
import static io.sluice.gateway.HranaJson.getAutocommit;
import static io.sluice.gateway.HranaJson.pipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sluice.auth.Access;
import io.sluice.auth.Principal;
import io.sluice.auth.TokenMinter;
import io.sluice.config.RuntimeSettingsService;
import io.sluice.config.SettingsExport;
import io.sluice.flags.Buckets;
import io.sluice.flags.FlagService;
import io.sluice.pool.Backend;
import io.sluice.pool.LeaseView;
import io.sluice.testing.Cli;
import io.sluice.testing.TestKeys;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fair share with real Ed25519 tokens: per-principal stream and lease limits (here automatic: half of 8
 * streams, 4 - 1 connections), batons bound to the principal that opened the stream, and rollout buckets
 * that follow the token, never a header.
 */
@QuarkusTest
@TestProfile(FairShareTest.Jwt.class)
class FairShareTest {
    private static final int STREAMS_PER_PRINCIPAL = 4;
    private static final int LEASES_PER_PRINCIPAL = 3;
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofMillis(1500);
    private static final String BATON_KEY = "fair-share-test-baton-key";

    public static class Jwt implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.auth.mode", "jwt", "sluice.auth.jwt-public-keys", keys().publicKeyBase64Url(),
                    "sluice.gateway.max-streams", "8", "sluice.pool.max-connections", "4", "sluice.pool.min-connections", "0",
                    "sluice.pool.acquire-timeout", ACQUIRE_TIMEOUT.toMillis() + "ms", "sluice.gateway.baton-key", BATON_KEY);
        }
    }

    static TokenMinter.KeyMaterial keys() {
        return TestKeys.pair("fairshare");
    }

    private static String token(String subject, Duration ttl) {
        return TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), Clock.systemUTC()).mint(Access.READ_WRITE, subject, ttl);
    }

    private static final String ALICE = token("alice", Duration.ofMinutes(10));
    private static final String ALICE_AGAIN = token("alice", Duration.ofMinutes(11));
    private static final String BOB = token("bob", Duration.ofMinutes(10));
    private static final String NO_SUB_1 = token(null, Duration.ofMinutes(10));
    private static final String NO_SUB_2 = token(null, Duration.ofMinutes(11));

    @Inject
    StreamManager streams;
    @Inject
    RuntimeSettingsService settings;
    @Inject
    FlagService flags;
    @Inject
    Backend backend;
    @TestHTTPResource("/")
    URL server;

    /** Streams to close after each test: token and latest baton. */
    private final List<String[]> held = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (String[] h : held) {
            send(h[0], V2, h[1], close());
        }
        held.clear();
        settings.update("gateway", "maxStreamsPerPrincipal", "0", "test", "reset");
        settings.update("gateway", "maxLeasesPerPrincipal", "0", "test", "reset");
        flags.rollout("ENABLE_CONNECTION_POOL", 100, "test", "reset");
        await().atMost(Duration.ofSeconds(15)).until(() -> streams.expireIdleNow() == 0);
    }

    private static Response send(String token, String path, String baton, JsonNode... requests) {
        var spec = given().contentType("application/json").body(pipeline(baton, requests).toString().getBytes(StandardCharsets.UTF_8));
        if (token != null) {
            spec.header("Authorization", "Bearer " + token);
        }
        return spec.post(path);
    }

    private static Response sendAs(String token, String header, String path, String baton, JsonNode... requests) {
        var spec = given().contentType("application/json").header("x-sluice-client", header)
                .body(pipeline(baton, requests).toString().getBytes(StandardCharsets.UTF_8));
        return spec.header("Authorization", "Bearer " + token).post(path);
    }

    private static String baton(Response r) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(200);
        return json(r).get("baton").asText();
    }

    /** Opens a stream that holds no connection (v3 get_autocommit needs none). */
    private String openWithoutLease(String token) {
        String b = baton(send(token, V3, null, getAutocommit()));
        held.add(new String[] {token, b});
        return b;
    }

    /** Opens a stream that holds a connection: a transaction left open. */
    private String openWithLease(String token) {
        String b = baton(send(token, V2, null, execute("BEGIN"), execute("SELECT 1")));
        held.add(new String[] {token, b});
        return b;
    }

    private void closeHeld(String baton) {
        for (String[] h : held) {
            if (h[1].equals(baton)) {
                assertThat(send(h[0], V2, baton, close()).statusCode()).isEqualTo(200);
                held.remove(h);
                return;
            }
        }
        throw new AssertionError("not held: " + baton);
    }

    private static void assertTooMany(Response r, String code) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(429);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(r.getHeader("Retry-After")).as("Retry-After").isNotNull().matches("[1-9][0-9]*");
        JsonNode error = json(r);
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).isNotBlank();
    }

    private static void assertInvalidBaton(Response r) {
        assertThat(r.statusCode()).as("status, body %s", r.asString()).isEqualTo(400);
        assertThat(json(r).get("message").asText()).isEqualTo("Invalid baton");
    }

    @Test
    void shouldRefuseAPrincipalsStreamBeyondItsShareWith429WhileAnotherPrincipalIsServed() {
        for (int i = 0; i < STREAMS_PER_PRINCIPAL; i++) {
            openWithoutLease(ALICE);
        }

        assertTooMany(send(ALICE_AGAIN, V3, null, getAutocommit()), "PRINCIPAL_STREAMS_EXHAUSTED");
        openWithoutLease(BOB);
        openWithoutLease(NO_SUB_1);
        assertThat(streams.openStreamsOf("sub:alice")).isEqualTo(STREAMS_PER_PRINCIPAL);

        closeHeld(held.get(0)[1]);
        openWithoutLease(ALICE);
    }

    @Test
    void shouldCountEachTokenWithoutSubjectAsAPrincipalOfItsOwn() {
        for (int i = 0; i < STREAMS_PER_PRINCIPAL; i++) {
            openWithoutLease(NO_SUB_1);
        }

        assertTooMany(send(NO_SUB_1, V3, null, getAutocommit()), "PRINCIPAL_STREAMS_EXHAUSTED");
        openWithoutLease(NO_SUB_2);
    }

    @Test
    void shouldMakeAPrincipalAtItsLeaseLimitWaitThenRefuse429WhileAnotherPrincipalGetsAConnection() {
        for (int i = 0; i < LEASES_PER_PRINCIPAL; i++) {
            openWithLease(ALICE);
        }

        long start = System.nanoTime();
        Response refused = send(ALICE, V2, null, execute("BEGIN"), close());
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTooMany(refused, "PRINCIPAL_LEASES_EXHAUSTED");
        assertThat(waitedMs).as("waited for one of its own leases, about the acquire timeout")
                .isGreaterThanOrEqualTo(ACQUIRE_TIMEOUT.toMillis() - 100);
        assertThat(send(BOB, V2, null, execute("BEGIN"), close()).statusCode()).as("the pool's last connection is still there for bob")
                .isEqualTo(200);
        assertThat(streams.openStreamsOf("sub:alice")).as("the refused stream was closed").isEqualTo(LEASES_PER_PRINCIPAL);
        assertThat(backend.leases()).hasSize(LEASES_PER_PRINCIPAL);
    }

    @Test
    void shouldRefuseACursorOfAPrincipalAtItsLeaseLimitBeforeItsBodyStarts() {
        for (int i = 0; i < LEASES_PER_PRINCIPAL; i++) {
            openWithLease(ALICE);
        }

        Response r = given().contentType("application/json").header("Authorization", "Bearer " + ALICE)
                .body(HranaJson.cursor(null, HranaJson.batch(HranaJson.step(HranaJson.stmt("SELECT 1")))).toString()).post(HranaClient.CURSOR);

        assertTooMany(r, "PRINCIPAL_LEASES_EXHAUSTED");
        assertThat(streams.openStreamsOf("sub:alice")).isEqualTo(LEASES_PER_PRINCIPAL);
    }

    @Test
    void shouldGiveAWaitingStreamThePrincipalsLeaseAsSoonAsOneOfItsOwnEnds() throws Exception {
        List<String> batons = new ArrayList<>();
        for (int i = 0; i < LEASES_PER_PRINCIPAL; i++) {
            batons.add(openWithLease(ALICE));
        }

        CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> send(ALICE, V2, null, execute("BEGIN"), close()));
        Thread.sleep(200);
        closeHeld(batons.get(0));

        assertThat(waiting.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseAnotherPrincipalsBatonAndKeepTheStreamForItsOwner() {
        String table = HranaJson.uniqueTable("share_baton");
        assertThat(send(ALICE, V2, null, execute("CREATE TABLE " + table + " (a)"), close()).statusCode()).isEqualTo(200);
        String baton = baton(send(ALICE, V2, null, execute("BEGIN"), execute("INSERT INTO " + table + " VALUES (1)")));

        assertInvalidBaton(send(BOB, V2, baton, execute("INSERT INTO " + table + " VALUES (2)"), execute("COMMIT")));
        assertInvalidBaton(send(NO_SUB_1, V2, baton, execute("INSERT INTO " + table + " VALUES (3)"), execute("COMMIT")));

        // another token of the same subject is the same principal
        Response own = send(ALICE_AGAIN, V2, baton, execute("INSERT INTO " + table + " VALUES (4)"), execute("COMMIT"), close());
        assertThat(own.statusCode()).as("body %s", own.asString()).isEqualTo(200);
        Response count = send(BOB, V2, null, execute("SELECT group_concat(a) FROM " + table), close());
        assertThat(json(count).at("/results/0/response/result/rows/0/0/value").asText()).isEqualTo("1,4");
    }

    @Test
    void shouldRefuseTheBatonOfATokenWithoutSubjectToAnotherSuchToken() {
        String baton = baton(send(NO_SUB_1, V2, null, execute("SELECT 1")));

        assertInvalidBaton(send(NO_SUB_2, V2, baton, execute("SELECT 2")));

        Response own = send(NO_SUB_1, V2, baton, execute("SELECT 3"), close());
        assertThat(own.statusCode()).as("body %s", own.asString()).isEqualTo(200);
    }

    @Test
    void shouldRefuseAnotherPrincipalsBatonBeforeForwardingItToTheReplicaThatOwnsIt() {
        // a baton signed with the shared key by a replica that is gone, for a stream of alice
        String foreign = new Batons(BATON_KEY, "http://127.0.0.1:9").issue(42, 1, Batons.binding("sub:alice"));

        assertInvalidBaton(send(BOB, V2, foreign, execute("SELECT 1")));

        Response forwarded = send(ALICE, V2, foreign, execute("SELECT 1"));
        assertThat(forwarded.statusCode()).as("body %s", forwarded.asString()).isEqualTo(400);
        assertThat(json(forwarded).get("code").asText()).as("alice's request went to the owner, which is gone").isEqualTo("STREAM_EXPIRED");
    }

    @Test
    void shouldKeyTheRolloutOfATokenWithoutSubjectByTheTokenNeverByTheHeader() {
        flags.rollout("ENABLE_CONNECTION_POOL", 50, "test", "half the keys pooled");
        String pooledHeader = null;
        String directHeader = null;
        for (int i = 0; pooledHeader == null || directHeader == null; i++) {
            boolean pooled = Buckets.bucket("ENABLE_CONNECTION_POOL", "client-" + i) <= 50;
            if (pooled && pooledHeader == null) {
                pooledHeader = "client-" + i;
            } else if (!pooled && directHeader == null) {
                directHeader = "client-" + i;
            }
        }

        for (String token : List.of(NO_SUB_1, NO_SUB_2, BOB)) {
            Principal p = new Principal(token == BOB ? "bob" : null, Access.READ_WRITE, false, token == BOB ? null : Principal.fingerprint(token));
            boolean expected = Buckets.bucket("ENABLE_CONNECTION_POOL", p.rolloutKey()) <= 50;
            for (String header : List.of(pooledHeader, directHeader)) {
                String b = baton(sendAs(token, header, V2, null, execute("BEGIN"), execute("SELECT 1")));
                held.add(new String[] {token, b});
                assertThat(leaseOf(b).pooled()).as("pooled lease for token %s with header %s", p.rolloutKey(), header).isEqualTo(expected);
                closeHeld(b);
            }
        }
    }

    /** The lease of the stream a baton names (the stream id is bytes 1..8 of the baton). */
    private LeaseView leaseOf(String baton) {
        long id = ByteBuffer.wrap(Base64.getUrlDecoder().decode(baton), 1, 8).getLong();
        return backend.leases().stream().filter(l -> l.holderStream().equals(Long.toHexString(id))).findFirst()
                .orElseThrow(() -> new AssertionError("no lease for stream " + Long.toHexString(id)));
    }

    @Test
    void shouldApplyPerPrincipalLimitsLiveAndShowThemInTheExport() {
        settings.update("gateway", "maxStreamsPerPrincipal", "1", "test", "one each");
        openWithoutLease(ALICE);
        assertTooMany(send(ALICE, V3, null, getAutocommit()), "PRINCIPAL_STREAMS_EXHAUSTED");
        openWithoutLease(BOB);

        settings.update("gateway", "maxStreamsPerPrincipal", "3", "test", "three each");
        settings.update("gateway", "maxLeasesPerPrincipal", "1", "test", "one connection each");
        openWithLease(ALICE);
        assertTooMany(send(ALICE, V2, null, execute("BEGIN"), close()), "PRINCIPAL_LEASES_EXHAUSTED");

        settings.update("gateway", "maxLeasesPerPrincipal", "0", "test", "automatic again");
        assertThat(send(ALICE, V2, null, execute("BEGIN"), close()).statusCode()).isEqualTo(200);

        String export = settings.export(SettingsExport.Format.PROPERTIES, Map.of());
        assertThat(export).contains("sluice.runtime.gateway.maxStreamsPerPrincipal=3", "sluice.runtime.gateway.maxLeasesPerPrincipal=0");
        String admin =
                TokenMinter.fromPrivateKeyPem(keys().privateKeyPem(), Clock.systemUTC()).mint(Access.READ_WRITE, "ops", Duration.ofMinutes(5), true);
        Cli.Run shown = Cli.run(server, "config:show", "gateway", "--json", "--token", admin);
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("maxStreamsPerPrincipal", "maxLeasesPerPrincipal");
    }
}
