package io.sluice.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.ErrorCode;
import io.sluice.sql.FailureClass;
import io.sluice.sql.SqlErrors;
import io.sluice.sql.StatementException;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The circuit breaker's behaviour. SmallRye's programmatic {@code Guard} finds its implementation through
 * CDI in Quarkus, so these run inside the container; apart from the configuration test each builds its
 * own breaker with short timeouts.
 */
@QuarkusTest
@TestProfile(CircuitBreakerTest.BreakerSettings.class)
class CircuitBreakerTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofMillis(200);

    public static class BreakerSettings implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "sluice.breaker.failure-threshold", "7",
                    "sluice.breaker.recovery-timeout", "1500ms",
                    "sluice.breaker.success-threshold", "2");
        }
    }

    @Inject
    CircuitBreaker configured;

    @Test
    void shouldTakeItsSettingsFromConfiguration() {
        BreakerStatus status = configured.status();

        assertThat(status.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(status.failureThreshold()).isEqualTo(7);
        assertThat(status.recoveryTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(status.successThreshold()).isEqualTo(2);
    }

    // ---- opening ------------------------------------------------------------------------------------

    @Test
    void shouldOpenAfterThresholdOfConnectionFailures() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(3, LONG, 1);

        failConnection(breaker, 2);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.status().recentFailures()).isEqualTo(2);
        assertThat(breaker.call(() -> "still closed")).isEqualTo("still closed");

        failConnection(breaker, 3);

        assertThat(breaker.status().state()).isEqualTo(BreakerState.OPEN);
        AtomicInteger reached = new AtomicInteger();
        assertThatThrownBy(() -> breaker.call(reached::incrementAndGet)).isInstanceOf(CircuitOpenException.class);
        assertThat(reached).hasValue(0);
    }

    /**
     * While CLOSED a call does not enter SmallRye's guard; only what can change its verdict is replayed into
     * it. This feeds the same random outcomes to the breaker and to a bare SmallRye guard with the same
     * settings, every call through it, and requires both to open after exactly the same call.
     */
    @Test
    void shouldOpenAfterExactlyTheCallsAfterWhichSmallRyesOwnGuardOpens() {
        Random random = new Random(17);
        Exception connectionFailure = new SQLException("connection refused", "08001");
        Exception userError = new SQLException("syntax error", "42601");
        int opened = 0;
        for (int threshold = 1; threshold <= 5; threshold++) {
            for (int run = 0; run < 100; run++) {
                CircuitBreaker breaker = new CircuitBreaker(threshold, LONG, 1);
                AtomicBoolean referenceOpen = new AtomicBoolean();
                Guard reference = Guard.create()
                        .withCircuitBreaker()
                        .requestVolumeThreshold(threshold)
                        .failureRatio(1.0)
                        .delay(LONG.toMillis(), ChronoUnit.MILLIS)
                        .successThreshold(1)
                        .when(t -> SqlErrors.classify(t).countsAgainstBreaker())
                        .onStateChange(state -> referenceOpen.set(state == CircuitBreakerState.OPEN))
                        .done()
                        .build();
                StringBuilder outcomes = new StringBuilder();
                for (int call = 0; call < 12 && !referenceOpen.get(); call++) {
                    int draw = random.nextInt(10);
                    Exception failure = draw < 5 ? connectionFailure : draw < 8 ? null : userError;
                    outcomes.append(failure == null ? 'S' : failure == connectionFailure ? 'F' : 'U');
                    Callable<Object> work = () -> {
                        if (failure != null) {
                            throw failure;
                        }
                        return "ok";
                    };
                    catchThrowable(() -> breaker.call(work));
                    catchThrowable(() -> reference.call(work, Object.class));
                    assertThat(breaker.status().state())
                            .as("threshold %d after %s", threshold, outcomes)
                            .isEqualTo(referenceOpen.get() ? BreakerState.OPEN : BreakerState.CLOSED);
                }
                opened += referenceOpen.get() ? 1 : 0;
            }
        }
        // the draws must exercise both verdicts, or the comparison proves little
        assertThat(opened).isBetween(100, 450);
    }

    @Test
    void shouldNotOpenWhenASuccessInterruptsTheFailures() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(3, LONG, 1);

        for (int i = 0; i < 100; i++) {
            failConnection(breaker, 2);
            breaker.call(() -> "ok");
        }

        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.status().recentFailures()).isZero();
    }

    @Test
    void shouldNeverOpenOnUserErrors() {
        CircuitBreaker breaker = new CircuitBreaker(3, LONG, 1);
        Exception[] userErrors = {
                new SQLException("syntax error at or near \"SELEC\"", "42601"),
                new SQLException("duplicate key value violates unique constraint", "23505"),
                new SQLException("invalid input syntax for type integer", "22P02"),
                new StatementException(ErrorCode.SQL_PARSE_ERROR, "near \"SELEC\": syntax error"),
                new StatementException("SQLITE_CONSTRAINT", "UNIQUE constraint failed: t.id"),
        };

        for (int i = 0; i < 5_000; i++) {
            Exception userError = userErrors[i % userErrors.length];
            // the caller gets its own exception back, untouched
            assertThatThrownBy(() -> breaker.call(() -> {
                throw userError;
            })).isSameAs(userError);
        }

        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.status().recentFailures()).isZero();
        assertThat(breaker.status().totalTransitions()).isZero();
    }

    @Test
    void shouldNeverOpenOnSaturationOrStoppedStatementsButStillOnAnUnreachableDatabase() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(3, LONG, 1);
        Exception[] notTheDatabase = {
                new BackendUnavailableException("every connection is busy", new SQLException("Sorry, acquisition timeout!"),
                        FailureClass.SATURATION),
                new StatementException(ErrorCode.STATEMENT_TIMEOUT, "ran past the statement timeout"),
                new StatementException(ErrorCode.STATEMENT_CANCELED, "cancelled by an operator"),
                new SQLException("canceling statement due to statement timeout", "57014"),
        };

        for (int i = 0; i < 1_000; i++) {
            Exception e = notTheDatabase[i % notTheDatabase.length];
            assertThatThrownBy(() -> breaker.call(() -> {
                throw e;
            })).isSameAs(e);
        }
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);

        BackendUnavailableException unreachable = new BackendUnavailableException("The database is unreachable",
                new SQLException("Connection refused", "08001"), FailureClass.CONNECTION);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> breaker.call(() -> {
                throw unreachable;
            })).isSameAs(unreachable);
        }
        assertThat(breaker.status().state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void shouldCountUserErrorsAsSuccessesThatResetTheRun() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(3, LONG, 1);
        SQLException syntax = new SQLException("syntax", "42601");

        for (int i = 0; i < 50; i++) {
            failConnection(breaker, 2);
            assertThatThrownBy(() -> breaker.call(() -> {
                throw syntax;
            })).isSameAs(syntax);
        }

        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
    }

    // ---- open ---------------------------------------------------------------------------------------

    @Test
    void shouldFailFastWithoutRunningTheCallWhileOpen() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, Duration.ofSeconds(10), 1);
        failConnection(breaker, 2);
        AtomicInteger reached = new AtomicInteger();

        int refused = 0;
        for (int i = 0; i < 1_000; i++) {
            try {
                breaker.call(reached::incrementAndGet);
            } catch (CircuitOpenException e) {
                refused++;
                assertThat(e.retryAfterSeconds()).isBetween(1L, 10L);
                assertThat(e.state()).isEqualTo(BreakerState.OPEN);
                assertThat(e.getMessage()).startsWith("The database is unavailable: the circuit breaker is open; retry in ");
            }
        }
        assertThat(refused).isEqualTo(1_000);
        assertThat(reached).hasValue(0);
        assertThat(breaker.status().rejectedCalls()).isEqualTo(1_000);
    }

    @Test
    void shouldRefuseRunnablesWhileOpen() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(1, LONG, 1);
        failConnection(breaker, 1);
        AtomicBoolean ran = new AtomicBoolean();

        assertThatThrownBy(() -> breaker.run(() -> ran.set(true))).isInstanceOf(CircuitOpenException.class);
        assertThat(ran).isFalse();
    }

    // ---- half-open ----------------------------------------------------------------------------------

    @Test
    void shouldHalfOpenAfterRecoveryTimeoutAndCloseAfterSuccessfulProbe() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, SHORT, 1);
        failConnection(breaker, 2);
        Instant openedAt = breaker.status().openedAt();

        // SmallRye's timer moves it without any call arriving
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));
        assertThat(Duration.between(openedAt, Instant.now())).isGreaterThanOrEqualTo(SHORT.minusMillis(20));
        assertThat(breaker.status().nextProbeAt()).isNull();

        assertThat(breaker.call(() -> "probe")).isEqualTo("probe");

        BreakerStatus closed = breaker.status();
        assertThat(closed.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(closed.openedAt()).isNull();
        assertThat(closed.lastTransitionCause()).isEqualTo("the probe succeeded");
        assertThat(breaker.call(() -> "after")).isEqualTo("after");
    }

    @Test
    void shouldReopenAfterFailingProbe() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, SHORT, 1);
        failConnection(breaker, 2);
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));

        failConnection(breaker, 1);

        BreakerStatus reopened = breaker.status();
        assertThat(reopened.state()).isEqualTo(BreakerState.OPEN);
        assertThat(reopened.lastTransitionCause()).startsWith("a probe failed").contains("SQLState 08006");
        assertThat(reopened.totalTransitions()).isEqualTo(3);
        assertThat(reopened.nextProbeAt()).isAfter(Instant.now());
        AtomicInteger reached = new AtomicInteger();
        assertThatThrownBy(() -> breaker.call(reached::incrementAndGet)).isInstanceOf(CircuitOpenException.class);
        assertThat(reached).hasValue(0);
    }

    @Test
    void shouldCloseWhenAProbeMeetsAUserError() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, SHORT, 1);
        failConnection(breaker, 2);
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));
        SQLException syntax = new SQLException("syntax", "42601");

        assertThatThrownBy(() -> breaker.call(() -> {
            throw syntax;
        })).isSameAs(syntax);

        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void shouldLetOnlySuccessThresholdProbesThroughWhileHalfOpen() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, SHORT, 1);
        failConnection(breaker, 2);
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));
        CountDownLatch probeStarted = new CountDownLatch(1);
        CountDownLatch releaseProbe = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> probe = pool.submit(() -> breaker.call(() -> {
                probeStarted.countDown();
                releaseProbe.await(5, TimeUnit.SECONDS);
                return "probe";
            }));
            assertThat(probeStarted.await(5, TimeUnit.SECONDS)).isTrue();

            Throwable second = catchThrowable(() -> breaker.call(() -> "second"));
            assertThat(second).isInstanceOf(CircuitOpenException.class);
            assertThat(((CircuitOpenException) second).state()).isEqualTo(BreakerState.HALF_OPEN);
            assertThat(((CircuitOpenException) second).retryAfterSeconds()).isEqualTo(1);

            releaseProbe.countDown();
            assertThat(probe.get(5, TimeUnit.SECONDS)).isEqualTo("probe");
            assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        } finally {
            releaseProbe.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void shouldNeedEverySuccessThresholdProbeToClose() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, SHORT, 2);
        failConnection(breaker, 2);
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));

        breaker.call(() -> "first probe");
        assertThat(breaker.status().state()).isEqualTo(BreakerState.HALF_OPEN);

        breaker.call(() -> "second probe");
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
    }

    // ---- run-time settings --------------------------------------------------------------------------

    @Test
    void shouldApplyALowerThresholdAfterReconfigure() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(5, LONG, 1);

        BreakerStatus after = breaker.reconfigure(2, SHORT, 1);
        assertThat(after.failureThreshold()).isEqualTo(2);
        assertThat(after.recoveryTimeout()).isEqualTo(SHORT);
        failConnection(breaker, 2);

        assertThat(breaker.status().state()).isEqualTo(BreakerState.OPEN);
        // and the new recovery timeout applies too
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));
    }

    @Test
    void shouldApplyAHigherThresholdAfterReconfigure() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, LONG, 1);

        breaker.reconfigure(4, LONG, 1);
        failConnection(breaker, 3);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);

        failConnection(breaker, 1);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void shouldDropPartialFailureCountOnReconfigure() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(3, LONG, 1);
        failConnection(breaker, 2);

        breaker.reconfigure(3, LONG, 1);
        assertThat(breaker.status().recentFailures()).isZero();
        failConnection(breaker, 2);

        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void shouldStayOpenAndProbeAfterTheNewRecoveryTimeoutWhenReconfiguredWhileOpen() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, LONG, 1);
        failConnection(breaker, 2);
        Instant openedAt = breaker.status().openedAt();

        BreakerStatus after = breaker.reconfigure(3, SHORT, 1);

        assertThat(after.state()).isEqualTo(BreakerState.OPEN);
        assertThat(after.openedAt()).isEqualTo(openedAt);
        assertThat(after.nextProbeAt()).isCloseTo(Instant.now().plus(SHORT), within(150, ChronoUnit.MILLIS));
        AtomicInteger reached = new AtomicInteger();
        assertThatThrownBy(() -> breaker.call(reached::incrementAndGet)).isInstanceOf(CircuitOpenException.class);
        assertThat(reached).hasValue(0);

        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));
        breaker.call(() -> "probe");
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.status().failureThreshold()).isEqualTo(3);
    }

    @Test
    void shouldReopenAHalfOpenBreakerOnReconfigure() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, SHORT, 1);
        failConnection(breaker, 2);
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));

        BreakerStatus after = breaker.reconfigure(2, LONG, 1);

        assertThat(after.state()).isEqualTo(BreakerState.OPEN);
        assertThat(after.lastTransitionCause()).isEqualTo("reconfigured while half-open");
        assertThatThrownBy(() -> breaker.call(() -> "x")).isInstanceOf(CircuitOpenException.class);
    }

    @Test
    void shouldRejectInvalidSettingsAndKeepTheOldOnes() {
        CircuitBreaker breaker = new CircuitBreaker(3, LONG, 1);

        assertThatThrownBy(() -> breaker.reconfigure(0, LONG, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failureThreshold");
        assertThatThrownBy(() -> breaker.reconfigure(3, Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recoveryTimeout");
        assertThatThrownBy(() -> breaker.reconfigure(3, Duration.ofMillis(-5), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> breaker.reconfigure(3, null, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> breaker.reconfigure(3, LONG, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("successThreshold");

        BreakerStatus status = breaker.status();
        assertThat(status.failureThreshold()).isEqualTo(3);
        assertThat(status.recoveryTimeout()).isEqualTo(LONG);
        assertThat(status.successThreshold()).isEqualTo(1);
    }

    // ---- operator actions ---------------------------------------------------------------------------

    @Test
    void shouldCloseOnResetWithAnEmptyWindow() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, LONG, 1);
        failConnection(breaker, 2);

        BreakerStatus after = breaker.reset();

        assertThat(after.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(after.lastTransitionCause()).isEqualTo("reset by an operator");
        assertThat(after.recentFailures()).isZero();
        assertThat(breaker.call(() -> "through")).isEqualTo("through");
        failConnection(breaker, 1);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
        failConnection(breaker, 1);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void shouldStayForcedOpenPastTheRecoveryTimeoutUntilReset() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, Duration.ofMillis(100), 1);
        AtomicInteger reached = new AtomicInteger();

        BreakerStatus forced = breaker.forceOpen("database maintenance");
        Thread.sleep(400);

        assertThat(forced.state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(breaker.status().lastTransitionCause()).contains("database maintenance");
        assertThat(breaker.status().nextProbeAt()).isNull();
        assertThat(breaker.status().openedAt()).isNotNull();
        Throwable refused = catchThrowable(() -> breaker.call(reached::incrementAndGet));
        assertThat(refused).isInstanceOf(CircuitOpenException.class);
        assertThat(((CircuitOpenException) refused).state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(reached).hasValue(0);

        breaker.reset();
        assertThat(breaker.call(reached::incrementAndGet)).isEqualTo(1);
    }

    @Test
    void shouldIgnoreTheReplacedGuardsTimerWhenForcedOpenWhileOpen() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, Duration.ofMillis(100), 1);
        failConnection(breaker, 2);

        breaker.forceOpen("investigating");
        Thread.sleep(400);

        assertThat(breaker.status().state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThatThrownBy(() -> breaker.call(() -> "x")).isInstanceOf(CircuitOpenException.class);
    }

    @Test
    void shouldKeepForcedOpenAcrossReconfigure() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, LONG, 1);
        breaker.forceOpen("maintenance");

        breaker.reconfigure(4, Duration.ofMillis(50), 1);
        Thread.sleep(200);

        assertThat(breaker.status().state()).isEqualTo(BreakerState.FORCED_OPEN);
        assertThat(breaker.status().failureThreshold()).isEqualTo(4);
        assertThatThrownBy(() -> breaker.call(() -> "x")).isInstanceOf(CircuitOpenException.class);
        breaker.reset();
        failConnection(breaker, 3);
        assertThat(breaker.status().state()).isEqualTo(BreakerState.CLOSED);
    }

    // ---- status and listeners -----------------------------------------------------------------------

    @Test
    void shouldReportStatusSnapshotFields() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(10), 2);
        BreakerStatus fresh = breaker.status();
        assertThat(fresh).isEqualTo(new BreakerStatus(BreakerState.CLOSED, 3, Duration.ofSeconds(10), 2, 0,
                null, null, 0, null, null, 0));

        failConnection(breaker, 2);
        assertThat(breaker.status().recentFailures()).isEqualTo(2);

        Instant before = Instant.now();
        failConnection(breaker, 1);
        Instant after = Instant.now();
        catchThrowable(() -> breaker.call(() -> "refused"));

        BreakerStatus open = breaker.status();
        assertThat(open.state()).isEqualTo(BreakerState.OPEN);
        assertThat(open.recentFailures()).isEqualTo(3);
        assertThat(open.openedAt()).isBetween(before, after);
        assertThat(open.lastTransitionAt()).isBetween(before, after);
        assertThat(open.nextProbeAt()).isCloseTo(open.openedAt().plusSeconds(10), within(50, ChronoUnit.MILLIS));
        assertThat(open.totalTransitions()).isEqualTo(1);
        assertThat(open.lastTransitionCause())
                .isEqualTo("3 connection-level failures in a row, the last SQLException SQLState 08006");
        assertThat(open.rejectedCalls()).isEqualTo(1);
    }

    @Test
    void shouldNotifyListenersOfEveryTransition() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(2, SHORT, 1);
        List<BreakerStatus> seen = new ArrayList<>();
        breaker.addListener(status -> {
            throw new IllegalStateException("a broken listener must not break the breaker");
        });
        breaker.addListener(seen::add);

        failConnection(breaker, 2);
        awaitState(breaker, BreakerState.HALF_OPEN, Duration.ofSeconds(3));
        breaker.call(() -> "probe");
        breaker.forceOpen("test");
        breaker.reset();

        assertThat(seen).extracting(BreakerStatus::state).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN,
                BreakerState.CLOSED, BreakerState.FORCED_OPEN, BreakerState.CLOSED);
        assertThat(seen).extracting(BreakerStatus::totalTransitions).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    // ---- concurrency --------------------------------------------------------------------------------

    @Test
    void shouldStayConsistentWhenEightThreadsHammerWhileFailuresFlip() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(5, Duration.ofMillis(30), 2);
        ConcurrentLinkedQueue<BreakerStatus> transitions = new ConcurrentLinkedQueue<>();
        breaker.addListener(transitions::add);
        AtomicBoolean databaseDown = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong attempts = new AtomicLong();
        AtomicLong reached = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        SQLException lost = new SQLException("connection lost", "08006");
        Callable<String> backend = () -> {
            reached.incrementAndGet();
            if (databaseDown.get()) {
                throw lost;
            }
            return "ok";
        };

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(pool.submit(() -> {
                while (!stop.get()) {
                    attempts.incrementAndGet();
                    try {
                        breaker.call(backend);
                    } catch (CircuitOpenException e) {
                        refused.incrementAndGet();
                    } catch (SQLException e) {
                        failed.incrementAndGet();
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                }
            }));
        }
        for (int flip = 0; flip < 20; flip++) {
            databaseDown.set(flip % 2 == 0);
            Thread.sleep(60);
            BreakerStatus s = breaker.status();
            assertThat(s.state()).isNotEqualTo(BreakerState.FORCED_OPEN);
            assertThat(s.openedAt() == null).isEqualTo(s.state() == BreakerState.CLOSED);
            assertThat(s.nextProbeAt() != null).isEqualTo(s.state() == BreakerState.OPEN);
        }
        databaseDown.set(false);
        awaitState(breaker, BreakerState.CLOSED, Duration.ofSeconds(5));
        stop.set(true);
        for (Future<?> w : workers) {
            w.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(unexpected).isEmpty();
        assertThat(refused.get() + reached.get()).isEqualTo(attempts.get());
        assertThat(failed.get()).isLessThanOrEqualTo(reached.get());
        assertThat(refused.get()).as("the breaker opened at least once").isPositive();
        assertThat(breaker.status().rejectedCalls()).isEqualTo(refused.get());
        // every transition numbered once, in an allowed order, whatever order listeners heard them in
        List<BreakerStatus> ordered = transitions.stream()
                .sorted(Comparator.comparingLong(BreakerStatus::totalTransitions)).toList();
        assertThat(ordered).extracting(BreakerStatus::totalTransitions)
                .containsExactlyElementsOf(rangeClosed(1, breaker.status().totalTransitions()));
        BreakerState previous = BreakerState.CLOSED;
        for (BreakerStatus s : ordered) {
            assertThat(previous.canMoveTo(s.state())).as(previous + " -> " + s.state()).isTrue();
            previous = s.state();
        }
        assertThat(previous).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.call(() -> "healthy")).isEqualTo("healthy");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static void failConnection(CircuitBreaker breaker, int times) {
        for (int i = 0; i < times; i++) {
            SQLException lost = new SQLException("connection lost", "08006");
            assertThatThrownBy(() -> breaker.call(() -> {
                throw lost;
            })).isSameAs(lost);
        }
    }

    private static void awaitState(CircuitBreaker breaker, BreakerState state, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (breaker.status().state() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("breaker still " + breaker.status().state() + " after " + timeout + ", expected " + state);
            }
            Thread.sleep(5);
        }
    }

    private static List<Long> rangeClosed(long from, long to) {
        List<Long> result = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            result.add(i);
        }
        return result;
    }
}
