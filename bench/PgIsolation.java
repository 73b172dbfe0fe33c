import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the isolation level of SQLite-style write transactions costs on PostgreSQL (bench/pg-isolation.sh runs
 * it): N connections run, for S seconds per level, the transaction Sluice sends for a libSQL write transaction,
 * BEGIN ISOLATION LEVEL x; 2 INSERTs; a read; an UPDATE of one of a few hot rows; COMMIT, at READ COMMITTED (the
 * server's default), REPEATABLE READ, SERIALIZABLE, and Sluice's mapping: REPEATABLE READ after taking the writer
 * lock (a session advisory lock taken before BEGIN, dropped after COMMIT/ROLLBACK, as PostgresDialect does).
 * Prints committed transactions/s, p99 and the share that failed with SQLSTATE 40001/40P01 (which Sluice
 * answers as SQLITE_BUSY, to be retried), then the mapping's commit rate as a ratio of READ COMMITTED's.
 *
 *   java -cp postgresql.jar bench/PgIsolation.java jdbc-url user [connections] [seconds] [hot-rows]
 */
public class PgIsolation {
    private static final String WRITER_LOCK = "RR + writer lock";

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int hotRows = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        String table = "pg_isolation_bench_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, k int, v int)");
            s.execute("CREATE INDEX ON " + table + " (k)");
            s.execute("CREATE TABLE " + table + "_hot (id int PRIMARY KEY, n bigint)");
            s.execute("INSERT INTO " + table + "_hot SELECT g, 0 FROM generate_series(1, " + hotRows + ") g");
        }
        try {
            System.out.printf("%d connections, %d s per level, %d hot rows%n", connections, seconds, hotRows);
            System.out.printf("%-16s %10s %9s %9s %9s%n", "level", "commits/s", "p50 ms", "p99 ms", "40001 %");
            double readCommitted = 0;
            double sluice = 0;
            for (String level : List.of("READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE", WRITER_LOCK)) {
                double rate = run(url, user, table, level, connections, seconds, hotRows);
                if (level.equals("READ COMMITTED")) {
                    readCommitted = rate;
                } else if (level.equals(WRITER_LOCK)) {
                    sluice = rate;
                }
            }
            System.out.printf("ratio (RR + writer lock / READ COMMITTED commits/s): %.2f%n", sluice / readCommitted);
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
                s.execute("DROP TABLE " + table + ", " + table + "_hot");
            }
        }
    }

    private static double run(String url, String user, String table, String level, int connections, int seconds, int hotRows)
            throws Exception {
        AtomicLong commits = new AtomicLong();
        AtomicLong conflicts = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            long[] lat = new long[2_000_000];
            latencies.add(lat);
            int worker = i;
            Thread t = new Thread(() -> {
                int n = 0;
                try (Connection c = DriverManager.getConnection(url, user, "")) {
                    PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " (k, v) VALUES (?, ?)");
                    PreparedStatement read = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE k = ?");
                    PreparedStatement hot = c.prepareStatement("UPDATE " + table + "_hot SET n = n + 1 WHERE id = ?");
                    Statement s = c.createStatement();
                    while (System.nanoTime() < end && n < lat.length - 1) {
                        long start = System.nanoTime();
                        boolean locked = level.equals(WRITER_LOCK);
                        try {
                            if (locked) {
                                s.execute("SELECT pg_advisory_lock(1397511497, 1)");
                            }
                            s.execute("BEGIN ISOLATION LEVEL " + (locked ? "REPEATABLE READ" : level));
                            for (int j = 0; j < 2; j++) {
                                ins.setInt(1, worker);
                                ins.setInt(2, j);
                                ins.executeUpdate();
                            }
                            read.setInt(1, worker);
                            try (ResultSet rs = read.executeQuery()) {
                                rs.next();
                            }
                            hot.setInt(1, 1 + ThreadLocalRandom.current().nextInt(hotRows));
                            hot.executeUpdate();
                            s.execute("COMMIT");
                            if (locked) {
                                s.execute("SELECT pg_advisory_unlock(1397511497, 1)");
                            }
                            commits.incrementAndGet();
                            lat[n++] = System.nanoTime() - start;
                        } catch (SQLException e) {
                            s.execute("ROLLBACK");
                            if (locked) {
                                s.execute("SELECT pg_advisory_unlock(1397511497, 1)");
                            }
                            String state = e.getSQLState();
                            if ("40001".equals(state) || "40P01".equals(state)) {
                                conflicts.incrementAndGet();
                            } else {
                                throw e;
                            }
                        }
                    }
                    lat[lat.length - 1] = n;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long total = latencies.stream().mapToLong(l -> l[l.length - 1]).sum();
        long[] all = new long[(int) total];
        int at = 0;
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, at, n);
            at += n;
        }
        Arrays.sort(all);
        double p50 = all.length == 0 ? 0 : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.floor(all.length * 0.99))] / 1e6;
        double failedPct = 100.0 * conflicts.get() / Math.max(1, commits.get() + conflicts.get());
        double rate = commits.get() / (double) seconds;
        System.out.printf("%-16s %10.1f %9.2f %9.2f %9.2f%n", level, rate, p50, p99, failedPct);
        return rate;
    }
}
