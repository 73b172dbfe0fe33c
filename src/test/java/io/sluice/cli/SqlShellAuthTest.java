package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import io.sluice.gateway.StreamManager;
import io.sluice.testing.Cli;
import io.sluice.testing.TestKeys;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice sql} against a server that requires data API tokens and expires idle streams after 3 s: the
 * token travels as a bearer header, and an open transaction survives an idle prompt because the shell renews
 * its stream.
 */
@QuarkusTest
@TestProfile(SqlShellAuthTest.JwtShortStreams.class)
class SqlShellAuthTest {

    public static class JwtShortStreams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.auth.mode", "jwt", "sluice.auth.jwt-public-keys", TestKeys.pair("sqlshell").publicKeyBase64Url(),
                    "sluice.gateway.stream-idle-timeout", "3s");
        }
    }

    @TestHTTPResource("/")
    URL server;

    @Inject
    StreamManager streams;

    private static String token() {
        return TokenMinter.fromPrivateKeyPem(TestKeys.pair("sqlshell").privateKeyPem(), Clock.systemUTC())
                .mint(Access.READ_WRITE, "shell-test", Duration.ofMinutes(10));
    }

    private Cli.Run stdin(String script, String... args) {
        InputStream previous = System.in;
        System.setIn(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
        try {
            return Cli.run(server, args);
        } finally {
            System.setIn(previous);
        }
    }

    private static String table() {
        return "shell_auth" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    @Test
    void shouldSendTheTokenAsABearerAndFailClearlyWithoutOne() {
        Cli.Run without = stdin("SELECT 1;", "sql");
        Cli.Run with = stdin("SELECT 1 AS one;", "sql", "--token", token(), "--mode", "csv");

        assertThat(without.exit()).isEqualTo(1);
        assertThat(without.err()).startsWith("error UNAUTHORIZED: ").contains("HTTP 401").contains("SLUICE_TOKEN");
        assertThat(with.exit()).as(with.err()).isZero();
        assertThat(with.out()).isEqualTo("one\r\n1\r\n");
    }

    @Test
    void shouldKeepAnIdleTransactionOpenWhileTheShellRenewsItsStream() throws Exception {
        String t = table();
        try (DataClient client = new DataClient(server.toString(), token(), Duration.ofSeconds(30))) {
            client.execute("CREATE TABLE " + t + " (id INTEGER PRIMARY KEY)");
            client.execute("BEGIN");
            client.execute("INSERT INTO " + t + " VALUES (1)");
            assertThat(client.inTransaction()).isTrue();

            // twice the server's idle limit, renewing as the interactive prompt does
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (System.nanoTime() < until) {
                assertThat(client.keepAlive(Duration.ofMillis(200))).isNull();
                Thread.sleep(200);
            }
            client.execute("COMMIT");
            assertThat(client.inTransaction()).isFalse();
            assertThat(client.execute("SELECT count(*) FROM " + t).rows().get(0).get(0).path("value").asText()).isEqualTo("1");
        }
    }

    @Test
    void shouldSayTheTransactionWasRolledBackWhenItsStreamExpired() throws Exception {
        String t = table();
        try (DataClient client = new DataClient(server.toString(), token(), Duration.ofSeconds(30))) {
            client.execute("CREATE TABLE " + t + " (id INTEGER PRIMARY KEY)");
            client.execute("BEGIN");
            client.execute("INSERT INTO " + t + " VALUES (1)");

            // the reaper expires it once idle past 3 s (the other tests closed their streams)
            await().atMost(Duration.ofSeconds(60)).until(() -> streams.openStreamCount() == 0);

            assertThatThrownBy(() -> client.execute("COMMIT")).isInstanceOfSatisfying(DataClient.HranaError.class, e -> {
                assertThat(e.code).isEqualTo("STREAM_EXPIRED");
                assertThat(e.line()).startsWith("error STREAM_EXPIRED: ").contains("(HTTP 400)").endsWith("(the open transaction was rolled back)");
            });
            assertThat(client.inTransaction()).isFalse();
            assertThat(client.execute("SELECT count(*) FROM " + t).rows().get(0).get(0).path("value").asText()).isEqualTo("0");
        }
    }
}
