package io.sluice.sql;

/** What a statement does, as far as transactions, read-only access and result fields care. */
public enum StatementKind {
    READ, EXPLAIN, PRAGMA, INSERT, WRITE, DDL,
    /** {@code BEGIN} / {@code BEGIN DEFERRED} / {@code BEGIN TRANSACTION}. */
    BEGIN,
    /** {@code BEGIN IMMEDIATE} / {@code BEGIN EXCLUSIVE}. */
    BEGIN_WRITE,
    /** libSQL's {@code BEGIN TRANSACTION READONLY}. */
    BEGIN_READONLY,
    COMMIT, ROLLBACK, SAVEPOINT_CONTROL, OTHER;

    /** True for statements that never change the database (transaction control included). */
    public boolean isReadOnly() {
        return switch (this) {
            case READ, EXPLAIN, BEGIN, BEGIN_READONLY, COMMIT, ROLLBACK, SAVEPOINT_CONTROL -> true;
            default -> false;
        };
    }

    /** True for statements whose change count is the affected row count. */
    public boolean countsRows() {
        return this == INSERT || this == WRITE;
    }

    public boolean isBegin() {
        return this == BEGIN || this == BEGIN_WRITE || this == BEGIN_READONLY;
    }
}
