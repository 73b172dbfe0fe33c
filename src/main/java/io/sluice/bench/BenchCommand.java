package io.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice bench <workload>}: load a running Sluice over HTTP and print throughput, latency
 * percentiles and errors by kind; with {@code --direct-jdbc} the same workload then runs over plain JDBC in
 * the same invocation, for a baseline measured under the same conditions.
 *
 * <p>Exit codes, as for the other client commands: 0 done; 1 the server refused (an HTTP error or a failed
 * statement while preparing) or every operation failed; 2 the server could not be reached, or bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load a running Sluice over HTTP (keep-alive, one connection per worker, closed loop) and print "
                + "operations/s, latency p50/p90/p99/max and errors by kind.",
            "Workloads: select1; point-read; insert; batch (BEGIN IMMEDIATE, 10 INSERTs, COMMIT in one Hrana batch); "
                + "transaction (BEGIN + INSERT, INSERT, point read, COMMIT + close: four requests over batons). "
                + "The tables sluice_bench and sluice_bench_writes are created when missing.",
            ""})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<workload>", description = "select1, point-read, insert, batch or transaction")
    String workloadName;

    @Option(names = "--url", defaultValue = "${env:SLUICE_DATA_URL:-${env:SLUICE_URL:-http://localhost:8080}}",
            description = "Sluice data API base URL (env SLUICE_DATA_URL, else SLUICE_URL like every other command); default ${DEFAULT-VALUE}")
    String url;

    @Option(names = "--auth-token", defaultValue = "${env:SLUICE_AUTH_TOKEN}",
            description = "Data API token, a JWT from 'sluice auth:token' (env SLUICE_AUTH_TOKEN); not needed when auth is off")
    String authToken;

    @Option(names = {"-c", "--concurrency"}, defaultValue = "8", description = "Connections (one worker thread each); default ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION",
            description = "How long to measure: 30s, 500ms, 2m or PT30S; default 10s unless --requests is given")
    Duration duration;

    @Option(names = {"-n", "--requests"}, description = "How many operations to measure instead of a duration (all workers share the count)")
    Long requests;

    @Option(names = "--warmup", defaultValue = "2s", paramLabel = "DURATION", description = "Unrecorded warm-up before measuring; default ${DEFAULT-VALUE}")
    Duration warmup;

    @Option(names = "--rows", defaultValue = "100000", description = "Rows of the point-read table; default ${DEFAULT-VALUE}")
    int rows;

    @Option(names = "--direct-jdbc", paramLabel = "<jdbc url>",
            description = "Then run the same workload over plain JDBC (one connection per worker, no gateway) against this URL, "
                    + "e.g. jdbc:postgresql://127.0.0.1:5432/test or jdbc:sqlite:data/sluice.db, and print the ratio")
    String directJdbc;

    @Option(names = "--jdbc-user", description = "User for --direct-jdbc")
    String jdbcUser;

    @Option(names = "--jdbc-password", defaultValue = "${env:SLUICE_BENCH_JDBC_PASSWORD}", description = "Password for --direct-jdbc (env SLUICE_BENCH_JDBC_PASSWORD)")
    String jdbcPassword;

    @Option(names = "--json", description = "Print the results as one JSON document")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        Runner.Plan plan = plan();
        URI base = baseUri();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        Result sluice;
        Result direct = null;
        try {
            sluice = measure(new HranaTarget(base, authToken), plan, err);
            if (directJdbc != null) {
                Runner.Plan second = new Runner.Plan(plan.workload(), plan.concurrency(), plan.duration(), plan.operations(),
                        plan.warmup(), plan.rows(), plan.runId() + 1);
                direct = measure(new JdbcTarget(directJdbc, jdbcUser, jdbcPassword), second, err);
            }
        } catch (BenchException e) {
            err.println(e.getMessage());
            err.flush();
            return e.unreachable ? 2 : 1;
        }

        if (json) {
            ObjectNode doc = sluice.toJson();
            if (direct != null) {
                doc.set("directJdbc", direct.toJson());
                doc.put("ratioToDirectJdbc", Math.round(sluice.operationsPerSecond() / direct.operationsPerSecond() * 1000) / 1000.0);
            }
            out.println(doc.toPrettyString());
        } else {
            sluice.print(out);
            if (direct != null) {
                direct.print(out);
                out.printf(Locale.ROOT, "Sluice: %.1f %% of direct JDBC throughput%n", 100 * sluice.operationsPerSecond() / direct.operationsPerSecond());
            }
        }
        out.flush();
        int exit = exitCode(sluice, direct);
        if (exit != 0) {
            err.println("every operation failed");
            err.flush();
        }
        return exit;
    }

    /** 1 when every operation of a run failed, else 0. */
    static int exitCode(Result sluice, Result direct) {
        boolean allFailed = sluice.operations() == 0 && sluice.errorCount() > 0
                || direct != null && direct.operations() == 0 && direct.errorCount() > 0;
        return allFailed ? 1 : 0;
    }

    private Result measure(Target target, Runner.Plan plan, PrintWriter err) throws BenchException, InterruptedException {
        target.prepare(plan.workload(), plan.rows());
        if (!json) {
            err.printf(Locale.ROOT, "%s: %s, %d connections, %s%s...%n", target.name(), plan.workload().cliName, plan.concurrency(),
                    plan.duration() != null ? plan.duration().toMillis() / 1000.0 + " s" : plan.operations() + " operations",
                    plan.warmup().isZero() ? "" : " after " + plan.warmup().toMillis() / 1000.0 + " s warm-up");
            err.flush();
        }
        return Runner.run(target, plan);
    }

    private Runner.Plan plan() {
        Workload workload;
        try {
            workload = Workload.parse(workloadName);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (concurrency < 1 || concurrency > 10_000) {
            throw bad("--concurrency must be between 1 and 10000, was " + concurrency);
        }
        if (duration != null && requests != null) {
            throw bad("--duration and --requests exclude each other: give one");
        }
        if (requests != null && requests < 1) {
            throw bad("--requests must be at least 1, was " + requests);
        }
        if (rows < 1) {
            throw bad("--rows must be at least 1, was " + rows);
        }
        Duration measured = requests != null ? null : duration == null ? Duration.ofSeconds(10) : duration;
        if (measured != null && measured.isZero()) {
            throw bad("--duration must be longer than zero");
        }
        Duration warm = warmup;
        if (directJdbc != null && !directJdbc.startsWith("jdbc:")) {
            throw bad("--direct-jdbc must be a JDBC URL starting with jdbc:, was '" + directJdbc + "'");
        }
        return new Runner.Plan(workload, concurrency, measured, requests == null ? 0 : requests, warm, rows, System.currentTimeMillis());
    }

    private URI baseUri() {
        try {
            URI u = new URI(url);
            if (!"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                throw bad("--url must be an http:// or https:// URL with a host, was '" + url + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw bad("--url is not a URL: '" + url + "'");
        }
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
