/**
 * Statement execution: splitting and scanning SQL text, binding Hrana values, running statements on a
 * backend connection and encoding their results, with one {@link io.sluice.sql.Dialect} per backend.
 * Nothing here knows about HTTP, streams or batons.
 */
package io.sluice.sql;
