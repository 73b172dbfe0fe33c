package io.sluice.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.state.IllegalTransitionException;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The breaker's transition table, without a server. */
class BreakerStateTest {

    @ParameterizedTest
    @EnumSource(BreakerState.class)
    void shouldAllowExactlyTheDocumentedBreakerTransitions(BreakerState from) {
        // the diagram in BreakerState's Javadoc, written out independently of its table
        EnumSet<BreakerState> expected = switch (from) {
            case CLOSED -> EnumSet.of(BreakerState.OPEN, BreakerState.FORCED_OPEN);
            case OPEN -> EnumSet.of(BreakerState.HALF_OPEN, BreakerState.CLOSED, BreakerState.FORCED_OPEN);
            case HALF_OPEN -> EnumSet.of(BreakerState.CLOSED, BreakerState.OPEN, BreakerState.FORCED_OPEN);
            case FORCED_OPEN -> EnumSet.of(BreakerState.CLOSED);
        };
        for (BreakerState to : BreakerState.values()) {
            assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(expected.contains(to));
            if (expected.contains(to)) {
                assertThat(from.requireMoveTo(to, "circuit breaker")).isEqualTo(to);
            } else {
                assertThatThrownBy(() -> from.requireMoveTo(to, "circuit breaker")).isInstanceOf(IllegalTransitionException.class)
                        .hasMessageContaining("circuit breaker").hasMessageContaining(from + " -> " + to);
            }
        }
    }

    @Test
    void shouldNeverLetAForcedOpenBreakerProbeOrOpenByItself() {
        assertThat(BreakerState.FORCED_OPEN.canMoveTo(BreakerState.HALF_OPEN)).isFalse();
        assertThat(BreakerState.FORCED_OPEN.canMoveTo(BreakerState.OPEN)).isFalse();
        assertThat(BreakerState.FORCED_OPEN.refusesCalls()).isTrue();
    }
}
