package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rule a request body's pace is held to ({@link BodyReader.Pace}), without a server. */
class BodyPaceTest {
    private static final BodyReader.Pace TEN_SECONDS_AT_16_KIB = new BodyReader.Pace(Duration.ofSeconds(10).toNanos(), 16 * 1024);

    private static long seconds(double s) {
        return (long) (s * 1_000_000_000L);
    }

    @Test
    void shouldLetAnyBodyTakeTheGracePeriodHoweverLittleHasArrived() {
        assertThat(TEN_SECONDS_AT_16_KIB.tooSlow(seconds(9.999), 0)).isFalse();
        assertThat(TEN_SECONDS_AT_16_KIB.tooSlow(seconds(10), 1)).isFalse();
        assertThat(TEN_SECONDS_AT_16_KIB.tooSlow(seconds(10.001), 0)).isTrue();
    }

    @Test
    void shouldGiveABodyOneMoreSecondForEveryMinimumRateBytesOfItThatArrived() {
        // 160 KiB buy ten seconds beyond the grace period, and not one more
        assertThat(TEN_SECONDS_AT_16_KIB.tooSlow(seconds(19.9), 160 * 1024)).isFalse();
        assertThat(TEN_SECONDS_AT_16_KIB.tooSlow(seconds(20.1), 160 * 1024)).isTrue();
        // a trickle of a byte a second is out soon after the grace period
        assertThat(TEN_SECONDS_AT_16_KIB.tooSlow(seconds(11), 11)).isTrue();
        // the largest body at the minimum rate: 10 MiB in the grace period plus 640 s
        assertThat(TEN_SECONDS_AT_16_KIB.tooSlow(seconds(649), 10L * 1024 * 1024)).isFalse();
    }

    @Test
    void shouldRefuseAMinimumRateBelowOneByteASecond() {
        assertThatThrownBy(() -> new BodyReader.Pace(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sluice.gateway.request-body-min-rate");
    }
}
