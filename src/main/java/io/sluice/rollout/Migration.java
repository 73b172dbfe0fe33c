package io.sluice.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A migration's persisted state (the flag store's {@code migration.json}): where it stands, the plan, the
 * store values of the migrated flags from before it began (the snapshot a rollback restores), who started
 * it and why, which replica drives it, and its history. Immutable; the {@code on*} event methods return
 * the next state and refuse transitions {@link MigrationStatus} does not allow.
 *
 * @param stepIndex the step being applied or soaked (RUNNING), held in mid-step (PAUSED), or the last one passed (HELD, COMPLETED)
 * @param snapshot flag name to its store value before the migration; {@code null} = the key was absent
 * @param owner the replica driving a RUNNING migration
 * @param heartbeatAt the driving replica's last write; a migration quiet for longer than its soak plus
 *     {@code sluice.rollout.takeover-after} is resumed by another replica
 */
public record Migration(String id, MigrationStatus status, Phase target, int stepIndex, MigrationPlan plan,
        Map<String, String> snapshot, String startedBy, Instant startedAt, String reason, String outcome, Instant updatedAt,
        String owner, Instant heartbeatAt, Integer lastScore, List<Event> history) {

    /** One thing that happened: a start, a step applied or passed, a failed check, a rollback, a takeover. */
    public record Event(Instant at, MigrationStatus status, String step, Integer score, String detail) {
    }

    public Migration {
        snapshot = Collections.unmodifiableMap(new LinkedHashMap<>(snapshot));
        history = List.copyOf(history);
    }

    /**
     * A new migration after {@code previous} (null when there never was one).
     *
     * @throws MigrationConflictException while another migration is active
     */
    static Migration start(Migration previous, String id, MigrationPlan plan, Phase target, Map<String, String> snapshot, String who,
            String reason, String owner, Instant now) {
        MigrationStatus from = previous == null ? MigrationStatus.NONE : previous.status;
        if (from.active()) {
            throw new MigrationConflictException("a migration is already " + from.name().toLowerCase(java.util.Locale.ROOT) + " ("
                    + previous.id + ", at " + previous.currentStep().label() + ", started by " + previous.startedBy
                    + (from == MigrationStatus.PAUSED ? "); resume it or roll it back" : "); roll it back or continue it with a later target"));
        }
        from.requireMoveTo(MigrationStatus.RUNNING, "migration " + id + " (start)");
        Migration m = new Migration(id, MigrationStatus.RUNNING, target, 0, plan, snapshot, who, now, reason, null, now, owner, now, null,
                List.of());
        return m.with(new Event(now, MigrationStatus.RUNNING, m.currentStep().label(), null,
                "started by " + who + " towards " + target.label() + (reason.isBlank() ? "" : ": " + reason)));
    }

    /**
     * Continues a HELD migration towards a later target.
     *
     * @throws MigrationConflictException when not HELD or {@code newTarget} is not after the phase reached
     */
    Migration onContinue(Phase newTarget, Long soakMs, String who, String owner, Instant now) {
        if (status != MigrationStatus.HELD) {
            throw new MigrationConflictException("migration " + id + " is " + status + "; only a held migration can be continued");
        }
        Phase reached = currentStep().phase();
        if (newTarget.compareTo(reached) <= 0) {
            throw new MigrationConflictException("migration " + id + " already reached " + reached.label() + "; target "
                    + newTarget.label() + " is not beyond it");
        }
        status.requireMoveTo(MigrationStatus.RUNNING, "migration " + id + " (continue)");
        MigrationPlan p = soakMs == null ? plan : new MigrationPlan(soakMs, plan.canaryPercent(), plan.gradualSteps());
        Migration next = new Migration(id, MigrationStatus.RUNNING, newTarget, stepIndex + 1, p, snapshot, startedBy, startedAt, reason,
                null, now, owner, now, lastScore, history);
        return next.with(new Event(now, MigrationStatus.RUNNING, next.currentStep().label(), null,
                "continued by " + who + " towards " + newTarget.label()));
    }

    /**
     * An operator's hold in the middle of a step: the step's flags stay, its soak and check stop.
     *
     * @throws MigrationConflictException when not RUNNING
     */
    Migration onHold(String who, String why, Instant now) {
        if (status != MigrationStatus.RUNNING) {
            throw new MigrationConflictException("migration " + id + " is " + status + "; only a running migration can be held"
                    + (status == MigrationStatus.PAUSED ? " (it is held already; resume it or roll it back)" : ""));
        }
        status.requireMoveTo(MigrationStatus.PAUSED, "hold");
        String text = "held by " + who + " at " + currentStep().label() + (why == null || why.isBlank() ? "" : ": " + why.strip());
        return copy(MigrationStatus.PAUSED, stepIndex, null, now, lastScore)
                .with(new Event(now, MigrationStatus.PAUSED, currentStep().label(), null, text));
    }

    /**
     * Resumes a held (PAUSED) migration at the step it was held in; {@code owner} drives it from here and soaks and checks
     * that step again from its start.
     *
     * @throws MigrationConflictException when not PAUSED
     */
    Migration onResume(String who, String owner, Instant now) {
        if (status != MigrationStatus.PAUSED) {
            throw new MigrationConflictException("migration " + id + " is " + status + "; only a held (paused) migration can be resumed"
                    + (status == MigrationStatus.HELD ? " (it stopped at its target; continue it with a later target)" : ""));
        }
        status.requireMoveTo(MigrationStatus.RUNNING, "resume");
        Migration next = new Migration(id, MigrationStatus.RUNNING, target, stepIndex, plan, snapshot, startedBy, startedAt, reason, null, now,
                owner, now, lastScore, history);
        return next.with(new Event(now, MigrationStatus.RUNNING, currentStep().label(), null,
                "resumed by " + who + "; the step soaks and is checked again"));
    }

    /** The current step's flags were written; its soak starts. */
    Migration onStepApplied(Instant now) {
        requireRunning("step applied");
        return copy(MigrationStatus.RUNNING, stepIndex, null, now, lastScore)
                .with(new Event(now, MigrationStatus.RUNNING, currentStep().label(), null, "applied; soaking " + plan.soakMs() + " ms"));
    }

    /** The current step's health check passed: the next step, or HELD at the target, or COMPLETED after full. */
    Migration onStepPassed(int score, Instant now) {
        requireRunning("step passed");
        String label = currentStep().label();
        boolean targetReached = stepIndex >= plan.lastStepOf(target);
        MigrationStatus next = !targetReached ? MigrationStatus.RUNNING : target == Phase.FULL ? MigrationStatus.COMPLETED : MigrationStatus.HELD;
        status.requireMoveTo(next, "migration " + id + " (step passed)");
        String outcome = next == MigrationStatus.RUNNING ? null
                : next == MigrationStatus.COMPLETED ? "completed: every step passed" : "held after " + target.label() + " as targeted";
        return copy(next, next == MigrationStatus.RUNNING ? stepIndex + 1 : stepIndex, outcome, now, score)
                .with(new Event(now, next, label, score, "health check passed"));
    }

    /** The current step's health check failed: rolled back to the snapshot. */
    Migration onCheckFailed(List<String> failures, int score, Instant now) {
        requireRunning("check failed");
        String why = "health check failed at " + currentStep().label() + ": " + String.join("; ", failures);
        status.requireMoveTo(MigrationStatus.ROLLED_BACK, "migration " + id + " (check failed)");
        return copy(MigrationStatus.ROLLED_BACK, stepIndex, "rolled back automatically: " + why, now, score)
                .with(new Event(now, MigrationStatus.ROLLED_BACK, currentStep().label(), score, "rolled back to the snapshot: " + why));
    }

    /** Rolled back on request; the snapshot is restored in the same store write. */
    Migration onRollback(String who, String why, Instant now) {
        status.requireMoveTo(MigrationStatus.ROLLED_BACK, "migration " + id + " (rollback)");
        String text = "rolled back by " + who + (why == null || why.isBlank() ? "" : ": " + why);
        return copy(MigrationStatus.ROLLED_BACK, stepIndex, text, now, lastScore)
                .with(new Event(now, MigrationStatus.ROLLED_BACK, currentStep().label(), lastScore, text));
    }

    /** Another replica (or this one after a restart) resumes a migration whose driver went quiet; it re-applies the current step. */
    Migration onTakeover(String newOwner, Instant now) {
        requireRunning("takeover");
        Migration m = new Migration(id, status, target, stepIndex, plan, snapshot, startedBy, startedAt, reason, outcome, now, newOwner, now,
                lastScore, history);
        return m.with(new Event(now, status, currentStep().label(), null,
                "resumed by replica " + newOwner + " (replica " + owner + " last wrote at " + heartbeatAt + ")"));
    }

    /** Whether the driving replica has gone quiet for longer than a step's soak plus {@code grace}. */
    boolean stale(Instant now, Duration grace) {
        Instant last = heartbeatAt == null ? updatedAt : heartbeatAt;
        return status == MigrationStatus.RUNNING && last.plus(Duration.ofMillis(plan.soakMs())).plus(grace).isBefore(now);
    }

    public MigrationPlan.Step currentStep() {
        List<MigrationPlan.Step> steps = plan.steps();
        return steps.get(Math.min(Math.max(stepIndex, 0), steps.size() - 1));
    }

    /** Keeps the last {@code max} history events. */
    Migration trimmed(int max) {
        if (history.size() <= Math.max(1, max)) {
            return this;
        }
        return new Migration(id, status, target, stepIndex, plan, snapshot, startedBy, startedAt, reason, outcome, updatedAt, owner,
                heartbeatAt, lastScore, history.subList(history.size() - Math.max(1, max), history.size()));
    }

    private void requireRunning(String event) {
        if (status != MigrationStatus.RUNNING) {
            throw new MigrationConflictException("migration " + id + " is " + status + ", not RUNNING (" + event + ")");
        }
    }

    private Migration copy(MigrationStatus s, int step, String out, Instant now, Integer score) {
        return new Migration(id, s, target, step, plan, snapshot, startedBy, startedAt, reason, out, now, owner, now, score, history);
    }

    private Migration with(Event e) {
        List<Event> h = new ArrayList<>(history);
        h.add(e);
        return new Migration(id, status, target, stepIndex, plan, snapshot, startedBy, startedAt, reason, outcome, updatedAt, owner,
                heartbeatAt, lastScore, h);
    }
}
