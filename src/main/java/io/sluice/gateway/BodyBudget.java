package io.sluice.gateway;

import io.sluice.config.SluiceConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request bytes that all requests together may hold at once ({@code sluice.gateway.max-buffered-request-bytes}),
 * over HTTP and WebSocket alike. An HTTP request reserves its declared size (or the largest allowed body when
 * it declares none) after authentication and before a byte of its body is read, and gives it back when its
 * response ends or its connection closes; a WebSocket message reserves its size as it arrives and gives it
 * back once its request is answered. A reservation that does not fit is refused, so concurrent large
 * requests are turned away (503, or close 1013) instead of filling the heap.
 */
@Singleton
final class BodyBudget {
    /** A request up to this size is small: it may use the whole budget. */
    static final long SMALL_REQUEST_BYTES = 64 * 1024;

    private final long limit;
    /** What large requests leave to small ones: an eighth of the budget, at most 2 MiB. */
    private final long smallShare;
    private final AtomicLong reserved = new AtomicLong();

    @Inject
    BodyBudget(SluiceConfig config) {
        this(config.gateway().maxBufferedRequestBytes());
    }

    BodyBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the body budget must be positive");
        }
        this.limit = limit;
        this.smallShare = Math.min(limit / 8, 2L * 1024 * 1024);
    }

    /** True when {@code bytes}, a whole request, were reserved; the caller must {@link #release} them exactly once. */
    boolean tryReserve(long bytes) {
        return tryReserve(bytes, bytes);
    }

    /**
     * True when {@code bytes} of a request of {@code requestSize} bytes (so far) were reserved. Large requests
     * may not take the last part of the budget, so a small request still fits while large ones are turned
     * away: clients sending megabytes cannot make every small request wait.
     */
    boolean tryReserve(long bytes, long requestSize) {
        long cap = requestSize > SMALL_REQUEST_BYTES ? limit - smallShare : limit;
        while (true) {
            long now = reserved.get();
            if (now + bytes > cap) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    /** Bytes reserved right now. */
    long reserved() {
        return reserved.get();
    }
}
