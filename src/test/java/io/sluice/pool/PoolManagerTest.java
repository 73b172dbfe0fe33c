package io.sluice.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(PoolManagerTest.SmallPool.class)
class PoolManagerTest {

    /** Two connections, a short acquire timeout and a short leak timeout. */
    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.pool.max-connections", "2", "sluice.pool.min-connections", "0",
                    "sluice.pool.acquire-timeout", "300ms", "sluice.pool.leak-timeout", "400ms");
        }
    }

    @Inject
    Backend backend;

    private final List<String> open = new ArrayList<>();

    @AfterEach
    void closeStreams() {
        open.forEach(HranaCalls::close);
        open.clear();
        backend.resize(0, 2, Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.activeConnections() == 0);
    }

    private String hold() {
        String baton = HranaCalls.openStream("BEGIN", "SELECT 1");
        open.add(baton);
        return baton;
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenNoConnectionComesWithinTheAcquireTimeout() {
        hold();
        hold();
        long before = backend.status().timeouts();

        long start = System.nanoTime();
        Response r = HranaCalls.pipeline(null, "BEGIN", "close");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(JsonPath.from(r.asString()).getString("code")).isEqualTo("BACKEND_UNAVAILABLE");
        assertThat(millis).as("waited about the acquire timeout, not forever").isLessThan(5_000);
        assertThat(backend.status().timeouts()).isEqualTo(before + 1);
    }

    @Test
    void shouldServeNewStreamsAgainOnceHeldConnectionsAreReleased() {
        String a = hold();
        hold();
        HranaCalls.close(a);
        open.remove(a);

        Response r = HranaCalls.pipeline(null, "BEGIN", "close");

        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldApplyALargerMaximumLiveWithoutRestart() {
        backend.resize(0, 3, Duration.ofMillis(300));
        hold();
        hold();

        Response third = HranaCalls.pipeline(null, "BEGIN", "close");

        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(backend.status().maxConnections()).isEqualTo(3);
    }

    @Test
    void shouldApplyASmallerMaximumLiveWithoutRestart() {
        backend.resize(0, 1, Duration.ofMillis(300));
        hold();

        Response second = HranaCalls.pipeline(null, "BEGIN", "close");

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(backend.status().maxConnections()).isEqualTo(1);
    }

    @Test
    void shouldRejectAnInconsistentResize() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> backend.resize(3, 2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(backend.status().maxConnections()).isEqualTo(2);
    }

    @Test
    void shouldReportALeaseHeldPastTheLeakTimeoutWithItsStreamAndState() {
        long before = backend.status().leaks();
        hold();

        await().atMost(Duration.ofSeconds(5)).until(() -> backend.status().leaks() > before);

        List<LeaseView> leases = backend.leases();
        assertThat(leases).hasSize(1);
        assertThat(leases.get(0).state()).isEqualTo("IN_TRANSACTION");
        assertThat(leases.get(0).statements()).isEqualTo(2);
        assertThat(leases.get(0).leaseDuration()).isGreaterThan(Duration.ofMillis(400));
        assertThat(leases.get(0).pooled()).isTrue();
    }

    @Test
    void shouldTrackLeaseBackToLeasedWhenTheTransactionEnds() {
        String baton = hold();
        Response r = HranaCalls.pipeline(baton, "COMMIT");
        open.remove(baton);
        open.add(JsonPath.from(r.asString()).getString("baton"));

        assertThat(backend.leases()).singleElement().extracting(LeaseView::state).isEqualTo("LEASED");
    }

    @Test
    void shouldEvictAConnectionWhoseSessionStateWasChanged() {
        long before = backend.status().evicted();
        String baton = HranaCalls.openStream("PRAGMA foreign_keys = OFF");
        HranaCalls.close(baton);

        assertThat(backend.status().evicted()).isEqualTo(before + 1);
    }
}
