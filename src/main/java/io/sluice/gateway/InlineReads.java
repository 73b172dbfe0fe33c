package io.sluice.gateway;

import io.quarkus.runtime.ShutdownEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.gateway.RequestRunner.Result;
import io.sluice.pool.Backend;
import io.sluice.pool.ReaderConnections;
import io.sluice.sql.ArgumentBinder;
import io.sluice.sql.ErrorCode;
import io.sluice.sql.ResponseBudget;
import io.sluice.sql.ScannedStatement;
import io.sluice.sql.SqlErrors;
import io.sluice.sql.SqlScanner;
import io.sluice.sql.SqlSession;
import io.sluice.sql.SqliteLimits;
import io.sluice.sql.StatementException;
import io.sluice.sql.StatementKind;
import io.sluice.sql.StmtResult;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.sqlite.ProgressHandler;

/**
 * The read fast path on embedded SQLite: a pipeline that opens no stream and only reads (the
 * {@code execute}s of {@code SELECT}s followed by {@code close}, which is what {@code @libsql/client}
 * sends for every read) is answered on the I/O thread that received it, over a connection opened
 * read-only and owned by that thread, instead of being handed to a worker. The same rules answer a read on
 * a WebSocket client's stream that holds no connection ({@link #tryAnswerOnStream}).
 *
 * <p>It can never block the I/O thread for long: the connection has no busy timeout (a locked database
 * is answered by the worker path instead), and a progress handler interrupts a statement that runs past
 * its budget, after which the whole pipeline is run again on the worker path. Reads have no side
 * effects, so running them again is safe. Statements the fast path refuses are never visible to clients.
 *
 * <p>Nor can it build anything big on the I/O thread: its connection's SQLite length limit is
 * {@value #MAX_VALUE_BYTES} bytes, so a larger value fails inside SQLite ({@code SQLITE_TOOBIG}) before it
 * reaches Java, and its responses are capped at {@value #MAX_RESPONSE_BYTES} bytes; a pipeline over either
 * is handed to the worker path, where the full response limit applies.
 */
@Singleton
public class InlineReads {
    private static final Logger LOG = Logger.getLogger(InlineReads.class);
    /** Failures that mean "this connection could not do it now", not "the statement is wrong". */
    private static final Set<String> FALL_BACK = Set.of("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_INTERRUPT",
            "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_SCHEMA", "SQLITE_PROTOCOL", "SQLITE_TOOBIG", "SQLITE_NOMEM",
            ErrorCode.RESPONSE_TOO_LARGE);
    /** The largest string or blob the fast path's connection will produce (its SQLITE_LIMIT_LENGTH). */
    static final int MAX_VALUE_BYTES = 64 * 1024;
    /** The largest response the fast path encodes on the I/O thread. */
    static final int MAX_RESPONSE_BYTES = 256 * 1024;
    private static final int MAX_STATEMENTS = 8;
    private static final int PROGRESS_STEPS = 1000;
    /** Prepared statements kept per I/O thread: applications send the same few reads again and again. */
    private static final int STATEMENT_CACHE = 64;

    private final Backend backend;
    /** Read-only connections of the fast path's own; null on PostgreSQL, where there is no fast path. */
    private final ReaderConnections connections;
    private final StatementObserver observer;
    private final SluiceConfig.Gateway config;
    private final boolean enabled;
    private final long budgetNanos;
    private final List<Reader> readers = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Reader> local = new ThreadLocal<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();

    /** Pipelines answered on the I/O thread so far. */
    public long answeredCount() {
        return answered.get();
    }

    /** Qualifying pipelines that had to be handed to the worker path (busy, over budget). */
    public long handedOverCount() {
        return handedOver.get();
    }

    InlineReads(Backend backend, StatementObserver observer, SluiceConfig config) {
        this.backend = backend;
        this.connections = backend.readers().orElse(null);
        this.observer = observer;
        this.config = config.gateway();
        this.enabled = config.gateway().inlineReads() && connections != null;
        this.budgetNanos = config.gateway().inlineReadBudget().toNanos();
    }

    /** One I/O thread's read-only connection and the deadline its progress handler enforces. */
    private static final class Reader {
        final Connection connection;
        final SqlSession session;
        volatile long deadline = Long.MAX_VALUE;

        Reader(Connection connection, SqlSession session) {
            this.connection = connection;
            this.session = session;
        }
    }

    /**
     * Answers the pipeline if it qualifies and finishes within budget, with the results written by
     * {@code encode} (JSON or Protobuf).
     *
     * @param policy what applies to the request, decided once at its admission
     * @return the encoded response, or null when the request must take the normal (worker) path
     */
    <T> T tryAnswer(List<StreamRequest> requests, StreamPolicy policy, Function<List<Result>, T> encode) {
        if (!enabled || !qualifies(requests)) {
            return null;
        }
        return answer(requests, policy, encode);
    }

    /**
     * Answers one {@code execute} on a stream that holds no connection and so has no transaction (a
     * WebSocket client's stream between its {@code open_stream} and its first statement that needs one) if
     * it qualifies as each {@code execute} of a stream-less pipeline must, and finishes within budget. Such
     * a stream would lease a connection only to run this read in autocommit, which sees what this read sees.
     *
     * @param policy the stream's policy
     * @return the encoded answer, or null when the request must take the stream's normal (worker) path
     */
    <T> T tryAnswerOnStream(Hrana.ExecuteReq execute, StreamPolicy policy, Function<Result, T> encode) {
        if (!enabled || !isPlainExecute(execute)) {
            return null;
        }
        return answer(List.of(execute), policy, results -> encode.apply(results.get(0)));
    }

    private <T> T answer(List<StreamRequest> requests, StreamPolicy policy, Function<List<Result>, T> encode) {
        Reader reader = reader();
        if (reader == null) {
            return null;
        }
        ResponseBudget budget = new ResponseBudget(Math.min(config.maxResponseBytes(), MAX_RESPONSE_BYTES));
        List<Result> results = new ArrayList<>(requests.size());
        reader.deadline = System.nanoTime() + budgetNanos;
        try {
            for (StreamRequest r : requests) {
                if (r instanceof Hrana.CloseReq) {
                    results.add(new Result(r.type(), new RequestRunner.Empty(), null));
                    continue;
                }
                Hrana.Stmt stmt = ((Hrana.ExecuteReq) r).stmt();
                StmtResult.Collector sink = new StmtResult.Collector(stmt.wantRows(), budget);
                long start = System.nanoTime();
                try {
                    ScannedStatement st = SqlScanner.scanOne(stmt.sql());
                    if (st.kind() != StatementKind.READ) {
                        return null;
                    }
                    reader.session.execute(st, ArgumentBinder.bind(st, stmt.args(), stmt.namedArgs()), sink);
                    observer.succeeded(policy, st.kind(), start, stmt.sql(), SqlScanner.Syntax.SQLITE);
                    results.add(new Result(r.type(), new RequestRunner.Executed(sink.result()), null));
                } catch (StatementException e) {
                    if (FALL_BACK.contains(e.code()) || System.nanoTime() > reader.deadline) {
                        handedOver.incrementAndGet();
                        return null;
                    }
                    observer.failed(policy, StatementKind.READ, SqlErrors.classifyCode(e.code()), e.code(), start, stmt.sql(),
                            SqlScanner.Syntax.SQLITE);
                    results.add(new Result(r.type(), null, e));
                }
            }
        } finally {
            reader.deadline = Long.MAX_VALUE;
        }
        answered.incrementAndGet();
        return encode.apply(results);
    }

    /** Only stream-less pipelines of plain SQL reads: executes, then exactly one close at the end. */
    private static boolean qualifies(List<StreamRequest> requests) {
        int n = requests.size();
        if (n < 2 || n > MAX_STATEMENTS + 1 || !(requests.get(n - 1) instanceof Hrana.CloseReq)) {
            return false;
        }
        for (int i = 0; i < n - 1; i++) {
            if (!isPlainExecute(requests.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** An {@code execute} of SQL text (not of a stored SQL id); whether it only reads is decided when it runs. */
    private static boolean isPlainExecute(StreamRequest r) {
        return r instanceof Hrana.ExecuteReq e && e.stmt().sql() != null;
    }

    private Reader reader() {
        Reader r = local.get();
        if (r == null) {
            try {
                r = open();
            } catch (SQLException | StatementException e) {
                LOG.debugf("no inline reader on %s: %s", Thread.currentThread().getName(), e.getMessage());
                return null;
            }
            local.set(r);
            readers.add(r);
        }
        return r;
    }

    private Reader open() throws SQLException, StatementException {
        // opened read-only (SQLITE_OPEN_READONLY) and initialised like every connection clients' SQL runs on;
        // its length limit keeps values the event loop reads small
        Connection c = connections.open(Map.of("busy_timeout", "0", SqliteLimits.LENGTH_PROPERTY, Integer.toString(MAX_VALUE_BYTES)));
        Reader[] holder = new Reader[1];
        ProgressHandler.setHandler(c, PROGRESS_STEPS, new ProgressHandler() {
            @Override
            protected int progress() {
                return System.nanoTime() > holder[0].deadline ? 1 : 0;
            }
        });
        SqlSession session = backend.dialect().open(c, true);
        session.enableStatementCache(STATEMENT_CACHE);
        holder[0] = new Reader(c, session);
        return holder[0];
    }

    void onShutdown(@Observes ShutdownEvent event) {
        for (Reader r : readers) {
            try {
                connections.close(r.connection);
            } catch (SQLException e) {
                LOG.debug("closing an inline reader failed", e);
            }
        }
        readers.clear();
    }
}
