package io.sluice.gateway;

/**
 * One request's hold on a stream, closed by try-with-resources: every path that holds a stream (the HTTP
 * pipeline and cursor, a WebSocket's stream requests) ends its request through here, so none has to remember
 * to give the stream back or to close it after a failure.
 *
 * <p>A request that got its answer calls {@link #complete()}: the stream becomes idle again (and, for a
 * baton-addressed stream, gets its next baton) unless it was closed meanwhile. A request that leaves the
 * {@code try} without completing — an exception, an abandoned client — closes the stream: it rolls back what
 * is open and gives its connection back, and a later baton gets {@code STREAM_EXPIRED}.
 *
 * <pre>
 *   held ──complete()──► done (idle again, or closed if the request closed it)
 *     └───close() without complete()──► stream closed
 * </pre>
 *
 * Used by one thread, the one that holds the stream BUSY.
 */
final class StreamGuard implements AutoCloseable {
    private final StreamManager streams;
    private final Stream stream;
    /** Owned by a connection (WebSocket): no baton, {@link StreamManager#settle} instead of {@link StreamManager#finish}. */
    private final boolean owned;
    private boolean done;

    private StreamGuard(StreamManager streams, Stream stream, boolean owned) {
        this.streams = streams;
        this.stream = stream;
        this.owned = owned;
    }

    /** Guards a baton-addressed stream the caller holds BUSY (opened or resumed for an HTTP request). */
    static StreamGuard baton(StreamManager streams, Stream stream) {
        return new StreamGuard(streams, stream, false);
    }

    /** Guards a connection-owned stream the caller holds BUSY ({@link StreamManager#openOwned}). */
    static StreamGuard owned(StreamManager streams, Stream stream) {
        return new StreamGuard(streams, stream, true);
    }

    Stream stream() {
        return stream;
    }

    /** Closes the stream when the request ends (a close request, a failure answered in band); the request still completes. */
    void closeStream(Stream.Closing why) {
        streams.close(stream, why);
    }

    /**
     * Ends the request normally: the stream is idle again, or gone if it was closed.
     *
     * @return the stream's next baton, or null when it is closed or owned by a connection
     */
    String complete() {
        if (done) {
            throw new IllegalStateException("the request on stream " + Long.toHexString(stream.id) + " already ended");
        }
        done = true;
        return end();
    }

    /** Closes the stream unless the request {@link #complete completed}. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            streams.close(stream, Stream.Closing.FAILED);
            end();
        }
    }

    private String end() {
        if (owned) {
            streams.settle(stream);
            return null;
        }
        return streams.finish(stream);
    }
}
