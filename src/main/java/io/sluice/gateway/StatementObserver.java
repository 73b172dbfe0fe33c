package io.sluice.gateway;

import io.sluice.metrics.SluiceMetrics;
import io.sluice.metrics.SluiceMetrics.StatementOutcome;
import io.sluice.sql.FailureClass;
import io.sluice.sql.SqlScanner;
import io.sluice.sql.StatementKind;
import jakarta.inject.Singleton;

/**
 * The one observer of finished statements on every path (HTTP pipeline and cursor, the read fast path,
 * WebSocket): its metric, and its debug log line when the stream's policy asks for detailed logging.
 */
@Singleton
class StatementObserver {
    private final SluiceMetrics metrics;

    StatementObserver(SluiceMetrics metrics) {
        this.metrics = metrics;
    }

    /** A statement that started at {@code startNanos} succeeded. */
    void succeeded(StreamPolicy policy, StatementKind kind, long startNanos, String sql, SqlScanner.Syntax syntax) {
        long took = System.nanoTime() - startNanos;
        metrics.statement(kind, StatementOutcome.OK, took, policy.detailedMonitoring());
        if (policy.detailedLogging()) {
            StatementLog.statement(kind, "ok", took, sql, syntax);
        }
    }

    /** A statement that started at {@code startNanos} failed with {@code code}, of class {@code failure}. */
    void failed(StreamPolicy policy, StatementKind kind, FailureClass failure, String code, long startNanos, String sql,
            SqlScanner.Syntax syntax) {
        long took = System.nanoTime() - startNanos;
        metrics.statement(kind, outcome(failure), took, policy.detailedMonitoring());
        if (policy.detailedLogging()) {
            StatementLog.statement(kind, code, took, sql, syntax);
        }
    }

    /** The metric outcome of a failed statement, by its failure class: the one mapping for every path. */
    static StatementOutcome outcome(FailureClass failure) {
        return switch (failure) {
            case CONNECTION -> StatementOutcome.CONNECTION_ERROR;
            case TIMEOUT -> StatementOutcome.TIMEOUT;
            default -> StatementOutcome.ERROR;
        };
    }
}
