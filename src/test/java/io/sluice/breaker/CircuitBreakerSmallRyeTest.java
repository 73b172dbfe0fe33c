package io.sluice.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.sluice.sql.SqlErrors;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The breaker as the application gets it (its settings from configuration) and its opening rule held against
 * SmallRye Fault Tolerance's own circuit breaker. SmallRye's programmatic {@code Guard} finds its
 * implementation through CDI, so this runs in Quarkus; every other breaker test is plain
 * ({@link CircuitBreakerTest}).
 */
@QuarkusTest
@TestProfile(CircuitBreakerSmallRyeTest.BreakerSettings.class)
class CircuitBreakerSmallRyeTest {
    private static final Duration LONG = Duration.ofSeconds(30);

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

    /**
     * The breaker counts failures in a row itself; SmallRye's circuit breaker with the same settings
     * ({@code requestVolumeThreshold = failureThreshold}, {@code failureRatio = 1.0}) is the reference. This
     * feeds the same random outcomes to both and requires both to open after exactly the same call.
     */
    @Test
    void shouldOpenAfterExactlyTheCallsAfterWhichSmallRyesOwnGuardOpens() {
        Random random = new Random(17);
        Exception connectionFailure = new SQLException("connection refused", "08001");
        Exception userError = new SQLException("syntax error", "42601");
        int opened = 0;
        for (int threshold = 1; threshold <= 5; threshold++) {
            for (int run = 0; run < 100; run++) {
                CircuitBreaker breaker = new CircuitBreaker(threshold, LONG, 1, new ManualClock());
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
}
