package io.sluice.gateway;

import io.sluice.sql.ArgumentBinder.NamedArg;
import java.util.List;

/** The Hrana request model as parsed from JSON. */
final class Hrana {
    private Hrana() {
    }

    enum Version {
        V2, V3
    }

    /** A statement: exactly one of {@code sql} and {@code sqlId} is set. */
    record Stmt(String sql, Integer sqlId, List<Object> args, List<NamedArg> namedArgs, boolean wantRows) {
    }

    record Batch(List<BatchStep> steps) {
    }

    record BatchStep(Cond condition, Stmt stmt) {
    }

    sealed interface Cond {
    }

    record OkCond(int step) implements Cond {
    }

    record ErrorCond(int step) implements Cond {
    }

    record NotCond(Cond cond) implements Cond {
    }

    record AndCond(List<Cond> conds) implements Cond {
    }

    record OrCond(List<Cond> conds) implements Cond {
    }

    record IsAutocommitCond() implements Cond {
    }

    sealed interface StreamRequest {
        /** The {@code type} echoed in the response. */
        String type();
    }

    record CloseReq() implements StreamRequest {
        public String type() {
            return "close";
        }
    }

    record ExecuteReq(Stmt stmt) implements StreamRequest {
        public String type() {
            return "execute";
        }
    }

    record BatchReq(Batch batch) implements StreamRequest {
        public String type() {
            return "batch";
        }
    }

    record SequenceReq(String sql, Integer sqlId) implements StreamRequest {
        public String type() {
            return "sequence";
        }
    }

    record DescribeReq(String sql, Integer sqlId) implements StreamRequest {
        public String type() {
            return "describe";
        }
    }

    record StoreSqlReq(int sqlId, String sql) implements StreamRequest {
        public String type() {
            return "store_sql";
        }
    }

    record CloseSqlReq(int sqlId) implements StreamRequest {
        public String type() {
            return "close_sql";
        }
    }

    record GetAutocommitReq() implements StreamRequest {
        public String type() {
            return "get_autocommit";
        }
    }
}
