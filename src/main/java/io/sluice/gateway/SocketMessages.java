package io.sluice.gateway;

import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import java.util.List;

/**
 * The messages of Hrana over WebSocket, independent of their encoding: what a {@link SocketCodec} decodes
 * from a client frame and encodes into a server frame. Requests on a stream reuse the stream requests of
 * the HTTP protocol ({@link Hrana}); only what is connection-level (streams, stored SQL, cursors) is new.
 */
final class SocketMessages {
    private SocketMessages() {
    }

    sealed interface ClientMsg {
    }

    /** Authenticates the connection (first message) or re-authenticates it (Hrana 2 and later). */
    record Hello(String jwt) implements ClientMsg {
    }

    record Request(int requestId, SocketRequest request) implements ClientMsg {
    }

    sealed interface SocketRequest {
        /** The {@code type} echoed in the response. */
        String type();
    }

    record OpenStream(int streamId) implements SocketRequest {
        public String type() {
            return "open_stream";
        }
    }

    record CloseStream(int streamId) implements SocketRequest {
        public String type() {
            return "close_stream";
        }
    }

    /** {@code execute}, {@code batch}, {@code sequence}, {@code describe} or {@code get_autocommit} on a stream. */
    record OnStream(int streamId, StreamRequest request) implements SocketRequest {
        public String type() {
            return request.type();
        }
    }

    /** Stores an SQL text for the whole connection (over HTTP the scope is one stream). */
    record StoreSql(int sqlId, String sql) implements SocketRequest {
        public String type() {
            return "store_sql";
        }
    }

    record CloseSql(int sqlId) implements SocketRequest {
        public String type() {
            return "close_sql";
        }
    }

    record OpenCursor(int streamId, int cursorId, Batch batch) implements SocketRequest {
        public String type() {
            return "open_cursor";
        }
    }

    /** @param maxCount the most entries the client wants in the answer (a uint32, clamped to int) */
    record FetchCursor(int cursorId, int maxCount) implements SocketRequest {
        public String type() {
            return "fetch_cursor";
        }
    }

    record CloseCursor(int cursorId) implements SocketRequest {
        public String type() {
            return "close_cursor";
        }
    }

    sealed interface ServerMsg {
    }

    record HelloOk() implements ServerMsg {
    }

    record HelloError(String message, String code) implements ServerMsg {
    }

    /**
     * A successful answer: {@code response} for the requests a stream answers (open, close and stored-SQL
     * requests answer {@link RequestRunner.Empty}), or {@code page} for {@code fetch_cursor}.
     */
    record ResponseOk(int requestId, String type, RequestRunner.Response response, CursorPage page) implements ServerMsg {
    }

    record ResponseError(int requestId, String message, String code) implements ServerMsg {
    }

    /** The answer to {@code fetch_cursor}. */
    record CursorPage(List<CursorEntry> entries, boolean done) {
    }

    /** One entry of a cursor: the same information as a batch result, step by step. */
    sealed interface CursorEntry {
    }

    record StepBegin(int step, List<Column> columns) implements CursorEntry {
    }

    record RowEntry(Object[] values) implements CursorEntry {
    }

    record StepEnd(long affectedRowCount, Long lastInsertRowid) implements CursorEntry {
    }

    record StepError(int step, StatementException error) implements CursorEntry {
    }

    /** The whole batch failed; always the last entry. */
    record BatchError(StatementException error) implements CursorEntry {
    }
}
