package io.sluice.sql;

/** The Hrana error codes Sluice produces besides {@code SQLITE_*} codes taken from the backend. */
public final class ErrorCode {
    public static final String SQL_PARSE_ERROR = "SQL_PARSE_ERROR";
    public static final String SQL_INPUT_ERROR = "SQL_INPUT_ERROR";
    public static final String ARGS_INVALID = "ARGS_INVALID";
    public static final String SQL_NO_STATEMENT = "SQL_NO_STATEMENT";
    public static final String SQL_MANY_STATEMENTS = "SQL_MANY_STATEMENTS";
    public static final String RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE";
    public static final String SQL_STORE_ERROR = "SQL_STORE_ERROR";
    public static final String READONLY = "SQLITE_READONLY";
    public static final String INTERNAL = "INTERNAL";
    /** The statement ran past the statement timeout ({@code gateway.statementTimeout}) and was stopped. */
    public static final String STATEMENT_TIMEOUT = "STATEMENT_TIMEOUT";
    /** The statement was stopped by an operator's cancel or by the server shutting down. */
    public static final String STATEMENT_CANCELED = "STATEMENT_CANCELED";

    private ErrorCode() {
    }
}
