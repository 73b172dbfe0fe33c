package io.sluice.gateway.ws;

import java.time.Duration;
import java.util.Optional;

/**
 * The ping interval actually used: the configured one, but at most half of the HTTP layer's idle timeout
 * ({@code quarkus.http.idle-timeout}), which closes a connection on which nothing was read or written for
 * that long, WebSocket or not. So a live connection is never closed as idle by the HTTP layer, whatever
 * the two settings say; no combination refuses to start.
 */
final class KeepAlive {
    /** Pings more often than this would only cost. */
    static final Duration FLOOR = Duration.ofMillis(100);

    private KeepAlive() {
    }

    /**
     * @param configured {@code sluice.websocket.ping-interval}
     * @param httpIdleTimeout {@code quarkus.http.idle-timeout}; empty or zero = none
     */
    static Duration pingInterval(Duration configured, Optional<Duration> httpIdleTimeout) {
        Duration interval = configured.isNegative() || configured.isZero() ? Duration.ofSeconds(30) : configured;
        if (httpIdleTimeout.isPresent() && !httpIdleTimeout.get().isZero() && !httpIdleTimeout.get().isNegative()) {
            Duration half = httpIdleTimeout.get().dividedBy(2);
            if (half.compareTo(interval) < 0) {
                interval = half;
            }
        }
        return interval.compareTo(FLOOR) < 0 ? FLOOR : interval;
    }
}
