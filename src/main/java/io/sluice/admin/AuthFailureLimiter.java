package io.sluice.admin;

import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.Startup;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Slows down guessing of admin credentials: a token bucket per client address holding
 * {@code sluice.admin.auth-failures-per-minute} failed attempts (console log-ins, admin API requests whose bearer
 * credential was refused), refilled at that rate. An address whose bucket is empty is refused with 429 and
 * {@code Retry-After} before its credential is even looked at, so a right guess is no use while limited. Only failures
 * take from the bucket: an operator who logs in at the first try is never slowed down. An attempt while limited
 * restarts the wait for the next token.
 *
 * <p>Memory is bounded: at most {@link #MAX_ADDRESSES} addresses are tracked, the least recently seen dropped
 * first (an address dropped that way starts again with a full bucket, so a flood of addresses costs memory
 * only up to the bound). Only failed or limited attempts take the lock, never a good request.
 *
 * <p>Created at start ({@link Startup}), not at the first attempt, so its meter exists at 0 from the first scrape.
 */
@Startup
@ApplicationScoped
public class AuthFailureLimiter {
    /** The most client addresses tracked at once. */
    static final int MAX_ADDRESSES = 10_000;

    /** Where the attempt came in: a bounded tag value of {@link Meters#ADMIN_AUTH_LIMITED}. */
    enum Door {
        CONSOLE_LOGIN, ADMIN_API
    }

    private final int capacity;
    private final double nanosPerToken;
    private final LongSupplier nanoTime;
    private final Map<Door, Counter> limited = new EnumMap<>(Door.class);
    /** Access-ordered: the eldest entry is the least recently seen address. Guarded by itself. */
    private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    @Inject
    AuthFailureLimiter(SluiceConfig config, SluiceMetrics metrics) {
        this(config.admin().authFailuresPerMinute(), metrics, System::nanoTime);
    }

    AuthFailureLimiter(int perMinute, SluiceMetrics metrics, LongSupplier nanoTime) {
        this.capacity = perMinute;
        this.nanosPerToken = 60e9 / perMinute;
        this.nanoTime = nanoTime;
        for (Door d : Door.values()) {
            // registered up front, so the figure exists (at 0) before the first refusal
            limited.put(d, Counter.builder(Meters.ADMIN_AUTH_LIMITED).tag(Meters.ENDPOINT, SluiceMetrics.tag(d))
                    .description("Admin credential attempts refused with 429: too many failed attempts from one client address")
                    .register(metrics.registry()));
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /**
     * Whether {@code address} may try a credential now: empty when it may, else the seconds to wait (at least 1),
     * counted as a refusal at {@code door}.
     */
    OptionalLong admit(String address, Door door) {
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket b = buckets.get(key(address));
            if (b == null) {
                return OptionalLong.empty();
            }
            refill(b, now);
            if (b.tokens >= 1) {
                return OptionalLong.empty();
            }
            // an attempt while limited restarts the wait for the next token: hammering on gains nothing
            b.tokens = 0;
            limited.get(door).increment();
            return OptionalLong.of(Math.max(1, (long) Math.ceil(nanosPerToken / 1e9)));
        }
    }

    /** A credential from {@code address} was refused: one token less. */
    void failed(String address) {
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket b = buckets.computeIfAbsent(key(address), k -> new Bucket(capacity, now));
            refill(b, now);
            b.tokens = Math.max(0, b.tokens - 1);
        }
    }

    /** Addresses tracked now (tests). */
    int tracked() {
        synchronized (buckets) {
            return buckets.size();
        }
    }

    /** Forgets every address (tests that deliberately fail many log-ins). */
    void clear() {
        synchronized (buckets) {
            buckets.clear();
        }
    }

    private void refill(Bucket b, long now) {
        b.tokens = Math.min(capacity, b.tokens + (now - b.at) / nanosPerToken);
        b.at = now;
    }

    private static String key(String address) {
        return address == null ? "unknown" : address;
    }
}
