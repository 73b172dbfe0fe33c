package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.state.IllegalTransitionException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The migration's transitions and event methods, without a server. */
class MigrationStateTest {
    static final Instant T0 = Instant.parse("2026-11-28T04:00:00Z");
    static final MigrationPlan PLAN = new MigrationPlan(200, 10, List.of(25, 50, 75, 100));

    static Map<String, String> snapshot() {
        Map<String, String> s = new LinkedHashMap<>();
        MigrationPlan.FLAGS.forEach(f -> s.put(f, null));
        s.put("ENABLE_CONNECTION_POOL", "enabled=false rollout=100");
        return s;
    }

    static Migration started(Phase target) {
        return Migration.start(null, "m1", PLAN, target, snapshot(), "alice", "enterprise layer", "r1", T0);
    }

    /** Runs every step to its end, as the driver does when every check passes. */
    static Migration passAll(Migration m) {
        while (m.status() == MigrationStatus.RUNNING) {
            m = m.onStepApplied(T0).onStepPassed(100, T0);
        }
        return m;
    }

    @Test
    void shouldPlanMonitoringCanaryFourGradualStepsAndFull() {
        List<MigrationPlan.Step> steps = PLAN.steps();

        assertThat(steps).extracting(MigrationPlan.Step::label).containsExactly("monitoring 1/1", "canary 1/1 (10 %)",
                "gradual 1/4 (25 %)", "gradual 2/4 (50 %)", "gradual 3/4 (75 %)", "gradual 4/4 (100 %)", "full 1/1 (100 %)");
        assertThat(steps.get(1).flags()).containsEntry("ENABLE_CIRCUIT_BREAKER", "enabled=true rollout=10").hasSize(3);
        assertThat(steps.get(0).flags()).containsOnlyKeys("ENABLE_ENTERPRISE_MONITORING");
    }

    @Test
    void shouldRefuseOutOfRangePlanFiguresNamingTheField() {
        assertThatThrownBy(() -> new MigrationPlan(-1, 10, List.of(50))).hasMessageContaining("soakMs").hasMessageContaining("-1");
        assertThatThrownBy(() -> new MigrationPlan(0, 0, List.of(50))).hasMessageContaining("canaryPercent");
        assertThatThrownBy(() -> new MigrationPlan(0, 10, List.of(50, 25))).hasMessageContaining("gradualSteps");
        assertThatThrownBy(() -> Phase.parseTarget("sideways")).hasMessageContaining("canary, gradual or full")
                .hasMessageContaining("sideways");
        assertThatThrownBy(() -> Phase.parseTarget("monitoring")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHoldAfterTheTargetPhaseAndContinueToALaterOne() {
        Migration held = passAll(started(Phase.CANARY));

        assertThat(held.status()).isEqualTo(MigrationStatus.HELD);
        assertThat(held.currentStep().phase()).isEqualTo(Phase.CANARY);
        Migration running = held.onContinue(Phase.FULL, null, "bob", "r2", T0);
        assertThat(running.status()).isEqualTo(MigrationStatus.RUNNING);
        assertThat(running.currentStep().label()).isEqualTo("gradual 1/4 (25 %)");
        Migration done = passAll(running);
        assertThat(done.status()).isEqualTo(MigrationStatus.COMPLETED);
        assertThat(done.history()).extracting(Migration.Event::detail).anyMatch(d -> d.contains("continued by bob"));
    }

    @Test
    void shouldHoldMidStepAndResumeAtTheSameStepRefusingEveryOtherOrder() {
        Migration soaking = started(Phase.FULL).onStepApplied(T0).onStepPassed(100, T0).onStepApplied(T0);
        Migration paused = soaking.onHold("carol", "p95", T0);

        assertThat(paused.status()).isEqualTo(MigrationStatus.PAUSED);
        assertThat(paused.status().active()).isTrue();
        assertThat(paused.stepIndex()).isEqualTo(soaking.stepIndex());
        assertThatThrownBy(() -> paused.onHold("carol", "", T0)).isInstanceOf(MigrationConflictException.class)
                .hasMessageContaining("held already");
        assertThatThrownBy(() -> paused.onStepPassed(100, T0)).isInstanceOf(MigrationConflictException.class);
        assertThatThrownBy(() -> Migration.start(paused, "m2", PLAN, Phase.FULL, snapshot(), "bob", "", "r2", T0))
                .isInstanceOf(MigrationConflictException.class).hasMessageContaining("resume it or roll it back");
        Migration resumed = paused.onResume("dave", "r2", T0);
        assertThat(resumed.status()).isEqualTo(MigrationStatus.RUNNING);
        assertThat(resumed.currentStep()).isEqualTo(soaking.currentStep());
        assertThat(resumed.owner()).isEqualTo("r2");
        assertThat(passAll(resumed).status()).isEqualTo(MigrationStatus.COMPLETED);
        assertThat(paused.onRollback("erin", "no", T0).status()).isEqualTo(MigrationStatus.ROLLED_BACK);
        Migration held = passAll(started(Phase.CANARY));
        assertThatThrownBy(() -> held.onResume("dave", "r2", T0)).hasMessageContaining("continue it with a later target");
        assertThatThrownBy(() -> held.onHold("dave", "", T0)).hasMessageContaining("only a running migration can be held");
    }

    @Test
    void shouldRefuseToContinueTowardsAPhaseAlreadyReached() {
        Migration held = passAll(started(Phase.GRADUAL));

        assertThatThrownBy(() -> held.onContinue(Phase.CANARY, null, "bob", "r2", T0)).isInstanceOf(MigrationConflictException.class)
                .hasMessageContaining("already reached gradual");
    }

    @Test
    void shouldRefuseASecondStartWhileOneIsActive() {
        Migration running = started(Phase.FULL);

        assertThatThrownBy(() -> Migration.start(running, "m2", PLAN, Phase.FULL, snapshot(), "bob", "", "r2", T0))
                .isInstanceOf(MigrationConflictException.class).hasMessageContaining("already running").hasMessageContaining("m1");
        Migration held = passAll(started(Phase.CANARY));
        assertThatThrownBy(() -> Migration.start(held, "m2", PLAN, Phase.FULL, snapshot(), "bob", "", "r2", T0))
                .isInstanceOf(MigrationConflictException.class).hasMessageContaining("already held");
    }

    @Test
    void shouldRollBackOnAFailedCheckRecordingTheFailures() {
        Migration m = started(Phase.FULL).onStepApplied(T0).onStepPassed(100, T0).onStepApplied(T0);

        Migration failed = m.onCheckFailed(List.of("critical: database unreachable"), 40, T0);

        assertThat(failed.status()).isEqualTo(MigrationStatus.ROLLED_BACK);
        assertThat(failed.outcome()).contains("canary 1/1").contains("database unreachable");
        assertThat(failed.lastScore()).isEqualTo(40);
        assertThat(failed.snapshot()).containsEntry("ENABLE_CONNECTION_POOL", "enabled=false rollout=100");
    }

    @Test
    void shouldRefuseIllegalTransitionsNamingBothStates() {
        Migration rolledBack = started(Phase.FULL).onRollback("alice", "changed my mind", T0);

        assertThatThrownBy(() -> rolledBack.onRollback("bob", "again", T0)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("migration m1").hasMessageContaining("ROLLED_BACK -> ROLLED_BACK");
        assertThatThrownBy(() -> rolledBack.onStepPassed(100, T0)).hasMessageContaining("ROLLED_BACK");
        assertThat(MigrationStatus.NONE.canMoveTo(MigrationStatus.HELD)).isFalse();
        assertThat(MigrationStatus.HELD.canMoveTo(MigrationStatus.COMPLETED)).isFalse();
        assertThat(MigrationStatus.COMPLETED.canMoveTo(MigrationStatus.ROLLED_BACK)).isTrue();
        assertThat(MigrationStatus.ROLLED_BACK.canMoveTo(MigrationStatus.RUNNING)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(MigrationStatus.class)
    void shouldAllowExactlyTheDocumentedMigrationTransitions(MigrationStatus from) {
        // the diagram in MigrationStatus's Javadoc, written out independently of its table
        EnumSet<MigrationStatus> expected = switch (from) {
            case NONE, ROLLED_BACK -> EnumSet.of(MigrationStatus.RUNNING);
            case RUNNING -> EnumSet.of(MigrationStatus.RUNNING, MigrationStatus.PAUSED, MigrationStatus.HELD, MigrationStatus.COMPLETED,
                    MigrationStatus.ROLLED_BACK);
            case PAUSED, HELD, COMPLETED -> EnumSet.of(MigrationStatus.RUNNING, MigrationStatus.ROLLED_BACK);
        };
        for (MigrationStatus to : MigrationStatus.values()) {
            if (expected.contains(to)) {
                assertThat(from.requireMoveTo(to, "migration t")).isEqualTo(to);
            } else {
                assertThatThrownBy(() -> from.requireMoveTo(to, "migration t")).isInstanceOf(IllegalTransitionException.class)
                        .hasMessageContaining("migration t").hasMessageContaining(from + " -> " + to);
            }
        }
    }

    @Test
    void shouldStartANewMigrationAfterARollback() {
        Migration rolledBack = started(Phase.FULL).onRollback("alice", "", T0);

        Migration again = Migration.start(rolledBack, "m2", PLAN, Phase.CANARY, snapshot(), "bob", "", "r1", T0);

        assertThat(again.id()).isEqualTo("m2");
        assertThat(again.stepIndex()).isZero();
    }

    @Test
    void shouldCountAsStaleOnlyWhenQuietForLongerThanASoakPlusTheGrace() {
        Migration m = started(Phase.FULL);

        assertThat(m.stale(T0.plusMillis(1100), Duration.ofSeconds(1))).isFalse();
        assertThat(m.stale(T0.plusMillis(1300), Duration.ofSeconds(1))).isTrue();
        Migration resumed = m.onTakeover("r2", T0.plusSeconds(5));
        assertThat(resumed.owner()).isEqualTo("r2");
        assertThat(resumed.stepIndex()).isEqualTo(m.stepIndex());
        assertThat(resumed.history().get(resumed.history().size() - 1).detail()).contains("resumed by replica r2");
    }

    @Test
    void shouldSurviveTheStoreEncodingUnchanged() {
        Migration m = passAll(started(Phase.CANARY));

        Migration back = MigrationService.decode(MigrationService.encode(m)).orElseThrow();

        assertThat(back).isEqualTo(m);
        assertThat(MigrationService.encode(m)).contains("\"ENABLE_ENTERPRISE_MONITORING\":null").contains("\"status\":\"HELD\"");
    }

    @Test
    void shouldReportAnUnreadableStateAsAConflictNotACrash() {
        assertThatThrownBy(() -> MigrationService.decode("{not json")).isInstanceOf(MigrationConflictException.class)
                .hasMessageContaining("migration.json");
    }
}
