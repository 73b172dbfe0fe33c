package io.sluice.rollout;

import io.sluice.flags.KnownFlag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of a migration: monitoring on, then pool, state machine and breaker at the canary
 * percentage, at each gradual percentage, and at 100 %. Each step's flag values replace the store's.
 *
 * @param soakMs how long each step soaks before its health check, &gt;= 0
 * @param canaryPercent 1..100
 * @param gradualSteps ascending, each 1..100, at least one
 */
public record MigrationPlan(long soakMs, int canaryPercent, List<Integer> gradualSteps) {
    /** The flags the migration changes; the snapshot holds their store values from before it began. */
    public static final List<String> FLAGS = List.of(KnownFlag.ENABLE_ENTERPRISE_MONITORING.name(),
            KnownFlag.ENABLE_CONNECTION_POOL.name(), KnownFlag.ENABLE_STATE_MACHINE.name(), KnownFlag.ENABLE_CIRCUIT_BREAKER.name());
    private static final List<String> LAYER = FLAGS.subList(1, FLAGS.size());

    /** One step: its phase, its position in that phase (1-based) and the flag values it sets. */
    public record Step(int index, Phase phase, int stepInPhase, int stepsInPhase, int percent, Map<String, String> flags) {
        public String label() {
            return phase.label() + " " + stepInPhase + "/" + stepsInPhase + (phase == Phase.MONITORING ? "" : " (" + percent + " %)");
        }
    }

    /**
     * @throws IllegalArgumentException naming the field when a figure is out of range
     */
    public MigrationPlan {
        if (soakMs < 0) {
            throw new IllegalArgumentException("soakMs: must be >= 0 but was " + soakMs);
        }
        if (canaryPercent < 1 || canaryPercent > 100) {
            throw new IllegalArgumentException("canaryPercent: must be 1..100 but was " + canaryPercent);
        }
        if (gradualSteps == null || gradualSteps.isEmpty()) {
            throw new IllegalArgumentException("gradualSteps: at least one percentage is needed");
        }
        int previous = 0;
        for (Integer p : gradualSteps) {
            if (p == null || p < 1 || p > 100 || p <= previous) {
                throw new IllegalArgumentException("gradualSteps: must be ascending percentages 1..100 but were " + gradualSteps);
            }
            previous = p;
        }
        gradualSteps = List.copyOf(gradualSteps);
    }

    /** Every step of the whole plan, in order. */
    public List<Step> steps() {
        List<Step> out = new ArrayList<>();
        out.add(new Step(0, Phase.MONITORING, 1, 1, 100, Map.of(FLAGS.get(0), "enabled=true rollout=100")));
        out.add(new Step(1, Phase.CANARY, 1, 1, canaryPercent, layer(canaryPercent)));
        for (int i = 0; i < gradualSteps.size(); i++) {
            out.add(new Step(out.size(), Phase.GRADUAL, i + 1, gradualSteps.size(), gradualSteps.get(i), layer(gradualSteps.get(i))));
        }
        out.add(new Step(out.size(), Phase.FULL, 1, 1, 100, layer(100)));
        return out;
    }

    /** The index of the last step of {@code phase}. */
    public int lastStepOf(Phase phase) {
        List<Step> steps = steps();
        int last = -1;
        for (Step s : steps) {
            if (s.phase() == phase) {
                last = s.index();
            }
        }
        return last;
    }

    private static Map<String, String> layer(int percent) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : LAYER) {
            m.put(f, "enabled=true rollout=" + percent);
        }
        return m;
    }
}
