/**
 * Thin SmallRye Health adapters on the management port: liveness (the process only — a database outage
 * must never restart pods), readiness (the database through the pool, passive first) and startup.
 */
package io.sluice.health;
