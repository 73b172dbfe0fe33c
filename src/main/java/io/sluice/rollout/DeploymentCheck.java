package io.sluice.rollout;

import io.sluice.health.HealthScore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The deployment health check's criteria, in this one place (the seed's success criteria): the health
 * score at least its pass mark (85), no critical failures, the server-side failure rate (the application's own
 * SQL errors never count: {@link io.sluice.metrics.SluiceMetrics.Blame}) and p95 latency
 * within the live {@code monitoring} thresholds (1 %, 100 ms by default: the score's {@code error-rate}
 * and {@code latency-p95} checks at full points). The migration gates every step on it;
 * {@code sluice health-check} and {@code deploy:status} ask the server for it.
 */
@ApplicationScoped
public class DeploymentCheck {
    private final HealthScore score;

    DeploymentCheck(HealthScore score) {
        this.score = score;
    }

    /** The outcome: passed when {@code failures} is empty; each failure names the figure behind it. */
    public record Result(boolean passed, int score, int threshold, List<String> failures, HealthScore.Report report) {
    }

    /** Evaluates this replica's health score now. */
    public Result run() {
        return judge(score.evaluate());
    }

    public static Result judge(HealthScore.Report report) {
        List<String> failures = failuresOf(report);
        return new Result(failures.isEmpty(), report.score(), report.threshold(), failures, report);
    }

    static List<String> failuresOf(HealthScore.Report report) {
        List<String> failures = new ArrayList<>();
        if (report.score() < report.threshold()) {
            failures.add("health score " + report.score() + " below " + report.threshold());
        }
        for (String critical : report.criticalFailures()) {
            failures.add("critical: " + critical);
        }
        for (HealthScore.Check check : report.checks()) {
            boolean full = check.score() == check.weight();
            if (!full && check.factor().gatesDeployment()) {
                failures.add(check.name() + ": " + check.detail());
            }
        }
        return failures;
    }
}
