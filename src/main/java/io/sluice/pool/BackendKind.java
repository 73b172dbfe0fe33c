package io.sluice.pool;

import io.sluice.config.SluiceConfig;

/**
 * Which database Sluice fronts, decided once at start from {@code sluice.database.url} (the same rule
 * {@link io.sluice.config.BackendSelection} uses to activate the data source): a URL means PostgreSQL (or a
 * PostgreSQL-wire engine), none the embedded SQLite database.
 */
public enum BackendKind {
    SQLITE,
    POSTGRESQL;

    /** The kind {@code config} selects. */
    public static BackendKind of(SluiceConfig config) {
        return config.database().url().filter(u -> !u.isBlank()).isPresent() ? POSTGRESQL : SQLITE;
    }
}
