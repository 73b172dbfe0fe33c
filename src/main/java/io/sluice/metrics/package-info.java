/**
 * Meter names and tag keys (one place, {@link io.sluice.metrics.Meters}) and the shared recorder the
 * features report to. Tag values are bounded enums, never SQL or user input.
 */
package io.sluice.metrics;
