package io.sluice.gateway;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes that all requests together may hold at once. A request reserves its declared
 * size (or the largest allowed body when it declares none) after authentication and before a byte of its
 * body is read, and gives it back when its response ends or its connection closes; a reservation that does
 * not fit is refused, so concurrent large bodies are answered 503 instead of filling the heap.
 */
final class BodyBudget {
    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    BodyBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the body budget must be positive");
        }
        this.limit = limit;
    }

    /** True when {@code bytes} were reserved; the caller must {@link #release} them exactly once. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > limit) {
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
