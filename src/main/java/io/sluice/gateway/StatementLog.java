package io.sluice.gateway;

import io.sluice.sql.SqlRedaction;
import io.sluice.sql.SqlScanner;
import org.jboss.logging.Logger;

/**
 * The per-statement log lines of the detailed-logging feature ({@code ENABLE_DETAILED_LOGGING}): kind,
 * outcome, duration and the SQL text with every literal replaced by {@code ?}. They are logged at INFO
 * because the feature flag, rolled out per client, is the switch; the category
 * {@code io.sluice.gateway.StatementLog} can still silence them.
 */
final class StatementLog {
    private static final Logger LOG = Logger.getLogger(StatementLog.class);

    private StatementLog() {
    }

    /** @param outcome {@code ok} or the Hrana error code; never the error's message, which may quote the SQL */
    static void statement(Enum<?> kind, String outcome, long nanos, String sql, SqlScanner.Syntax syntax) {
        if (LOG.isInfoEnabled()) {
            LOG.infof("statement %s %s in %d us: %s", kind, outcome, nanos / 1000, SqlRedaction.redact(sql, syntax));
        }
    }
}
