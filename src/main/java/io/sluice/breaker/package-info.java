/**
 * The circuit breaker around backend work: a SmallRye Fault Tolerance guard that opens after a run of
 * connection-level failures ({@link io.sluice.sql.SqlErrors#classify}) so requests fail fast with
 * {@link io.sluice.breaker.CircuitOpenException} while the database is down, probes it after the
 * recovery timeout, and can be tuned, reset and forced open at run time.
 */
package io.sluice.breaker;
