package io.sluice.pool;

import io.micrometer.core.instrument.Gauge;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.state.Connectivity;
import io.sluice.state.StateMachine;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Whether the backend database answers: the connectivity state machine, when a lease last succeeded and since
 * when the backend has been failing. Leases, statement failures and health probes report here; health,
 * readiness and the admin API read it.
 */
final class BackendConnectivity {
    /** {@link #lastSuccessNanos} is kept to this precision. */
    private static final long SUCCESS_STAMP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Clock clock;
    private final StateMachine<Connectivity> machine;
    private volatile long lastSuccessNanos;
    private volatile long failingSinceMillis;

    BackendConnectivity(Clock clock) {
        this.clock = clock;
        this.machine = new StateMachine<>("backend", Connectivity.INITIALIZING, 64, clock);
    }

    StateMachine<Connectivity> machine() {
        return machine;
    }

    Connectivity current() {
        return machine.current();
    }

    /** When a lease last succeeded ({@link System#nanoTime()}, to the millisecond), 0 if never. */
    long lastSuccessNanos() {
        return lastSuccessNanos;
    }

    /** Since when (epoch ms) the backend has been failing, 0 while it is fine. */
    long failingSinceMillis() {
        return failingSinceMillis;
    }

    /** The first connection at start succeeded or not. */
    void started(boolean reachable, String cause) {
        machine.moveTo(reachable ? Connectivity.CONNECTED : Connectivity.DISCONNECTED, cause);
    }

    /** Work failed at the connection level (a lease, a statement, a probe). */
    void onFailure(String cause) {
        if (failingSinceMillis == 0) {
            failingSinceMillis = clock.millis();
        }
        Connectivity now = machine.current();
        if (now == Connectivity.CONNECTED || now == Connectivity.DEGRADED || now == Connectivity.RECONNECTING) {
            machine.moveFrom(now, Connectivity.DISCONNECTED, cause);
        }
    }

    /** The database answers, but the pool is saturated. */
    void onDegraded(String cause) {
        machine.moveFrom(Connectivity.CONNECTED, Connectivity.DEGRADED, cause);
    }

    void onConnected(String cause) {
        onConnected(cause, System.nanoTime());
    }

    /** Work on the backend succeeded at {@code nowNanos}. On the lease path: cheap when nothing changes. */
    void onConnected(String cause, long nowNanos) {
        long last = lastSuccessNanos;
        if (last == 0 || nowNanos - last > SUCCESS_STAMP_NANOS) {
            // a volatile write per lease would fence every lease; readers look at a window of seconds
            lastSuccessNanos = nowNanos;
        }
        if (failingSinceMillis != 0) {
            failingSinceMillis = 0;
        }
        Connectivity now = machine.current();
        if (now == Connectivity.CONNECTED) {
            return;
        }
        if (now == Connectivity.DISCONNECTED) {
            machine.moveFrom(Connectivity.DISCONNECTED, Connectivity.RECONNECTING, cause);
            now = Connectivity.RECONNECTING;
        }
        if (now == Connectivity.RECONNECTING || now == Connectivity.DEGRADED || now == Connectivity.INITIALIZING) {
            machine.moveFrom(now, Connectivity.CONNECTED, cause);
        }
    }

    /** Shutdown begins: nothing new should be leased. */
    void closing() {
        Connectivity now = machine.current();
        if (now != Connectivity.CLOSED && now != Connectivity.CLOSING) {
            machine.moveTo(Connectivity.CLOSING, "shutdown");
        }
    }

    void closed() {
        machine.moveTo(Connectivity.CLOSED, "shutdown");
    }

    /** One gauge per state (1 for the current one) and the transition counters, all present from the start. */
    void bindMeters(SluiceMetrics metrics) {
        for (Connectivity state : Connectivity.values()) {
            Gauge.builder(Meters.BACKEND_CONNECTIVITY, machine, m -> m.current() == state ? 1 : 0)
                    .tag(Meters.STATE, SluiceMetrics.tag(state)).register(metrics.registry());
        }
        machine.addListener(t -> metrics.transition("backend", t.to()));
        for (Connectivity state : Connectivity.values()) {
            // registered at zero so that the series exist on /q/metrics before the first transition
            metrics.registry().counter(Meters.STATE_TRANSITIONS, Meters.MACHINE, "backend", Meters.STATE, SluiceMetrics.tag(state));
        }
    }
}
