/**
 * Meter names and tag keys (one place, {@link io.sluice.metrics.Meters}) and the shared recorder the
 * features report to. Tag values are bounded enums, never SQL or user input.
 *
 * <p>The 1/5/15-minute windows ({@link io.sluice.metrics.MetricsWindows}) are a ring of snapshots of
 * Micrometer's own cumulative meters, differenced, so a statement costs nothing beyond the counter
 * and timer it updates anyway. HdrHistogram's {@code Recorder} would add a second record per
 * statement and hands out each interval once, to one reader, where the windows and the console's live
 * series read independently; Micrometer's own time windows ({@code DistributionStatisticConfig}
 * expiry) give one window per timer and for percentiles only, never for counts.
 */
package io.sluice.metrics;
