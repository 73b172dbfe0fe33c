package io.sluice.gateway;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.sluice.config.SluiceConfig;
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
    private final StreamManager streams;
    private final Duration grace;

    GracefulDrain(StreamManager streams, SluiceConfig config) {
        this.streams = streams;
        this.grace = config.shutdown().grace();
    }

    void onShutdownRequested(@Observes ShutdownDelayInitiatedEvent event) {
        drainThenStopEverything();
    }

    /**
     * The one place that ends this replica's work: streams drain within the grace period, then whatever
     * is left is stopped. Cancelling statements that still run joins {@link StreamManager#closeAllStreams()} here.
     */
    void drainThenStopEverything() {
        streams.drain(grace);
    }
}
