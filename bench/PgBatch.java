import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One transaction of N INSERTs on PostgreSQL, two ways, alternated round by round in one run:
 *
 * <ol>
 *   <li>through Sluice: one Hrana {@code batch} as {@code @libsql/client} sends a write batch ({@code BEGIN},
 *       N INSERTs each conditioned on the previous step, {@code COMMIT}, and {@code ROLLBACK} when the commit did
 *       not run or failed) plus {@code close}, in one HTTP request;</li>
 *   <li>plain JDBC (pgjdbc) on one connection: {@code setAutoCommit(false)}, the same N INSERTs with the same
 *       parameters as N {@code executeUpdate} calls, {@code commit()};</li>
 *   <li>for reference, the same with pgjdbc's {@code autosave=always}: a savepoint sent with every statement, as
 *       Sluice sends one in an interactive transaction (in this batch only a rollback can follow a failed
 *       statement, so it sends none), so the difference to (2) is what PostgreSQL's savepoints cost.</li>
 * </ol>
 *
 * Both pay one database round trip per statement; what Sluice adds is HTTP, JSON and whatever its "a failing
 * statement does not abort the transaction" guard costs. Prints the median and p90 of each and their ratio,
 * the ratio last. Run by {@code bench/pg-batch.sh}; needs pgjdbc on the class path.
 *
 * <pre>java -cp postgresql.jar bench/PgBatch.java SLUICE_URL JDBC_URL USER [statements] [rounds] [warm-up rounds]</pre>
 */
public class PgBatch {
    private static final String TABLE = "sluice_bench_pg_batch";

    public static void main(String[] args) throws Exception {
        String sluice = args[0];
        String jdbcUrl = args[1];
        String user = args[2];
        int statements = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 30;

        try (Connection c = DriverManager.getConnection(jdbcUrl, user, null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, round int NOT NULL, n int NOT NULL, v text)");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        List<Long> viaSluice = new ArrayList<>();
        List<Long> viaJdbc = new ArrayList<>();
        List<Long> viaJdbcSavepoints = new ArrayList<>();
        java.util.Properties autosave = new java.util.Properties();
        autosave.setProperty("user", user);
        autosave.setProperty("autosave", "always");
        try (Connection jdbc = DriverManager.getConnection(jdbcUrl, user, null);
                Connection guarded = DriverManager.getConnection(jdbcUrl, autosave)) {
            jdbc.setAutoCommit(false);
            guarded.setAutoCommit(false);
            for (int r = 0; r < warmup + rounds; r++) {
                String body = batch(statements, r);
                long t0 = System.nanoTime();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sluice + "/v2/pipeline"))
                        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                long t1 = System.nanoTime();
                if (response.statusCode() != 200 || response.body().contains("\"error\"")) {
                    throw new IllegalStateException("Sluice refused the batch: HTTP " + response.statusCode() + " "
                            + response.body().substring(0, Math.min(300, response.body().length())));
                }
                try (PreparedStatement ps = jdbc.prepareStatement("INSERT INTO " + TABLE + " (round, n, v) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < statements; i++) {
                        ps.setInt(1, -r - 1);
                        ps.setInt(2, i);
                        ps.setString(3, "value " + i);
                        ps.executeUpdate();
                    }
                }
                jdbc.commit();
                long t2 = System.nanoTime();
                try (PreparedStatement ps = guarded.prepareStatement("INSERT INTO " + TABLE + " (round, n, v) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < statements; i++) {
                        ps.setInt(1, -100_000 - r);
                        ps.setInt(2, i);
                        ps.setString(3, "value " + i);
                        ps.executeUpdate();
                    }
                }
                guarded.commit();
                long t3 = System.nanoTime();
                if (r >= warmup) {
                    viaSluice.add(t1 - t0);
                    viaJdbc.add(t2 - t1);
                    viaJdbcSavepoints.add(t3 - t2);
                }
            }
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, null); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FILTER (WHERE round >= 0), count(*) FILTER (WHERE round < 0 AND round > -100000) FROM " + TABLE)) {
            rs.next();
            long expected = (long) statements * (warmup + rounds);
            if (rs.getLong(1) != expected || rs.getLong(2) != expected) {
                throw new IllegalStateException("expected " + expected + " rows each way, found " + rs.getLong(1) + " and " + rs.getLong(2));
            }
            s.execute("DROP TABLE " + TABLE);
        }
        double sluiceMedian = percentile(viaSluice, 50);
        double jdbcMedian = percentile(viaJdbc, 50);
        System.out.printf("%d-statement transaction on PostgreSQL, %d rounds after %d warm-up rounds, alternated%n", statements, rounds, warmup);
        System.out.printf("Sluice, one Hrana batch over HTTP: median %.2f ms, p90 %.2f ms%n", sluiceMedian / 1e6, percentile(viaSluice, 90) / 1e6);
        System.out.printf("plain JDBC, one transaction:       median %.2f ms, p90 %.2f ms%n", jdbcMedian / 1e6, percentile(viaJdbc, 90) / 1e6);
        System.out.printf("JDBC with autosave=always (a savepoint sent with each statement): median %.2f ms, p90 %.2f ms%n",
                percentile(viaJdbcSavepoints, 50) / 1e6, percentile(viaJdbcSavepoints, 90) / 1e6);
        System.out.printf("ratio Sluice / JDBC (median): %.2f%n", sluiceMedian / jdbcMedian);
    }

    /** BEGIN, the INSERTs each conditioned on the previous step's success, COMMIT, ROLLBACK unless the COMMIT succeeded; then close the stream. */
    private static String batch(int statements, int round) {
        StringBuilder b = new StringBuilder(statements * 160).append("{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[");
        b.append("{\"stmt\":{\"sql\":\"BEGIN IMMEDIATE\"}}");
        for (int i = 0; i < statements; i++) {
            b.append(",{\"condition\":{\"type\":\"ok\",\"step\":").append(i).append("},\"stmt\":{\"sql\":\"INSERT INTO ")
                    .append(TABLE).append(" (round, n, v) VALUES (?, ?, ?)\",\"args\":[{\"type\":\"integer\",\"value\":\"")
                    .append(round).append("\"},{\"type\":\"integer\",\"value\":\"").append(i)
                    .append("\"},{\"type\":\"text\",\"value\":\"value ").append(i).append("\"}]}}");
        }
        b.append(",{\"condition\":{\"type\":\"ok\",\"step\":").append(statements).append("},\"stmt\":{\"sql\":\"COMMIT\"}}");
        b.append(",{\"condition\":{\"type\":\"not\",\"cond\":{\"type\":\"ok\",\"step\":").append(statements + 1)
                .append("}},\"stmt\":{\"sql\":\"ROLLBACK\"}}");
        b.append("]}},{\"type\":\"close\"}]}");
        return b.toString();
    }

    private static double percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
