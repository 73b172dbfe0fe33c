/**
 * {@code sluice bench}: a closed-loop load generator that drives a running Sluice over real HTTP
 * (keep-alive, one connection per worker) with the Hrana requests the libSQL clients send, and runs the
 * same workloads over plain JDBC as a baseline. Plain Java and picocli; no CDI, never boots Quarkus.
 */
package io.sluice.bench;
