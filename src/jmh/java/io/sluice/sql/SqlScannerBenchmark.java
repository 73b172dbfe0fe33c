package io.sluice.sql;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * {@link SqlScanner#scanOne} — the lexing every statement goes through before it reaches the database
 * (one statement, its parameters, its kind) — on typical statements.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SqlScannerBenchmark {
    private static final String SELECT = "SELECT id, email, balance FROM accounts WHERE id = ? AND status = :status";
    private static final String INSERT = "INSERT INTO events (account_id, kind, payload, created_at) VALUES (?1, ?2, ?3, "
            + "strftime('%s', 'now')) -- audit trail";

    /** A point read with a positional and a named parameter. */
    @Benchmark
    public ScannedStatement scanSelect() throws StatementException {
        return SqlScanner.scanOne(SELECT);
    }

    /** An insert with numbered parameters, a string literal and a trailing comment. */
    @Benchmark
    public ScannedStatement scanInsert() throws StatementException {
        return SqlScanner.scanOne(INSERT);
    }

    /** {@code SELECT 1}, the shortest statement a client sends. */
    @Benchmark
    public ScannedStatement scanSelect1() throws StatementException {
        return SqlScanner.scanOne("SELECT 1");
    }
}
