/**
 * Rollout automation: the phased migration to the enterprise layer (monitoring, canary, gradual, full),
 * driven by a persisted state machine kept in the flag store next to the flags it changes, gated by the
 * deployment health check, rolling back to the pre-migration snapshot on its own. Also the one place the
 * deployment health criteria and the baseline comparison live.
 */
package io.sluice.rollout;
