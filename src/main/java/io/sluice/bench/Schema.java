package io.sluice.bench;

/**
 * The tables the workloads use, in SQL that SQLite and PostgreSQL both accept, so the Sluice run and the
 * direct JDBC run of the same database use the same tables.
 */
final class Schema {
    static final String READ_TABLE = "sluice_bench";
    static final String WRITE_TABLE = "sluice_bench_writes";

    static final String CREATE_READ = "CREATE TABLE IF NOT EXISTS " + READ_TABLE + " (id INTEGER PRIMARY KEY, v TEXT NOT NULL)";
    static final String CREATE_WRITE = "CREATE TABLE IF NOT EXISTS " + WRITE_TABLE
            + " (run BIGINT NOT NULL, worker INTEGER NOT NULL, seq BIGINT NOT NULL, v TEXT, PRIMARY KEY (run, worker, seq))";
    static final String COUNT_READ = "SELECT count(*) FROM " + READ_TABLE;
    static final String CLEAR_READ = "DELETE FROM " + READ_TABLE;
    static final String POINT_READ = "SELECT id, v FROM " + READ_TABLE + " WHERE id = ?";
    static final String INSERT = "INSERT INTO " + WRITE_TABLE + " (run, worker, seq, v) VALUES (?, ?, ?, ?)";
    static final String PAYLOAD = "sluice bench row";

    private Schema() {
    }

    /** One statement that fills the read table with ids 1..rows (a recursive CTE; both backends have it). */
    static String fillRead(int rows) {
        return "INSERT INTO " + READ_TABLE + " (id, v) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < "
                + rows + ") SELECT i, 'row ' || i FROM s";
    }
}
