package io.sluice.pool;

import io.sluice.sql.RunningStatements;
import io.sluice.sql.StopReason;
import io.sluice.store.StoreService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The operator's levers on running statements: list them ({@code debug:connections}) and cancel one,
 * audited in the same log as flag and setting changes. The cancel happens first and always: an audit
 * store that cannot be written is logged, and never keeps a runaway statement running.
 */
@ApplicationScoped
public class StatementControl {
    private static final Logger LOG = Logger.getLogger(StatementControl.class);

    private final Backend backend;
    private final StoreService store;

    StatementControl(Backend backend, StoreService store) {
        this.backend = backend;
        this.store = store;
    }

    /** Every running statement, longest-running first, SQL literals redacted. */
    public List<RunningStatements.View> running() {
        return backend.statements().list();
    }

    /**
     * Cancels one running statement: it answers {@code STATEMENT_CANCELED} and its stream goes on.
     *
     * @return the statement as it was when cancelled, empty when no such statement runs (it ended)
     */
    public Optional<RunningStatements.View> cancel(long id, String who, String why) {
        Optional<RunningStatements.View> before = running().stream().filter(v -> v.id() == id).findFirst();
        if (before.isEmpty() || !backend.statements().cancel(id, StopReason.OPERATOR)) {
            return Optional.empty();
        }
        RunningStatements.View v = before.get();
        String target = "statement:" + id;
        String was = "running " + v.age().toMillis() + " ms on stream " + v.stream() + " for " + v.principal() + ": " + v.sql();
        try {
            store.write(draft -> draft.audit("cancel", target, who, was, "cancelled", why));
        } catch (RuntimeException e) {
            LOG.warnf("statement %d cancelled, but the audit store could not be written: %s", id, e.getMessage());
            store.auditUnstored("cancel", target, who, was, "cancelled", why);
        }
        return before;
    }
}
