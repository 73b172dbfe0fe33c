package io.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sluice.sql.FailureClass;
import io.sluice.sql.SqlErrors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each fault mode of {@link FaultProxy}, seen by pgjdbc talking to the real PostgreSQL through it. */
@ExtendWith(Postgres.class)
class FaultProxyTest {
    private static final Pattern PG_URL = Pattern.compile("^jdbc:postgresql://([^/:?]+)(?::(\\d+))?(/.*)?$");

    private FaultProxy proxy;

    @BeforeEach
    void startProxy() throws IOException {
        Matcher m = matchUrl();
        proxy = new FaultProxy(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)));
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    @Test
    void shouldForwardQueriesInPassMode() throws Exception {
        try (Connection c = connect("")) {
            assertThat(selectOne(c)).isEqualTo(1);
            assertThat(proxy.activeConnections()).isEqualTo(1);
        }

        assertThat(proxy.acceptedConnections()).isEqualTo(1);
        awaitTrue(() -> proxy.activeConnections() == 0, "the closed connection leaves the proxy");
    }

    @Test
    void shouldRefuseNewConnectionsFastWhileOpenOnesKeepWorking() throws Exception {
        try (Connection open = connect("")) {
            proxy.setMode(FaultProxy.Mode.REFUSE);

            long start = System.nanoTime();
            Throwable refused = catchThrowable(() -> connect("&connectTimeout=10&loginTimeout=10").close());
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(refused).isInstanceOf(SQLException.class);
            assertThat(SqlErrors.classify(refused)).isEqualTo(FailureClass.CONNECTION);
            assertThat(elapsedMs).as("refused, not timed out").isLessThan(3_000);
            assertThat(proxy.refusedConnections()).isPositive();
            assertThat(selectOne(open)).isEqualTo(1);
        }
    }

    @Test
    void shouldCutOpenConnectionsOnDropAndRecoverInPass() throws Exception {
        try (Connection open = connect("")) {
            assertThat(selectOne(open)).isEqualTo(1);

            proxy.setMode(FaultProxy.Mode.DROP);

            Throwable lost = catchThrowable(() -> selectOne(open));
            assertThat(lost).isInstanceOf(SQLException.class);
            assertThat(((SQLException) lost).getSQLState()).startsWith("08");
            assertThat(SqlErrors.classify(lost)).isEqualTo(FailureClass.CONNECTION);
            assertThat(proxy.activeConnections()).isZero();
            assertThat(catchThrowable(() -> connect("").close())).isInstanceOf(SQLException.class);
        }

        proxy.setMode(FaultProxy.Mode.PASS);
        try (Connection again = connect("")) {
            assertThat(selectOne(again)).isEqualTo(1);
        }
    }

    @Test
    void shouldAddLatencyToEveryChunkInDelayMode() throws Exception {
        try (Connection c = connect("")) {
            selectOne(c);
            proxy.setMode(FaultProxy.delay(Duration.ofMillis(150)));

            long start = System.nanoTime();
            assertThat(selectOne(c)).isEqualTo(1);
            long delayedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            proxy.setMode(FaultProxy.Mode.PASS);
            start = System.nanoTime();
            assertThat(selectOne(c)).isEqualTo(1);
            long passMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            // request and response are each held 150 ms; in pass mode neither is (the bound leaves a busy machine room)
            assertThat(delayedMs).isGreaterThanOrEqualTo(300);
            assertThat(passMs).isLessThan(300);
        }
    }

    @Test
    void shouldHangQueriesInBlackholeModeUntilTheSocketTimeout() throws Exception {
        try (Connection c = connect("&socketTimeout=1")) {
            assertThat(selectOne(c)).isEqualTo(1);
            proxy.setMode(FaultProxy.Mode.BLACKHOLE);

            long start = System.nanoTime();
            Throwable hung = catchThrowable(() -> selectOne(c));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(hung).isInstanceOf(SQLException.class).hasRootCauseInstanceOf(SocketTimeoutException.class);
            assertThat(SqlErrors.classify(hung)).isEqualTo(FailureClass.CONNECTION);
            assertThat(elapsedMs).isBetween(900L, 10_000L);
        }
    }

    @Test
    void shouldAcceptButNeverAnswerNewConnectionsInBlackholeMode() throws Exception {
        proxy.setMode(FaultProxy.Mode.BLACKHOLE);

        long start = System.nanoTime();
        Throwable hung = catchThrowable(() -> connect("&loginTimeout=1&socketTimeout=1").close());
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(hung).isInstanceOf(SQLException.class);
        assertThat(SqlErrors.classify(hung)).isEqualTo(FailureClass.CONNECTION);
        assertThat(elapsedMs).as("waited for the timeout, not refused").isGreaterThanOrEqualTo(900);
        assertThat(proxy.acceptedConnections()).isEqualTo(1);
        assertThat(proxy.refusedConnections()).isZero();

        proxy.setMode(FaultProxy.Mode.PASS);
        try (Connection c = connect("")) {
            assertThat(selectOne(c)).isEqualTo(1);
        }
    }

    @Test
    void shouldCutConnectionsAndStopListeningOnClose() throws Exception {
        Connection c = connect("");
        try {
            proxy.close();

            assertThat(catchThrowable(() -> selectOne(c))).isInstanceOf(SQLException.class);
            assertThat(catchThrowable(() -> new Socket(InetAddress.getLoopbackAddress(), proxy.localPort()).close()))
                    .isInstanceOf(IOException.class);
        } finally {
            c.close();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static Matcher matchUrl() {
        Matcher m = PG_URL.matcher(Postgres.URL);
        if (!m.matches()) {
            throw new IllegalStateException("cannot proxy a PostgreSQL URL of this form: " + Postgres.URL);
        }
        return m;
    }

    /**
     * Connects through the proxy: the test database's URL with host and port replaced by the proxy's.
     * {@code extra} ("&k=v...") overrides the default timeouts (seconds), which keep a broken test short.
     */
    private Connection connect(String extra) throws SQLException {
        Map<String, String> params = new LinkedHashMap<>(Map.of("connectTimeout", "5", "loginTimeout", "5", "socketTimeout", "10"));
        for (String pair : extra.split("&")) {
            if (!pair.isEmpty()) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], kv[1]);
            }
        }
        String rest = matchUrl().group(3) == null ? "/" : matchUrl().group(3);
        StringBuilder url = new StringBuilder("jdbc:postgresql://127.0.0.1:").append(proxy.localPort()).append(rest);
        char separator = rest.contains("?") ? '&' : '?';
        for (Map.Entry<String, String> p : params.entrySet()) {
            url.append(separator).append(p.getKey()).append('=').append(p.getValue());
            separator = '&';
        }
        return DriverManager.getConnection(url.toString(), Postgres.USER, Postgres.PASSWORD);
    }

    private static int selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
