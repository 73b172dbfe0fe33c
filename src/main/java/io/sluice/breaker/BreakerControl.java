package io.sluice.breaker;

import io.sluice.store.StoreService;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The operator's levers on the circuit breaker ({@code debug:circuit-breaker}, the console's breaker page):
 * force it open and reset it, each audited — who, when, why, state before and after — in the same log as
 * flag and setting changes. The action happens first and always: an audit store that cannot be written is
 * logged (the {@code io.sluice.audit} line is still written), and never keeps the breaker from opening
 * during an incident.
 */
@ApplicationScoped
public class BreakerControl {
    /** The audit entries' target. */
    public static final String TARGET = "circuit-breaker";
    /** The longest reason accepted; longer ones are refused rather than cut. */
    public static final int MAX_REASON = 200;
    private static final Logger LOG = Logger.getLogger(BreakerControl.class);

    private final CircuitBreaker breaker;
    private final StoreService store;

    BreakerControl(CircuitBreaker breaker, StoreService store) {
        this.breaker = breaker;
        this.store = store;
    }

    /**
     * Opens the breaker until {@link #reset}.
     *
     * @param reason required: why, shown in the status and the audit trail; at most {@link #MAX_REASON} characters
     * @throws IllegalArgumentException the reason is missing, blank or too long; nothing changed
     */
    public BreakerStatus forceOpen(String reason, String who) {
        String why = reason(reason, true);
        BreakerState before = breaker.status().state();
        BreakerStatus after = breaker.forceOpen(why);
        audit("force-open", who, before, after, why);
        return after;
    }

    /**
     * Closes the breaker with a fresh failure window.
     *
     * @param reason optional; at most {@link #MAX_REASON} characters
     * @throws IllegalArgumentException the reason is too long; nothing changed
     */
    public BreakerStatus reset(String reason, String who) {
        String why = reason(reason, false);
        BreakerState before = breaker.status().state();
        BreakerStatus after = breaker.reset();
        audit("reset", who, before, after, why);
        return after;
    }

    private static String reason(String reason, boolean required) {
        String r = reason == null ? "" : reason.strip();
        if (required && r.isEmpty()) {
            throw new IllegalArgumentException("reason: required to force the breaker open (why, for the audit trail)");
        }
        if (r.length() > MAX_REASON) {
            throw new IllegalArgumentException("reason: at most " + MAX_REASON + " characters (got " + r.length() + ")");
        }
        return r;
    }

    private void audit(String action, String who, BreakerState before, BreakerStatus after, String why) {
        String was = before.name();
        String now = after.state().name();
        try {
            store.write(draft -> draft.audit(action, TARGET, who, was, now, why));
        } catch (RuntimeException e) {
            LOG.warnf("circuit breaker %s by %s done, but the audit store could not be written: %s", action, who, e.getMessage());
            store.auditUnstored(action, TARGET, who, was, now, why);
        }
    }
}
