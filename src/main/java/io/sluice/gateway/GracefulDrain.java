package io.sluice.gateway;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.pool.Backend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;

/**
 * Runs the drain at SIGTERM. Quarkus fires {@link ShutdownDelayInitiatedEvent} first thing when a
 * shutdown is requested ({@code quarkus.shutdown.delay-enabled=true}), before the HTTP server stops
 * accepting requests and long before {@code ShutdownEvent}; the observer runs on the shutdown thread and
 * shutdown waits for it. So requests on existing streams are still served while it waits, and the
 * process exits as soon as the streams are done, at the latest after {@code sluice.shutdown.grace}.
 */
@ApplicationScoped
public class GracefulDrain {
    /** How long stopped statements get to answer before shutdown goes on without them. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(3);
    private final StreamManager streams;
    private final Backend backend;
    private final Duration grace;

    GracefulDrain(StreamManager streams, Backend backend, SluiceConfig config) {
        this.streams = streams;
        this.backend = backend;
        this.grace = config.shutdown().grace();
    }

    void onShutdownRequested(@Observes ShutdownDelayInitiatedEvent event) {
        drainThenStopEverything();
    }

    /**
     * The one place that ends this replica's work: streams drain within the grace period, then whatever
     * is left is stopped: idle streams rolled back and closed, statements still running cancelled (their
     * requests then end, and their streams close and roll back).
     */
    void drainThenStopEverything() {
        if (streams.drain(grace) > 0) {
            backend.stopStatements(STOP_WAIT);
        }
    }
}
