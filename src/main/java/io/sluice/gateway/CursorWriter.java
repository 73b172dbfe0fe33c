package io.sluice.gateway;

import io.netty.buffer.Unpooled;
import io.sluice.gateway.SocketMessages.BatchError;
import io.sluice.gateway.SocketMessages.RowEntry;
import io.sluice.gateway.SocketMessages.StepBegin;
import io.sluice.gateway.SocketMessages.StepEnd;
import io.sluice.gateway.SocketMessages.StepError;
import io.sluice.sql.Column;
import io.sluice.sql.ResultSink;
import io.sluice.sql.StatementException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Streams a cursor's entries while the batch runs, framed by a {@link Format}: newline-delimited JSON
 * ({@code /v3/cursor}) or length-delimited Protobuf ({@code /v3-protobuf/cursor}). Rows go out in chunks of
 * about {@value #CHUNK_BYTES} bytes; when the client reads slower than the database produces, the
 * worker waits for the connection to drain instead of buffering the result.
 */
final class CursorWriter implements RequestRunner.StepSinks {
    static final int CHUNK_BYTES = 16 * 1024;
    private static final long DRAIN_TIMEOUT_SECONDS = 60;

    /** The client went away; the cursor stops reading rows. */
    static final class ClientGone extends RuntimeException {
        ClientGone() {
            super("client closed the cursor response", null, false, false);
        }
    }

    private final HttpServerResponse response;
    /** Told when the connection closes; the drain wait takes over the response's close handler. */
    private final io.vertx.core.Handler<Void> onClose;
    private final Chunk out = new Chunk();
    private final Format format;
    private final long maxRowBytes;

    /** Writes each cursor item, whole and framed, into the writer's buffer. */
    interface Format {
        String contentType();

        void head(String baton) throws IOException;

        void stepBegin(int step, List<Column> columns) throws IOException;

        void row(Object[] values) throws IOException;

        void stepEnd(long affectedRowCount, Long lastInsertRowid) throws IOException;

        void stepError(int step, StatementException error) throws IOException;

        void error(StatementException error) throws IOException;
    }

    /** Newline-delimited JSON: one object per line, each written by {@link HranaJsonWriter}. */
    static final class JsonLines implements Format {
        private final HranaJsonWriter lines;

        JsonLines(ByteArrayOutputStream out) {
            this.lines = HranaJsonWriter.cursorLines(out);
        }

        @Override
        public String contentType() {
            return "text/plain";
        }

        @Override
        public void head(String baton) {
            lines.headLine(baton);
        }

        @Override
        public void stepBegin(int step, List<Column> columns) {
            lines.line(new StepBegin(step, columns));
        }

        @Override
        public void row(Object[] values) {
            lines.line(new RowEntry(values));
        }

        @Override
        public void stepEnd(long affectedRowCount, Long lastInsertRowid) {
            lines.line(new StepEnd(affectedRowCount, lastInsertRowid));
        }

        @Override
        public void stepError(int step, StatementException error) {
            lines.line(new StepError(step, error));
        }

        @Override
        public void error(StatementException error) {
            lines.line(new BatchError(error));
        }
    }

    /**
     * @param maxRowBytes the largest row (encoded) the cursor sends: rows stream out, but each is built whole first
     * @param onClose told when the connection closes; the drain wait takes over the response's close handler
     */
    CursorWriter(HttpServerResponse response, long maxRowBytes, io.vertx.core.Handler<Void> onClose) {
        this(response, maxRowBytes, onClose, JsonLines::new);
    }

    /** @param format makes the framing of the entries, writing into the buffer it is given */
    CursorWriter(HttpServerResponse response, long maxRowBytes, io.vertx.core.Handler<Void> onClose,
            java.util.function.Function<ByteArrayOutputStream, Format> format) {
        this.response = response;
        this.maxRowBytes = maxRowBytes;
        this.onClose = onClose;
        this.format = format.apply(out);
    }

    void begin(String baton) {
        response.setStatusCode(200).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, format.contentType());
        line(() -> format.head(baton));
    }

    @Override
    public ResultSink open(int step, boolean wantRows) {
        return new ResultSink() {
            @Override
            public void columns(List<Column> columns) {
                line(() -> format.stepBegin(step, columns));
            }

            @Override
            public long rowBytesAllowed() {
                return wantRows ? maxRowBytes : -1;
            }

            @Override
            public void row(Object[] values) {
                if (!wantRows) {
                    return;
                }
                line(() -> format.row(values));
            }

            @Override
            public void end(long affectedRowCount, Long lastInsertRowid) {
                line(() -> format.stepEnd(affectedRowCount, lastInsertRowid));
            }
        };
    }

    @Override
    public void failed(int step, StatementException error) {
        line(() -> format.stepError(step, error));
    }

    /** Ends the cursor with a whole-batch error. */
    void error(StatementException error) {
        line(() -> format.error(error));
    }

    /** Ends the response: the entries still buffered (the last chunk) and the end of the body go out in one write. */
    void end() {
        if (response.closed() || response.ended()) {
            return;
        }
        if (out.size() == 0) {
            response.end();
            return;
        }
        response.end(out.take(false));
    }

    /** Gives up on a response that failed half-way: the client sees a truncated body, never a false success. */
    void abort() {
        if (!response.closed()) {
            response.reset();
        }
    }

    /**
     * The entries not yet written to the response. Its array goes to the response as it is, not copied, and it
     * starts again with a chunk-sized one of its own: a large row's array is neither copied nor kept for the rest
     * of the cursor.
     */
    private static final class Chunk extends ByteArrayOutputStream {
        private static final byte[] NO_BYTES = new byte[0];
        /** The first chunk's array: most cursors (a batch's few results) fit in it; a larger one grows it. */
        private static final int FIRST_BYTES = 2048;

        Chunk() {
            super(FIRST_BYTES);
        }

        /**
         * What it holds; with {@code more} entries to come (the cursor filled a chunk) it gets a new array of a
         * full chunk's size, the last chunk leaves it none.
         */
        Buffer take(boolean more) {
            Buffer taken = Buffer.buffer(Unpooled.wrappedBuffer(buf, 0, count));
            buf = more ? new byte[CHUNK_BYTES * 2] : NO_BYTES;
            count = 0;
            return taken;
        }
    }

    private interface Entry {
        void write() throws IOException;
    }

    private void line(Entry entry) {
        try {
            entry.write();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.size() >= CHUNK_BYTES) {
            flush();
        }
    }

    private void flush() {
        if (out.size() == 0) {
            return;
        }
        if (response.closed()) {
            throw new ClientGone();
        }
        response.write(out.take(true));
        if (response.writeQueueFull()) {
            awaitDrain();
        }
    }

    private void awaitDrain() {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        response.drainHandler(v -> drained.complete(null));
        response.closeHandler(v -> {
            drained.completeExceptionally(new ClientGone());
            onClose.handle(v);
        });
        if (!response.writeQueueFull() || response.closed()) {
            drained.complete(null);
        }
        try {
            drained.get(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ClientGone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientGone();
        }
        if (response.closed()) {
            throw new ClientGone();
        }
    }
}
