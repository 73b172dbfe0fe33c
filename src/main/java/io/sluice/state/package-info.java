/**
 * Connection state machines (the backend's connectivity, each lease's life) and the one style every state
 * machine of Sluice follows (streams, the breaker, migrations too): a state enum whose allowed transitions
 * are one {@link io.sluice.state.Transitions} table, every transition a compare-and-set, illegal ones
 * refused with an {@link io.sluice.state.IllegalTransitionException} naming both states, and a bounded
 * history of (time, from, to, cause).
 */
package io.sluice.state;
