package io.sluice.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * A target whose operations block (JDBC): one thread per connection, each with its own {@link Tally}, waiting
 * by parking when a constant-rate schedule says the next operation is not due yet.
 */
interface BlockingTarget extends Target {

    /** A worker's own connection; opened lazily, used by one thread only. */
    Worker worker(int index, Workload workload, int rows, long runId);

    @Override
    default String engine() {
        return "1 thread each";
    }

    @Override
    default void start(Load load) {
        Runner.Plan plan = load.plan();
        for (int i = 0; i < plan.concurrency(); i++) {
            int index = i;
            Tally tally = load.newTally();
            Lane lane = load.lane(index, tally);
            Thread t = new Thread(() -> {
                try (Worker worker = worker(index, plan.workload(), plan.rows(), plan.runId())) {
                    for (long next = lane.next(System.nanoTime()); next != Lane.STOP; next = lane.next(System.nanoTime())) {
                        if (next == Lane.SEND) {
                            String error = worker.run();
                            lane.done(System.nanoTime(), error);
                        } else {
                            LockSupport.parkNanos(next);
                        }
                    }
                } finally {
                    load.laneStopped();
                }
            }, "bench-" + name() + "-" + index);
            t.setDaemon(true);
            t.start();
        }
    }

    /** One thread's connection and statements. */
    interface Worker extends AutoCloseable {
        /**
         * Runs one operation.
         *
         * @return {@code null} on success, else the kind of error (e.g. {@code HTTP 503},
         *     {@code Hrana SQLITE_BUSY}, {@code JDBC 40001})
         */
        String run();

        @Override
        void close();
    }
}
