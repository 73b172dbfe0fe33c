package io.sluice.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What one operation of a run is. Names are the CLI's. */
enum Workload {
    /** {@code execute SELECT 1} + {@code close} on a fresh stream, as {@code @libsql/client} sends it. */
    SELECT1("select1", 1, 0),
    /** A read by primary key on the prepared table {@value Schema#READ_TABLE}, execute + close. */
    POINT_READ("point-read", 1, 0),
    /** One INSERT in autocommit, execute + close. */
    INSERT("insert", 1, 1),
    /** A write batch as the libSQL client sends it: BEGIN IMMEDIATE, 10 INSERTs, COMMIT (ROLLBACK if not). */
    BATCH("batch", 1, 10),
    /**
     * An interactive transaction over batons, four HTTP requests: BEGIN + INSERT, INSERT, a point read,
     * COMMIT + close.
     */
    TRANSACTION("transaction", 4, 2);

    final String cliName;
    /** HTTP requests one operation sends to Sluice. */
    final int httpRequests;
    /** Rows one successful operation writes. */
    final int rowsWritten;

    Workload(String cliName, int httpRequests, int rowsWritten) {
        this.cliName = cliName;
        this.httpRequests = httpRequests;
        this.rowsWritten = rowsWritten;
    }

    boolean needsReadTable() {
        return this == POINT_READ || this == TRANSACTION;
    }

    static Workload parse(String name) {
        for (Workload w : values()) {
            if (w.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + name + "'; expected one of " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(w -> w.cliName).collect(Collectors.joining(", "));
    }
}
