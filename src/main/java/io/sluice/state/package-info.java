/**
 * Connection state machines: the backend's connectivity and each lease's life. Allowed transitions are
 * written once per machine ({@link io.sluice.state.Connectivity}, {@link io.sluice.state.LeaseState}),
 * every transition is a compare-and-set, illegal ones are refused and counted, and a bounded history
 * records (time, from, to, cause).
 */
package io.sluice.state;
