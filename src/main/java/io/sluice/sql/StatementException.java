package io.sluice.sql;

/**
 * A failure of one statement or stream request, reported to the client as a Hrana error object
 * ({@code {"message", "code"}}) inside an HTTP 200 response. The message is safe to show: it never holds
 * credentials or stack traces.
 */
public class StatementException extends Exception {
    private final String code;

    public StatementException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
