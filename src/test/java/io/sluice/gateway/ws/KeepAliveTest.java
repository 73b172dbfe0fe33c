package io.sluice.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ping interval adapts to the HTTP idle timeout instead of refusing a combination of settings. */
class KeepAliveTest {

    @Test
    void shouldUseTheConfiguredIntervalWhenTheHttpIdleTimeoutIsLongEnough() {
        assertThat(KeepAlive.pingInterval(Duration.ofSeconds(30), Optional.of(Duration.ofMinutes(5)))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldPingAtHalfTheHttpIdleTimeoutWhenTheConfiguredIntervalIsLonger() {
        assertThat(KeepAlive.pingInterval(Duration.ofSeconds(30), Optional.of(Duration.ofSeconds(5)))).isEqualTo(Duration.ofMillis(2500));
        assertThat(KeepAlive.pingInterval(Duration.ofSeconds(30), Optional.of(Duration.ofSeconds(30)))).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void shouldKeepTheConfiguredIntervalWithoutAnHttpIdleTimeout() {
        assertThat(KeepAlive.pingInterval(Duration.ofSeconds(20), Optional.empty())).isEqualTo(Duration.ofSeconds(20));
        assertThat(KeepAlive.pingInterval(Duration.ofSeconds(20), Optional.of(Duration.ZERO))).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void shouldNeverGoBelowTheFloorNorRefuseANonsensicalSetting() {
        assertThat(KeepAlive.pingInterval(Duration.ofSeconds(30), Optional.of(Duration.ofMillis(10)))).isEqualTo(KeepAlive.FLOOR);
        assertThat(KeepAlive.pingInterval(Duration.ZERO, Optional.of(Duration.ofMinutes(5)))).isEqualTo(Duration.ofSeconds(30));
    }
}
