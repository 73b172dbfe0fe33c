package io.sluice.gateway;

import io.sluice.breaker.BreakerState;
import io.sluice.breaker.CircuitOpenException;
import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.StatementException;
import org.jboss.logging.Logger;

/**
 * A failure of the whole HTTP request (or WebSocket request): answered with the {@link HranaError}'s
 * status and a Hrana error object, and the stream involved (if any) is closed, except where noted by the
 * thrower. {@link #of} is the one translation of any throwable into one.
 */
class ProtocolException extends RuntimeException {
    private static final Logger LOG = Logger.getLogger(ProtocolException.class);

    private final HranaError error;
    private final String code;
    private final Integer retryAfterSeconds;
    private final RequestOutcome outcome;

    ProtocolException(HranaError error, String message) {
        this(error, error.code(), message, error.retryAfterSeconds());
    }

    private ProtocolException(HranaError error, String code, String message, Integer retryAfterSeconds) {
        this(error, code, message, retryAfterSeconds, error.outcome());
    }

    private ProtocolException(HranaError error, String code, String message, Integer retryAfterSeconds, RequestOutcome outcome) {
        super(message, null, false, false);
        this.error = error;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.outcome = outcome;
    }

    static ProtocolException badRequest(String message) {
        return new ProtocolException(HranaError.HRANA_PROTO_ERROR, message);
    }

    /** A request body over {@code sluice.gateway.max-request-bytes}, declared so or found so as it arrives. */
    static ProtocolException tooLarge() {
        return new ProtocolException(HranaError.REQUEST_TOO_LARGE, "Request body is too large");
    }

    /**
     * The Hrana error of a request that failed whole with {@code failure}: a ProtocolException as it is;
     * the breaker's refusal with its own {@code Retry-After}; the pool's unavailability; a statement failure
     * where the request needed a session ({@link HranaError#SESSION_FAILED}, with the statement's code);
     * anything else is a fault of Sluice, logged here and answered as {@link HranaError#INTERNAL} without
     * its details.
     */
    static ProtocolException of(Throwable failure) {
        if (failure instanceof ProtocolException p) {
            return p;
        }
        if (failure instanceof CircuitOpenException e) {
            // the same answer on the wire; an operator's forced open is counted apart, as no failure of the server
            RequestOutcome counted = e.state() == BreakerState.FORCED_OPEN ? RequestOutcome.CIRCUIT_FORCED_OPEN
                    : HranaError.CIRCUIT_OPEN.outcome();
            return new ProtocolException(HranaError.CIRCUIT_OPEN, HranaError.CIRCUIT_OPEN.code(), e.getMessage(),
                    (int) Math.min(Integer.MAX_VALUE, Math.max(1, e.retryAfterSeconds())), counted);
        }
        if (failure instanceof BackendUnavailableException e) {
            return new ProtocolException(HranaError.BACKEND_UNAVAILABLE, e.getMessage());
        }
        if (failure instanceof StatementException e) {
            HranaError s = HranaError.SESSION_FAILED;
            return new ProtocolException(s, e.code(), e.getMessage(), s.retryAfterSeconds());
        }
        LOG.error("unexpected failure handling a Hrana request", failure);
        return new ProtocolException(HranaError.INTERNAL, "Internal server error");
    }

    /**
     * The same translation for a failure reported in-band (a cursor entry after the response has begun):
     * a statement failure as it is, anything else as {@link #of} codes it.
     */
    static StatementException inBand(Throwable failure) {
        if (failure instanceof StatementException e) {
            return e;
        }
        ProtocolException p = of(failure);
        return new StatementException(p.code(), p.getMessage());
    }

    HranaError error() {
        return error;
    }

    int status() {
        return error.status();
    }

    String code() {
        return code;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The metric outcome of the request this failed, on every transport. */
    RequestOutcome outcome() {
        return outcome;
    }
}
