package io.sluice.bench;

/** Where a run sends its operations: Sluice over HTTP, or a database over JDBC. */
interface Target {

    /** A label for output: "sluice" or "direct-jdbc". */
    String name();

    /**
     * Checks that the target answers and creates (and fills) the tables the workload needs.
     *
     * @throws BenchException with a message for the user when it cannot
     */
    void prepare(Workload workload, int rows) throws BenchException;

    /** A worker's own connection; opened lazily, used by one thread only. */
    Worker worker(int index, Workload workload, int rows, long runId);

    /** One thread's connection and statements. */
    interface Worker extends AutoCloseable {
        /**
         * Runs one operation.
         *
         * @return {@code null} on success, else the kind of error (e.g. {@code HTTP 503},
         *     {@code Hrana SQLITE_BUSY}, {@code connection: Connection refused})
         */
        String run();

        @Override
        void close();
    }
}
