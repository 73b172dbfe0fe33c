package io.sluice.gateway;

import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.Stmt;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import java.util.List;

/**
 * The messages of Hrana over WebSocket (versions 1 to 3), independent of their encoding: what a socket's
 * frames decode into and what its answers are built from. Statements, batches and results are the
 * {@link Hrana} and {@link RequestRunner} types the HTTP endpoints use, so both transports share one engine.
 */
final class HranaWs {
    private HranaWs() {
    }

    /** A message from the client. */
    sealed interface ClientMsg {
    }

    /** Authenticates (again, on v2+) the connection; {@code jwt} is null when the client sends none. */
    record Hello(String jwt) implements ClientMsg {
    }

    record Request(int requestId, WsRequest request) implements ClientMsg {
    }

    /** A request; the response carries the same {@code type}. */
    sealed interface WsRequest {
        String type();
    }

    record OpenStream(int streamId) implements WsRequest {
        public String type() {
            return "open_stream";
        }
    }

    record CloseStream(int streamId) implements WsRequest {
        public String type() {
            return "close_stream";
        }
    }

    record Execute(int streamId, Stmt stmt) implements WsRequest {
        public String type() {
            return "execute";
        }
    }

    record RunBatch(int streamId, Batch batch) implements WsRequest {
        public String type() {
            return "batch";
        }
    }

    record OpenCursor(int streamId, int cursorId, Batch batch) implements WsRequest {
        public String type() {
            return "open_cursor";
        }
    }

    record CloseCursor(int cursorId) implements WsRequest {
        public String type() {
            return "close_cursor";
        }
    }

    /** {@code maxCount} is an unsigned 32-bit count on the wire, hence a long. */
    record FetchCursor(int cursorId, long maxCount) implements WsRequest {
        public String type() {
            return "fetch_cursor";
        }
    }

    /** Exactly one of {@code sql} and {@code sqlId} is set. */
    record Sequence(int streamId, String sql, Integer sqlId) implements WsRequest {
        public String type() {
            return "sequence";
        }
    }

    /** Exactly one of {@code sql} and {@code sqlId} is set. */
    record Describe(int streamId, String sql, Integer sqlId) implements WsRequest {
        public String type() {
            return "describe";
        }
    }

    record StoreSql(int sqlId, String sql) implements WsRequest {
        public String type() {
            return "store_sql";
        }
    }

    record CloseSql(int sqlId) implements WsRequest {
        public String type() {
            return "close_sql";
        }
    }

    record GetAutocommit(int streamId) implements WsRequest {
        public String type() {
            return "get_autocommit";
        }
    }

    /** A message from the server. */
    sealed interface ServerMsg {
    }

    record HelloOk() implements ServerMsg {
    }

    record HelloError(String message, String code) implements ServerMsg {
    }

    /**
     * A successful response to a request of {@code type}: {@code result} is the stream-level answer
     * ({@link RequestRunner.Executed}, {@link RequestRunner.Batched}, {@link RequestRunner.Described},
     * {@link RequestRunner.Autocommit}, or {@link RequestRunner.Empty} for the requests that answer nothing).
     */
    record ResponseOk(int requestId, String type, Response result) implements ServerMsg {
    }

    /** The answer to {@code fetch_cursor}: some entries, and whether the cursor has no more. */
    record FetchCursorOk(int requestId, List<CursorItem> entries, boolean done) implements ServerMsg {
    }

    record ResponseError(int requestId, String message, String code) implements ServerMsg {
    }

    /** One entry of a cursor, as {@code fetch_cursor} returns it. */
    sealed interface CursorItem {
    }

    record StepBegin(int step, List<Column> columns) implements CursorItem {
    }

    record Row(Object[] values) implements CursorItem {
    }

    record StepEnd(long affectedRowCount, Long lastInsertRowid) implements CursorItem {
    }

    record StepError(int step, StatementException error) implements CursorItem {
    }

    /** The whole batch failed; always the cursor's last entry. */
    record BatchError(StatementException error) implements CursorItem {
    }
}
