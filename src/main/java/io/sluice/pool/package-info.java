/**
 * Backend connections: selects the active data source (embedded SQLite by default), prepares the SQLite
 * data directory, and leases connections with the configured acquire timeout.
 */
package io.sluice.pool;
