package io.sluice.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.Meters;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request bytes that all requests together may hold at once ({@code sluice.gateway.max-buffered-request-bytes}),
 * over HTTP and WebSocket alike. An HTTP request reserves its declared size (or the largest allowed body when
 * it declares none) after authentication and before a byte of its body is read, and gives it back when its
 * response ends or its connection closes; a WebSocket message reserves its size as it arrives and gives it
 * back once its request is answered. A reservation that does not fit is refused, so concurrent large
 * requests are turned away (503, or close 1013) instead of filling the heap.
 *
 * <p>One caller's large requests (a verified principal's, or those of the name a caller gives itself when
 * authentication is off: the key of its share of streams and connections) may hold half of the budget with
 * everything else it holds, or one large request alone of any size the budget admits, so that a caller sending
 * large bodies slowly cannot keep every other caller's out (429). Its small requests count towards what it
 * holds but are not refused for it: a body of at most 64 KiB that arrives too slowly is refused within seconds
 * anyway (the body timeout), and a client uploading a large batch can still read meanwhile. A reservation
 * without a key (the unnamed caller of {@code auth.mode=none}, which stands for every caller at once) is
 * bounded by the whole budget only.
 */
@Singleton
final class BodyBudget {
    /** A request up to this size is small: it may use the whole budget. */
    static final long SMALL_REQUEST_BYTES = 64 * 1024;

    private final long limit;
    /** What large requests leave to small ones: an eighth of the budget, at most 2 MiB. */
    private final long smallShare;
    /** Half of the budget: what a caller asking for a large request may hold with it, unless that request alone is more. */
    private final long callerShare;
    private final AtomicLong reserved = new AtomicLong();
    /** Bytes held by each caller that holds any (a caller holding none has no entry). */
    private final ConcurrentHashMap<String, Long> byCaller = new ConcurrentHashMap<>();

    /** What {@link #reserve} did. */
    enum Admission {
        RESERVED,
        /** The whole budget has no room: 503 {@code SERVER_BUSY}. */
        BUSY,
        /** The caller's own share has no room: 429 {@code PRINCIPAL_BODIES_EXHAUSTED}. */
        OVER_CALLER_SHARE
    }

    /** Refusals for a caller's own share ({@code sluice_principal_limit_refusals_total{limit="bodies"}}); null: not counted. */
    private final Counter callerRefusals;

    @Inject
    BodyBudget(SluiceConfig config, MeterRegistry registry) {
        this(config.gateway().maxBufferedRequestBytes(),
                Counter.builder(Meters.PRINCIPAL_LIMIT_REFUSALS).tag(Meters.LIMIT, "bodies").register(registry));
    }

    BodyBudget(long limit) {
        this(limit, null);
    }

    private BodyBudget(long limit, Counter callerRefusals) {
        if (limit < 1) {
            throw new IllegalArgumentException("the body budget must be positive");
        }
        this.limit = limit;
        this.smallShare = Math.min(limit / 8, 2L * 1024 * 1024);
        this.callerShare = limit / 2;
        this.callerRefusals = callerRefusals;
    }

    /**
     * Reserves {@code bytes} of a request of {@code requestSize} bytes (so far) for {@code caller} (null: no share
     * of its own): refused when the request is large and the caller would hold more than its share and more than
     * this one request, or when the budget has no room ({@link #tryReserve(long, long)}). The caller must
     * {@link #release(String, long)} what was reserved exactly once, with the same key.
     */
    Admission reserve(String caller, long bytes, long requestSize) {
        if (caller == null) {
            return tryReserve(bytes, requestSize) ? Admission.RESERVED : Admission.BUSY;
        }
        Admission[] admission = {Admission.OVER_CALLER_SHARE};
        byCaller.compute(caller, (c, held) -> {
            long now = held == null ? 0 : held;
            if (requestSize > SMALL_REQUEST_BYTES && now + bytes > Math.max(callerShare, requestSize)) {
                return held;
            }
            if (!tryReserve(bytes, requestSize)) {
                admission[0] = Admission.BUSY;
                return held;
            }
            admission[0] = Admission.RESERVED;
            return now + bytes;
        });
        if (admission[0] == Admission.OVER_CALLER_SHARE && callerRefusals != null) {
            callerRefusals.increment();
        }
        return admission[0];
    }

    /** Gives back what {@link #reserve} reserved for {@code caller}. */
    void release(String caller, long bytes) {
        if (caller != null && bytes > 0) {
            byCaller.computeIfPresent(caller, (c, held) -> held - bytes <= 0 ? null : held - bytes);
        }
        release(bytes);
    }

    /** Bytes {@code caller} holds right now (for tests and diagnostics). */
    long reservedBy(String caller) {
        return byCaller.getOrDefault(caller, 0L);
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
