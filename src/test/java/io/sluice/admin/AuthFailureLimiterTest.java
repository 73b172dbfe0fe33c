package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-address bucket of failed admin credentials, on a hand-driven clock. */
class AuthFailureLimiterTest {
    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AuthFailureLimiter limiter = new AuthFailureLimiter(6, new SluiceMetrics(registry), now::get);

    @Test
    void shouldAdmitABurstOfFailuresThenRefuseWithTheTimeToTheNextAttemptAndRefillAtTheRate() {
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.admit("10.0.0.1", AuthFailureLimiter.Door.CONSOLE_LOGIN)).isEmpty();
            limiter.failed("10.0.0.1");
        }

        assertThat(limiter.admit("10.0.0.1", AuthFailureLimiter.Door.CONSOLE_LOGIN)).hasValue(10);
        assertThat(limiter.admit("10.0.0.2", AuthFailureLimiter.Door.CONSOLE_LOGIN)).as("another address").isEmpty();
        now.addAndGet(9_000_000_000L);
        assertThat(limiter.admit("10.0.0.1", AuthFailureLimiter.Door.ADMIN_API)).as("9 s later: not yet").isPresent();
        now.addAndGet(10_000_000_000L);
        assertThat(limiter.admit("10.0.0.1", AuthFailureLimiter.Door.ADMIN_API)).as("a token 10 s after the last refusal").isEmpty();
        assertThat(registry.get(Meters.ADMIN_AUTH_LIMITED).tag(Meters.ENDPOINT, "console_login").counter().count()).isEqualTo(1);
        assertThat(registry.get(Meters.ADMIN_AUTH_LIMITED).tag(Meters.ENDPOINT, "admin_api").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldNeverSlowDownAnAddressThatDoesNotFail() {
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.admit("10.0.0.1", AuthFailureLimiter.Door.ADMIN_API)).isEmpty();
        }
        assertThat(limiter.tracked()).isZero();
    }

    @Test
    void shouldTrackABoundedNumberOfAddressesDroppingTheLeastRecentlySeen() {
        for (int i = 0; i < 6; i++) {
            limiter.failed("10.9.9.9");
        }
        for (int i = 0; i < AuthFailureLimiter.MAX_ADDRESSES + 500; i++) {
            limiter.failed("addr-" + i);
        }

        assertThat(limiter.tracked()).isEqualTo(AuthFailureLimiter.MAX_ADDRESSES);
        assertThat(limiter.admit("10.9.9.9", AuthFailureLimiter.Door.ADMIN_API)).as("dropped: a full bucket again").isEmpty();
        assertThat(limiter.admit("addr-" + (AuthFailureLimiter.MAX_ADDRESSES + 499), AuthFailureLimiter.Door.ADMIN_API)).isEmpty();
    }
}
