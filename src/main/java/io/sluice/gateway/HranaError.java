package io.sluice.gateway;

import io.sluice.metrics.SluiceMetrics.RequestOutcome;
import io.sluice.sql.StatementException;

/**
 * The gateway's own Hrana error vocabulary: every error code Sluice itself answers with (as opposed to the
 * statement codes of {@link io.sluice.sql.ErrorCode} and the SQLite codes the database reports), with the
 * HTTP status a failed request gets, its default {@code Retry-After}, and the metric outcome it counts as.
 * The codes are wire format: clients match on them, so a constant's {@link #code()} never changes.
 *
 * <p>A request that fails whole carries one of these in a {@link ProtocolException}; a failure reported
 * in-band (a pipeline result, a cursor entry, a WebSocket response on a served request) is a
 * {@link StatementException} made by {@link #statement}. {@link ProtocolException#of} is the one
 * translation of any other throwable. The table is documented in {@code docs/protocol.md}.
 */
public enum HranaError {
    /** A malformed request: bad JSON or Protobuf, a missing field, an invalid baton or Content-Length. */
    HRANA_PROTO_ERROR(400, null, RequestOutcome.BAD_REQUEST),
    /** The stream a baton names was closed for inactivity (or never existed here). */
    STREAM_EXPIRED(400, null, RequestOutcome.STREAM_EXPIRED),
    /** No valid token. Answered with {@code WWW-Authenticate: Bearer}. */
    UNAUTHORIZED(401, null, RequestOutcome.UNAUTHORIZED),
    /** A valid token that may not do this (a read-only token on a read-write stream, another principal's stream). */
    FORBIDDEN(403, null, RequestOutcome.UNAUTHORIZED),
    /** The request body is larger than the configured limit. */
    REQUEST_TOO_LARGE(413, null, RequestOutcome.TOO_LARGE),
    /** The request body arrived too slowly (its connection is closed). */
    REQUEST_TIMEOUT(408, null, RequestOutcome.BAD_REQUEST),
    /** The caller's own share of open streams is used up. */
    PRINCIPAL_STREAMS_EXHAUSTED(429, 1, RequestOutcome.LIMITED),
    /** The caller's own share of database connections stayed used up for the acquire timeout. */
    PRINCIPAL_LEASES_EXHAUSTED(429, 1, RequestOutcome.LIMITED),
    /** The caller's own share of the request-body budget is held by its requests still being read or run. */
    PRINCIPAL_BODIES_EXHAUSTED(429, 1, RequestOutcome.LIMITED),
    /** The server's (or this WebSocket connection's) limit of open streams is reached. */
    STREAMS_EXHAUSTED(503, 1, RequestOutcome.UNAVAILABLE),
    /** Too many request bodies being read, or too many WebSocket connections, right now. */
    SERVER_BUSY(503, 1, RequestOutcome.UNAVAILABLE),
    /** The replica drains before shutting down and opens no new streams; another replica will answer. */
    SHUTTING_DOWN(503, 1, RequestOutcome.SHUTTING_DOWN),
    /** No database connection could be had in time. */
    BACKEND_UNAVAILABLE(503, 1, RequestOutcome.UNAVAILABLE),
    /** The circuit breaker refuses calls; {@code Retry-After} is the time to its next probe. */
    CIRCUIT_OPEN(503, 1, RequestOutcome.CIRCUIT_OPEN),
    /**
     * The stream's database session could not be set up (a cursor's request fails whole); the wire code is
     * the statement's own (e.g. {@code SQLITE_IOERR}), so this constant has none.
     */
    SESSION_FAILED(503, 1, RequestOutcome.UNAVAILABLE),
    /** A fault in Sluice itself; the details are only in the server log. */
    INTERNAL(500, null, RequestOutcome.SERVER_ERROR),
    /** In-band: a later request of a pipeline after {@code close} closed its stream. */
    STREAM_CLOSED(200, null, RequestOutcome.OK),
    /** In-band, WebSocket: a request on a stream whose {@code open_stream} failed. */
    STREAM_NOT_OPEN(200, null, RequestOutcome.OK),
    /** In-band, WebSocket: a fetch on a cursor whose {@code open_cursor} failed. */
    CURSOR_NOT_OPEN(200, null, RequestOutcome.OK);

    private final int status;
    private final Integer retryAfterSeconds;
    private final RequestOutcome outcome;

    HranaError(int status, Integer retryAfterSeconds, RequestOutcome outcome) {
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
        this.outcome = outcome;
    }

    /** The code on the wire; null for {@link #SESSION_FAILED}, which reports the statement's code. */
    public String code() {
        return this == SESSION_FAILED ? null : name();
    }

    /** The HTTP status of a request that fails whole with this error; 200 for an error only reported in-band. */
    public int status() {
        return status;
    }

    /** The default {@code Retry-After} in seconds, null when retrying as-is would not help. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Whether the same request may succeed when retried later. */
    public boolean retryable() {
        return retryAfterSeconds != null;
    }

    /** The metric outcome of a request that fails whole with this error, on every transport. */
    public RequestOutcome outcome() {
        return outcome;
    }

    /** A failure of the whole request. */
    ProtocolException exception(String message) {
        return new ProtocolException(this, message);
    }

    /** The same error reported in-band, inside a served response. */
    public StatementException statement(String message) {
        return new StatementException(code(), message);
    }
}
