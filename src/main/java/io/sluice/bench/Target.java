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

    /**
     * Starts one connection per lane of the plan and returns at once. Each connection asks its {@link Lane}
     * what to do, records through it, and calls {@link Load#laneStopped()} once when its lane says stop.
     */
    void start(Load load) throws BenchException;

    /** How the connections are driven, for the output: e.g. "2 event loops" or "1 thread each". */
    String engine();
}
