package io.sluice.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.cli.Progress;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice bench <workload>}: load a running Sluice over HTTP and print throughput, latency
 * percentiles and errors by kind; with {@code --direct-jdbc} the same workload then runs over plain JDBC in
 * the same invocation, for a baseline measured under the same conditions. The HTTP client is Vert.x's,
 * on a Vert.x instance of the command's own (the CLI never boots Quarkus). While it runs, the live rate and
 * p99 are shown through {@link Progress} on stderr; stdout carries only the result.
 *
 * <p>Exit codes, as for the other client commands: 0 done; 1 the server refused (an HTTP error or a failed
 * statement while preparing) or every operation failed; 2 the server could not be reached, or bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load a running Sluice over HTTP or WebSocket (keep-alive connections on a few event loops, one request in flight "
                + "per connection; closed loop, or a constant rate with --rate) and print operations/s, latency "
                + "p50/p90/p99/p99.9/max and errors by kind. On a terminal the live rate and p99 show once a second (on stderr).",
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

    @Option(names = "--transport", defaultValue = "http", paramLabel = "http|websocket",
            description = "http: POST /v2/pipeline per request, as @libsql/client for http:// URLs; websocket: Hrana over "
                    + "WebSocket (hrana3), a stream per operation with its requests sent together, as @libsql/client for "
                    + "libsql:// and ws:// URLs; default ${DEFAULT-VALUE}")
    String transport;

    @Option(names = {"-c", "--concurrency"}, defaultValue = "8", description = "Connections; default ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = {"-t", "--threads"}, description = "Event loops driving the HTTP connections; default: the number of CPUs, at most --concurrency")
    Integer threads;

    @Option(names = {"-R", "--rate"}, paramLabel = "OPS",
            description = "Constant rate in operations/s of all connections together (as wrk2): latency counts from when each "
                    + "operation was due, so a stall shows in every operation it delayed. Default: closed loop, as fast as answered")
    Double rate;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION",
            description = "How long to measure: 30s, 500ms, 2m or PT30S; default 10s unless --requests is given")
    Duration duration;

    @Option(names = {"-n", "--requests"}, description = "How many operations to measure instead of a duration (all workers share the count)")
    Long requests;

    @Option(names = "--warmup", defaultValue = "2s", paramLabel = "DURATION",
            description = "Unrecorded warm-up before measuring; default ${DEFAULT-VALUE}")
    Duration warmup;

    @Option(names = "--rows", defaultValue = "100000", description = "Rows of the point-read table; default ${DEFAULT-VALUE}")
    int rows;

    @Option(names = "--direct-jdbc", paramLabel = "<jdbc url>",
            description = "Then run the same workload over plain JDBC (one connection per worker, no gateway) against this URL, "
                    + "e.g. jdbc:postgresql://127.0.0.1:5432/test or jdbc:sqlite:data/sluice.db, and print the ratio")
    String directJdbc;

    @Option(names = "--jdbc-user", description = "User for --direct-jdbc")
    String jdbcUser;

    @Option(names = "--jdbc-password", defaultValue = "${env:SLUICE_BENCH_JDBC_PASSWORD}",
            description = "Password for --direct-jdbc (env SLUICE_BENCH_JDBC_PASSWORD)")
    String jdbcPassword;

    @Option(names = "--json", description = "Print the results as one JSON document (progress, if any, stays on stderr)")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        Runner.Plan plan = plan();
        URI base = baseUri();
        int loops = threads != null ? threads : Math.min(concurrency, Runtime.getRuntime().availableProcessors());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = Progress.onStderr(err, Duration.ofSeconds(10));

        Result sluice;
        Result direct = null;
        List<Vertx> eventLoops = new ArrayList<>(loops);
        for (int i = 0; i < loops; i++) {
            eventLoops.add(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)
                    .setUseDaemonThread(true)
                    .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false))));
        }
        try {
            Target target = transport.equals("websocket") ? new SocketTarget(eventLoops, base, authToken)
                    : new HranaTarget(eventLoops, base, authToken);
            sluice = measure(target, plan, progress);
            if (directJdbc != null) {
                direct = measure(new JdbcTarget(directJdbc, jdbcUser, jdbcPassword), plan.withRunId(plan.runId() + 1), progress);
            }
        } catch (BenchException e) {
            progress.clear();
            err.println(e.getMessage());
            err.flush();
            return e.unreachable ? 2 : 1;
        } finally {
            for (Vertx v : eventLoops) {
                try {
                    v.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // its threads are daemons: they do not keep the process alive
                }
            }
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
                out.printf(Locale.ROOT, "Sluice: %.1f %% of direct JDBC throughput%n",
                        100 * sluice.operationsPerSecond() / direct.operationsPerSecond());
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

    private Result measure(Target target, Runner.Plan plan, Progress progress) throws BenchException, InterruptedException {
        target.prepare(plan.workload(), plan.rows());
        progress.line(String.format(Locale.ROOT, "%s: %s, %d connections (%s), %s%s%s...", target.name(), plan.workload().cliName,
                plan.concurrency(), target.engine(),
                plan.duration() != null ? plan.duration().toMillis() / 1000.0 + " s" : plan.operations() + " operations",
                plan.rate() > 0 ? String.format(Locale.ROOT, " at %,.0f operations/s", plan.rate()) : "",
                plan.warmup().isZero() ? "" : " after " + plan.warmup().toMillis() / 1000.0 + " s warm-up"));
        return Runner.run(target, plan, progress);
    }

    private Runner.Plan plan() {
        Workload workload;
        try {
            workload = Workload.parse(workloadName);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (!transport.equals("http") && !transport.equals("websocket")) {
            throw bad("--transport must be http or websocket, was '" + transport + "'");
        }
        if (concurrency < 1 || concurrency > 10_000) {
            throw bad("--concurrency must be between 1 and 10000, was " + concurrency);
        }
        if (threads != null && (threads < 1 || threads > 256)) {
            throw bad("--threads must be between 1 and 256, was " + threads);
        }
        if (rate != null && !(rate > 0 && rate <= 10_000_000)) {
            throw bad("--rate must be more than 0 and at most 10000000 operations/s, was " + rate);
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
        // random, not the clock: runs started in the same millisecond (two processes, or a soak's workloads)
        // would write the same keys; below 2^53 so JavaScript reads the JSON figure exactly
        return new Runner.Plan(workload, concurrency, measured, requests == null ? 0 : requests, warm, rows,
                ThreadLocalRandom.current().nextLong(1, 1L << 53), rate == null ? 0 : rate);
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
