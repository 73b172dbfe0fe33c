/**
 * Feature decisions: which parts of the enterprise connection layer apply to a request (pool, state
 * machine, breaker, detailed monitoring, detailed logging). Until rollouts and stores exist, the
 * decisions come from static configuration.
 */
package io.sluice.flags;
