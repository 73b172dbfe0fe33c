package io.sluice.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StateMachineTest {
    private static final Clock CLOCK = Clock.systemUTC();

    private static final EnumSet<Connectivity> ALL_CONNECTIVITY = EnumSet.allOf(Connectivity.class);
    private static final EnumSet<LeaseState> ALL_LEASE = EnumSet.allOf(LeaseState.class);

    @ParameterizedTest
    @EnumSource(Connectivity.class)
    void shouldAllowExactlyTheDocumentedConnectivityTransitions(Connectivity from) {
        for (Connectivity to : ALL_CONNECTIVITY) {
            StateMachine<Connectivity> m = new StateMachine<>("test", from, 4, CLOCK);
            boolean documented = expectedConnectivity(from).contains(to);
            if (documented) {
                assertThat(m.moveTo(to, "test")).isEqualTo(from);
                assertThat(m.current()).isEqualTo(to);
            } else {
                assertThatThrownBy(() -> m.moveTo(to, "test"))
                        .isInstanceOf(IllegalTransitionException.class)
                        .hasMessageContaining(from.name()).hasMessageContaining(to.name());
                assertThat(m.current()).isEqualTo(from);
                assertThat(m.illegalTransitions()).isEqualTo(1);
            }
        }
    }

    /** The table from the issue, written out independently of the enum's own. */
    private static EnumSet<Connectivity> expectedConnectivity(Connectivity from) {
        return switch (from) {
            case INITIALIZING -> EnumSet.of(Connectivity.CONNECTED, Connectivity.DISCONNECTED, Connectivity.CLOSING);
            case CONNECTED -> EnumSet.of(Connectivity.DEGRADED, Connectivity.DISCONNECTED, Connectivity.CLOSING);
            case DEGRADED -> EnumSet.of(Connectivity.CONNECTED, Connectivity.DISCONNECTED, Connectivity.CLOSING);
            case DISCONNECTED -> EnumSet.of(Connectivity.RECONNECTING, Connectivity.CLOSING);
            case RECONNECTING -> EnumSet.of(Connectivity.CONNECTED, Connectivity.DISCONNECTED, Connectivity.CLOSING);
            case CLOSING -> EnumSet.of(Connectivity.CLOSED);
            case CLOSED -> EnumSet.noneOf(Connectivity.class);
        };
    }

    @ParameterizedTest
    @EnumSource(LeaseState.class)
    void shouldAllowExactlyTheDocumentedLeaseTransitions(LeaseState from) {
        EnumSet<LeaseState> expected = switch (from) {
            case IDLE -> EnumSet.of(LeaseState.LEASED);
            case LEASED -> EnumSet.of(LeaseState.IN_TRANSACTION, LeaseState.RELEASED, LeaseState.BROKEN);
            case IN_TRANSACTION -> EnumSet.of(LeaseState.LEASED, LeaseState.RELEASED, LeaseState.BROKEN);
            case RELEASED, BROKEN -> EnumSet.noneOf(LeaseState.class);
        };
        for (LeaseState to : ALL_LEASE) {
            StateMachine<LeaseState> m = new StateMachine<>("lease", from, 4, CLOCK);
            if (expected.contains(to)) {
                assertThat(m.moveFrom(from, to, "test")).isTrue();
                assertThat(m.current()).isEqualTo(to);
            } else {
                assertThatThrownBy(() -> m.moveFrom(from, to, "test")).isInstanceOf(IllegalTransitionException.class);
                assertThat(m.current()).isEqualTo(from);
            }
        }
    }

    @Test
    void shouldNotMoveFromAStateTheMachineHasAlreadyLeft() {
        StateMachine<LeaseState> m = new StateMachine<>("lease", LeaseState.LEASED, 4, CLOCK);
        m.moveTo(LeaseState.RELEASED, "released");

        assertThat(m.moveFrom(LeaseState.LEASED, LeaseState.BROKEN, "late failure")).isFalse();
        assertThat(m.current()).isEqualTo(LeaseState.RELEASED);
    }

    @Test
    void shouldKeepABoundedHistoryOfTransitionsWithTheirCauses() {
        StateMachine<Connectivity> m = new StateMachine<>("backend", Connectivity.INITIALIZING, 3, CLOCK);
        m.moveTo(Connectivity.CONNECTED, "first connection");
        m.moveTo(Connectivity.DISCONNECTED, "SQLState 08006");
        m.moveTo(Connectivity.RECONNECTING, "probe");
        m.moveTo(Connectivity.CONNECTED, "probe succeeded");

        List<StateMachine.Transition<Connectivity>> history = m.history();
        assertThat(history).hasSize(3);
        assertThat(history.get(0).from()).isEqualTo(Connectivity.CONNECTED);
        assertThat(history.get(0).cause()).isEqualTo("SQLState 08006");
        assertThat(history.get(2).to()).isEqualTo(Connectivity.CONNECTED);
        assertThat(history.get(2).at()).isNotNull();
    }

    @Test
    void shouldTellListenersAboutEveryTransition() {
        StateMachine<Connectivity> m = new StateMachine<>("backend", Connectivity.INITIALIZING, 0, CLOCK);
        List<Connectivity> seen = new ArrayList<>();
        m.addListener(t -> seen.add(t.to()));
        m.moveTo(Connectivity.CONNECTED, "a");
        m.moveTo(Connectivity.DEGRADED, "b");

        assertThat(seen).containsExactly(Connectivity.CONNECTED, Connectivity.DEGRADED);
        assertThat(m.history()).isEmpty();
    }

    @Test
    void shouldLetExactlyOneOfManyRacingThreadsWinEachTransition() throws Exception {
        int rounds = 2_000;
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                StateMachine<LeaseState> m = new StateMachine<>("lease", LeaseState.LEASED, 8, CLOCK);
                AtomicInteger winners = new AtomicInteger();
                CountDownLatch start = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(threads);
                for (int t = 0; t < threads; t++) {
                    LeaseState target = t % 2 == 0 ? LeaseState.RELEASED : LeaseState.BROKEN;
                    pool.execute(() -> {
                        try {
                            start.await();
                            if (m.moveFrom(LeaseState.LEASED, target, "race")) {
                                winners.incrementAndGet();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            done.countDown();
                        }
                    });
                }
                start.countDown();
                assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(winners.get()).isEqualTo(1);
                assertThat(m.history()).hasSize(1);
                assertThat(m.history().get(0).to()).isEqualTo(m.current());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
