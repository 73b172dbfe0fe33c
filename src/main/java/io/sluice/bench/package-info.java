/**
 * {@code sluice bench}: a load generator that drives a running Sluice over real HTTP (Vert.x's asynchronous
 * client, keep-alive connections on a few event loops) with the Hrana requests the libSQL clients send, in a
 * closed loop or at a constant rate with coordinated-omission-corrected latencies, and runs the same
 * workloads over plain JDBC (a thread per connection) as a baseline. Plain Java, picocli and a Vert.x
 * instance of its own; no CDI, never boots Quarkus.
 */
package io.sluice.bench;
