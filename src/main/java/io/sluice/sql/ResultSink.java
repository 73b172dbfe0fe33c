package io.sluice.sql;

import java.util.List;

/**
 * Receives one statement's result as it is read, so the cursor can stream rows while the pipeline
 * collects them. Row values are {@code null}, {@link Long}, {@link Double}, {@link String} or {@code byte[]}.
 */
public interface ResultSink {

    void columns(List<Column> columns) throws StatementException;

    void row(Object[] values) throws StatementException;

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
        public void end(long affectedRowCount, Long lastInsertRowid) {
        }
    };
}
