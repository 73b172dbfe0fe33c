package io.sluice.gateway;

/**
 * A failure of the whole HTTP request: answered with {@code status} and a Hrana error object, and the
 * stream involved (if any) is closed, except where noted by the thrower.
 */
class ProtocolException extends RuntimeException {
    private final int status;
    private final String code;
    private final Integer retryAfterSeconds;

    ProtocolException(int status, String code, String message) {
        this(status, code, message, null);
    }

    ProtocolException(int status, String code, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ProtocolException badRequest(String message) {
        return new ProtocolException(400, "HRANA_PROTO_ERROR", message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
