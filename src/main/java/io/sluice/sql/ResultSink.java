package io.sluice.sql;

import java.util.List;

/**
 * Receives one statement's result as it is read, so the cursor can stream rows while the pipeline
 * collects them. Row values are {@code null}, {@link Long}, {@link Double}, {@link String} or {@code byte[]}.
 */
public interface ResultSink {

    void columns(List<Column> columns) throws StatementException;

    void row(Object[] values) throws StatementException;

    /**
     * The encoded bytes ({@link ResponseBudget#encodedSize}) the next row's values may take. A row reader
     * checks each value against it as it reads, so a row that does not fit fails with
     * {@code RESPONSE_TOO_LARGE} after at most one value too many was read (and SQLite's length limit bounds
     * that value). Negative when the sink keeps no values, which are then not read at all.
     */
    default long rowBytesAllowed() {
        return Long.MAX_VALUE;
    }

    /** @param lastInsertRowid the rowid of the row this statement inserted, or null */
    void end(long affectedRowCount, Long lastInsertRowid) throws StatementException;

    /** A sink that keeps nothing (for {@code sequence}). */
    ResultSink DISCARD = new ResultSink() {
        @Override
        public void columns(List<Column> columns) {
        }

        @Override
        public void row(Object[] values) {
        }

        @Override
        public long rowBytesAllowed() {
            return -1;
        }

        @Override
        public void end(long affectedRowCount, Long lastInsertRowid) {
        }
    };
}
