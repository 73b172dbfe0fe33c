package io.sluice.gateway;

import io.sluice.breaker.CircuitBreaker;
import io.sluice.config.SluiceConfig;
import io.sluice.gateway.Hrana.AndCond;
import io.sluice.gateway.Hrana.Batch;
import io.sluice.gateway.Hrana.BatchStep;
import io.sluice.gateway.Hrana.Cond;
import io.sluice.gateway.Hrana.ErrorCond;
import io.sluice.gateway.Hrana.IsAutocommitCond;
import io.sluice.gateway.Hrana.NotCond;
import io.sluice.gateway.Hrana.OkCond;
import io.sluice.gateway.Hrana.OrCond;
import io.sluice.gateway.Hrana.Stmt;
import io.sluice.gateway.Hrana.StreamRequest;
import io.sluice.pool.Backend;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.sql.ArgumentBinder;
import io.sluice.sql.DescribeResult;
import io.sluice.sql.ErrorCode;
import io.sluice.sql.FailureClass;
import io.sluice.sql.ResponseBudget;
import io.sluice.sql.ResultSink;
import io.sluice.sql.ScannedStatement;
import io.sluice.sql.SqlScanner;
import io.sluice.sql.SqlSession;
import io.sluice.sql.StatementException;
import io.sluice.sql.StmtResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.Callable;

/** Runs Hrana stream requests on a stream held by the calling thread. */
@ApplicationScoped
public class RequestRunner {
    private final Backend backend;
    private final SluiceConfig.Gateway config;
    private final StatementObserver observer;
    private final CircuitBreaker breaker;

    RequestRunner(Backend backend, SluiceConfig config, StatementObserver observer, CircuitBreaker breaker) {
        this.backend = backend;
        this.breaker = breaker;
        this.config = config.gateway();
        this.observer = observer;
    }

    /** Responses of the request types; {@code null} payloads encode as {@code {}}. */
    sealed interface Response {
    }

    record Empty() implements Response {
    }

    record Executed(StmtResult result) implements Response {
    }

    record Batched(StmtResult[] results, StatementException[] errors) implements Response {
    }

    record Described(DescribeResult result) implements Response {
    }

    record Autocommit(boolean isAutocommit) implements Response {
    }

    /** Creates the sink of each batch step; the pipeline collects, the cursor streams. */
    interface StepSinks {
        ResultSink open(int step, boolean wantRows) throws StatementException;

        void failed(int step, StatementException error);
    }

    Response run(Stream s, StreamRequest request, ResponseBudget budget) throws StatementException, BackendUnavailableException {
        if (s.isClosed()) {
            throw HranaError.STREAM_CLOSED.statement("The stream was closed by an earlier request in this pipeline");
        }
        if (request instanceof Hrana.CloseReq) {
            s.markClosed();
            return new Empty();
        }
        if (request instanceof Hrana.ExecuteReq e) {
            StmtResult.Collector sink = new StmtResult.Collector(e.stmt().wantRows(), budget);
            try {
                execute(s, e.stmt(), sink);
            } catch (StatementException failure) {
                sink.discard();
                throw failure;
            }
            return new Executed(sink.result());
        }
        if (request instanceof Hrana.BatchReq b) {
            return batch(s, b.batch(), budget);
        }
        if (request instanceof Hrana.SequenceReq q) {
            session(s).executeScript(resolveSql(s, q.sql(), q.sqlId()));
            return new Empty();
        }
        if (request instanceof Hrana.DescribeReq d) {
            return new Described(session(s).describe(SqlScanner.scanOne(resolveSql(s, d.sql(), d.sqlId()), backend.dialect().syntax())));
        }
        if (request instanceof Hrana.StoreSqlReq st) {
            storeSql(s, st.sqlId(), st.sql());
            return new Empty();
        }
        if (request instanceof Hrana.CloseSqlReq cs) {
            s.storedSql().remove(cs.sqlId());
            return new Empty();
        }
        if (request instanceof Hrana.GetAutocommitReq) {
            return new Autocommit(isAutocommit(s));
        }
        throw new IllegalArgumentException("unhandled request type " + request.type());
    }

    private Batched batch(Stream s, Batch batch, ResponseBudget budget) throws StatementException, BackendUnavailableException {
        int n = batch.steps().size();
        StmtResult.Collector[] sinks = new StmtResult.Collector[n];
        StatementException[] errors = new StatementException[n];
        runBatch(s, batch, new StepSinks() {
            @Override
            public ResultSink open(int step, boolean wantRows) {
                sinks[step] = new StmtResult.Collector(wantRows, budget);
                return sinks[step];
            }

            @Override
            public void failed(int step, StatementException error) {
                if (sinks[step] != null) {
                    sinks[step].discard();
                }
                sinks[step] = null;
                errors[step] = error;
            }
        });
        StmtResult[] results = new StmtResult[n];
        for (int i = 0; i < n; i++) {
            results[i] = sinks[i] == null ? null : sinks[i].result();
        }
        return new Batched(results, errors);
    }

    /**
     * Runs a batch: each step whose condition holds runs in order; a step's failure stays with that step.
     * A failure to get a connection at all ends the whole batch.
     */
    void runBatch(Stream s, Batch batch, StepSinks sinks) throws BackendUnavailableException, StatementException {
        int n = batch.steps().size();
        Boolean[] outcomes = new Boolean[n];
        for (int i = 0; i < n; i++) {
            BatchStep step = batch.steps().get(i);
            if (step.condition() != null && !holds(step.condition(), outcomes, s)) {
                continue;
            }
            try {
                execute(s, step.stmt(), sinks.open(i, step.stmt().wantRows()));
                outcomes[i] = Boolean.TRUE;
            } catch (StatementException e) {
                if (ErrorCode.RESPONSE_TOO_LARGE.equals(e.code())) {
                    throw e;
                }
                outcomes[i] = Boolean.FALSE;
                sinks.failed(i, e);
            }
        }
    }

    private boolean holds(Cond cond, Boolean[] outcomes, Stream s) throws BackendUnavailableException, StatementException {
        if (cond instanceof OkCond ok) {
            return outcomes[ok.step()] == Boolean.TRUE;
        }
        if (cond instanceof ErrorCond err) {
            return outcomes[err.step()] == Boolean.FALSE;
        }
        if (cond instanceof NotCond not) {
            return !holds(not.cond(), outcomes, s);
        }
        if (cond instanceof AndCond and) {
            for (Cond c : and.conds()) {
                if (!holds(c, outcomes, s)) {
                    return false;
                }
            }
            return true;
        }
        if (cond instanceof OrCond or) {
            for (Cond c : or.conds()) {
                if (holds(c, outcomes, s)) {
                    return true;
                }
            }
            return false;
        }
        if (cond instanceof IsAutocommitCond) {
            return isAutocommit(s);
        }
        throw new IllegalArgumentException("unhandled condition " + cond);
    }

    /** The stream's session, leasing its connection on first use (through the breaker when that feature applies). */
    private SqlSession session(Stream s) throws BackendUnavailableException, StatementException {
        if (s.hasSession() || !s.policy.breaker()) {
            return s.session(backend);
        }
        return guarded(() -> s.session(backend));
    }

    /** Runs database work through the circuit breaker; only connection-level failures count against it. */
    private <T> T guarded(Callable<T> work) throws BackendUnavailableException, StatementException {
        try {
            return breaker.call(work);
        } catch (BackendUnavailableException | StatementException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("unexpected failure in guarded database work", e);
        }
    }

    /** Leases the stream's connection now (the cursor does so before answering, so that a failure is still a 503). */
    void ensureSession(Stream s) throws BackendUnavailableException, StatementException {
        session(s);
    }

    private boolean isAutocommit(Stream s) throws BackendUnavailableException, StatementException {
        // a stream that never touched the database cannot have a transaction open
        return !s.hasSession() || session(s).isAutocommit();
    }

    void execute(Stream s, Stmt stmt, ResultSink sink) throws StatementException, BackendUnavailableException {
        String sql = resolveSql(s, stmt.sql(), stmt.sqlId());
        ScannedStatement scanned = SqlScanner.scanOne(sql, backend.dialect().syntax());
        Object[] slots = ArgumentBinder.bind(scanned, stmt.args(), stmt.namedArgs());
        SqlSession session = session(s);
        long start = System.nanoTime();
        try {
            if (s.policy.breaker()) {
                guarded(() -> {
                    session.execute(scanned, slots, sink);
                    return null;
                });
            } else {
                session.execute(scanned, slots, sink);
            }
        } catch (StatementException e) {
            FailureClass failure = backend.onFailure(s.lease(), e);
            observer.failed(s.policy, scanned.kind(), failure, e.code(), start, sql, backend.dialect().syntax());
            if (failure != FailureClass.CONNECTION) {
                recordStatement(s, session);
            }
            throw e;
        }
        observer.succeeded(s.policy, scanned.kind(), start, sql, backend.dialect().syntax());
        recordStatement(s, session);
    }

    private static void recordStatement(Stream s, SqlSession session) throws StatementException {
        // asking for the transaction state costs a little, so only when the lease is tracked
        s.lease().onStatement(s.policy.stateMachine() && !session.isAutocommit());
    }

    private static String resolveSql(Stream s, String sql, Integer sqlId) throws StatementException {
        if (sql != null) {
            return sql;
        }
        String stored = s.storedSql().get(sqlId);
        if (stored == null) {
            throw new StatementException(ErrorCode.SQL_STORE_ERROR, "No SQL text is stored under sql_id " + sqlId);
        }
        return stored;
    }

    private void storeSql(Stream s, int id, String sql) throws StatementException {
        Map<Integer, String> stored = s.storedSql();
        if (stored.containsKey(id)) {
            throw new StatementException(ErrorCode.SQL_STORE_ERROR, "sql_id " + id + " is already in use on this stream");
        }
        if (stored.size() >= config.maxStoredSql()) {
            throw new StatementException(ErrorCode.SQL_STORE_ERROR,
                    "Too many stored SQL texts on this stream (limit " + config.maxStoredSql() + ")");
        }
        stored.put(id, sql);
    }
}
