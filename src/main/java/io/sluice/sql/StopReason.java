package io.sluice.sql;

/** Why Sluice stopped a running statement. Every reason is {@link FailureClass#TIMEOUT}: never the database's fault. */
public enum StopReason {
    /** It ran past the statement timeout. */
    TIMEOUT,
    /** The HTTP connection of the request running it closed. */
    CLIENT_GONE,
    /** An operator cancelled it (admin API, {@code debug:connections --cancel}). */
    OPERATOR,
    /** The server is shutting down and the drain grace period is over. */
    SHUTDOWN
}
