package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One connection's closed loop or schedule on its event loop: ask the {@link Lane}, run an operation, record
 * it, again, until the lane says stop. An operation's future holds null on success or the kind of error.
 */
final class LaneLoop {
    private final Vertx vertx;
    private final Load load;
    private final Lane lane;
    private final Supplier<Future<String>> operation;
    private final Runnable onFailure;

    /** @param onFailure what the connection does after an operation failed (e.g. connect again next time) */
    LaneLoop(Vertx vertx, Load load, Lane lane, Supplier<Future<String>> operation, Runnable onFailure) {
        this.vertx = vertx;
        this.load = load;
        this.lane = lane;
        this.operation = operation;
        this.onFailure = onFailure;
    }

    /** On the connection's event loop. */
    void next() {
        long wait = lane.next(System.nanoTime());
        if (wait == Lane.STOP) {
            load.laneStopped();
        } else if (wait > 0) {
            // Vert.x timers have millisecond resolution: wake up no earlier than due
            vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)), t -> next());
        } else {
            operation.get().onComplete(ar -> {
                lane.done(System.nanoTime(), ar.succeeded() ? ar.result() : "connection: " + HranaTarget.describe(ar.cause()));
                if (ar.succeeded()) {
                    next();
                } else {
                    onFailure.run();
                    // a failure may complete at once (a closed client); never recurse without bound
                    vertx.runOnContext(v -> next());
                }
            });
        }
    }
}
