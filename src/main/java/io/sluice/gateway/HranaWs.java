package io.sluice.gateway;

import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.RequestRunner.Response;
import io.sluice.sql.Column;
import io.sluice.sql.StatementException;
import java.util.List;

/**
 * The messages of Hrana over WebSocket, independent of their encoding, as the Protobuf codec
 * ({@link ProtobufWsCodec}) reads and writes them. Requests on a stream are the HTTP protocol's
 * {@link Hrana} stream requests and answers are {@link RequestRunner} results, so both transports share one
 * engine. The shapes follow the WebSocket transport's own message model one for one, so that this file
 * gives way to it when the two meet.
 */
final class HranaWs {
    private HranaWs() {
    }

    sealed interface ClientMsg {
    }

    /** Authenticates (first message) or re-authenticates the connection; {@code jwt} null when none is sent. */
    record Hello(String jwt) implements ClientMsg {
    }

    record Request(int requestId, SocketRequest request) implements ClientMsg {
    }

    sealed interface SocketRequest {
        /** The {@code type} the response carries. */
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

    /** @param maxCount the most entries wanted (a uint32 on the wire, clamped to {@code Integer.MAX_VALUE}) */
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
     * A successful answer: {@code response} for what a stream answers ({@link RequestRunner.Empty} for the
     * requests that return nothing), or {@code page} for {@code fetch_cursor}.
     */
    record ResponseOk(int requestId, String type, Response response, CursorPage page) implements ServerMsg {
    }

    record ResponseError(int requestId, String message, String code) implements ServerMsg {
    }

    /** The answer to {@code fetch_cursor}: some entries, and whether the cursor has no more. */
    record CursorPage(List<CursorEntry> entries, boolean done) {
    }

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
