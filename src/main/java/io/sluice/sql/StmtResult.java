package io.sluice.sql;

import java.util.ArrayList;
import java.util.List;

/** A whole statement result, collected for a pipeline response. */
public record StmtResult(List<Column> columns, List<Object[]> rows, long affectedRowCount, Long lastInsertRowid) {

    /**
     * Collects one result while charging every value against a response budget, so that a huge result
     * fails with {@code RESPONSE_TOO_LARGE} instead of exhausting the heap.
     */
    public static final class Collector implements ResultSink {
        private final boolean wantRows;
        private final ResponseBudget budget;
        private List<Column> columns = List.of();
        private final List<Object[]> rows = new ArrayList<>();
        private StmtResult result;
        private long charged;

        public Collector(boolean wantRows, ResponseBudget budget) {
            this.wantRows = wantRows;
            this.budget = budget;
        }

        @Override
        public void columns(List<Column> cols) throws StatementException {
            this.columns = cols;
            for (Column c : cols) {
                charge(32 + length(c.name()) + length(c.decltype()));
            }
        }

        @Override
        public void row(Object[] values) throws StatementException {
            if (!wantRows) {
                return;
            }
            long size = 4;
            for (Object v : values) {
                size += ResponseBudget.encodedSize(v);
            }
            charge(size);
            rows.add(values);
        }

        @Override
        public long rowBytesAllowed() {
            return wantRows ? budget.remaining() : -1;
        }

        @Override
        public void end(long affectedRowCount, Long lastInsertRowid) {
            result = new StmtResult(columns, rows, affectedRowCount, lastInsertRowid);
        }

        /** Drops a result that failed part-way, refunding its bytes so later statements may still answer. */
        public void discard() {
            budget.refund(charged);
            charged = 0;
            rows.clear();
        }

        private void charge(long bytes) throws StatementException {
            charged += bytes;
            budget.charge(bytes);
        }

        public StmtResult result() {
            return result;
        }

        private static int length(String s) {
            return s == null ? 4 : s.length();
        }
    }
}
