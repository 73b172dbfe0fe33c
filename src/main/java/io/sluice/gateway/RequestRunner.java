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
import io.sluice.sql.StatementKind;
import io.sluice.sql.StmtResult;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Runs Hrana stream requests on a stream held by the calling thread. */
@Singleton
public class RequestRunner {
    /** {@link #runRepeated}: the steps cannot run together here. */
    private static final int NOT_TOGETHER = -1;
    /** {@link #runRepeated}: a run failed and the session undid them all. */
    private static final int UNDONE = -2;
    /**
     * At most this many runs go together: they count as one statement for the statement timeout, and an undone
     * group is run again one by one.
     */
    private static final int MAX_RUNS_TOGETHER = 1_000;

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

    /** One pipeline result: a {@link Response} for a request that succeeded or the {@link StatementException} it failed with. */
    record Result(String type, Response response, StatementException error) {
    }

    /** Creates the sink of each batch step; the pipeline collects, the cursor streams. */
    interface StepSinks {
        ResultSink open(int step, boolean wantRows) throws StatementException;

        void failed(int step, StatementException error);
    }

    Response run(Stream s, StreamRequest request, ResponseBudget budget) throws StatementException, BackendUnavailableException {
        return run(s, request, budget, false);
    }

    /**
     * Runs one request.
     *
     * @param closeFollows the stream is closed right after this request (the next one in its pipeline is {@code close}),
     *     which rolls back a transaction left open
     */
    Response run(Stream s, StreamRequest request, ResponseBudget budget, boolean closeFollows) throws StatementException,
            BackendUnavailableException {
        if (s.isClosed()) {
            throw HranaError.STREAM_CLOSED.statement("The stream was closed by an earlier request in this pipeline");
        }
        if (request instanceof Hrana.CloseReq) {
            s.markClosed(Stream.Closing.BY_CLIENT);
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
            return batch(s, b.batch(), budget, closeFollows);
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

    private Batched batch(Stream s, Batch batch, ResponseBudget budget, boolean closeFollows) throws StatementException,
            BackendUnavailableException {
        int n = batch.steps().size();
        StmtResult.Collector[] sinks = new StmtResult.Collector[n];
        StatementException[] errors = new StatementException[n];
        runBatch(s, batch, closeFollows, new StepSinks() {
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
    void runBatch(Stream s, Batch batch, boolean closeFollows, StepSinks sinks) throws BackendUnavailableException, StatementException {
        int n = batch.steps().size();
        Boolean[] outcomes = new Boolean[n];
        // the end of the run of repeated steps found last (see repeats), and of one undone
        int runEnd = 0;
        int oneByOneUntil = 0;
        for (int i = 0; i < n; i++) {
            BatchStep step = batch.steps().get(i);
            if (step.condition() != null && !holds(step.condition(), outcomes, s)) {
                continue;
            }
            if (i >= runEnd) {
                runEnd = repeats(batch.steps(), i);
            }
            if (runEnd - i > 1 && i >= oneByOneUntil) {
                int next = runRepeated(s, batch.steps(), i, runEnd, outcomes, sinks);
                if (next >= 0) {
                    i = next - 1;
                    continue;
                }
                if (next == UNDONE) {
                    oneByOneUntil = runEnd; // one by one from here: each would otherwise try the rest of the run again
                }
            }
            int current = i;
            try {
                execute(s, step.stmt(), sinks.open(i, step.stmt().wantRows()),
                        () -> new FailureSimulation(s, batch.steps(), outcomes, current).onlyRollbackFollows(closeFollows));
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

    /**
     * The end (exclusive) of the steps from {@code i} on that repeat step {@code i}'s statement text, each of
     * the others unconditioned or conditioned only on the success of the one before it; at most
     * {@link #MAX_RUNS_TOGETHER}.
     */
    private static int repeats(List<BatchStep> steps, int i) {
        String sql = steps.get(i).stmt().sql();
        int j = i + 1;
        if (sql == null) {
            return j;
        }
        int end = Math.min(steps.size(), i + MAX_RUNS_TOGETHER);
        while (j < end && sql.equals(steps.get(j).stmt().sql()) && followsOnly(steps.get(j).condition(), j - 1)) {
            j++;
        }
        return j;
    }

    /**
     * No condition, {@code ok(prev)}, or {@code ok(prev)} and {@code not(is_autocommit)} as {@code @libsql/client}
     * writes it on Hrana 3: each holds while the runs before succeed in the open transaction.
     */
    private static boolean followsOnly(Cond cond, int prev) {
        if (cond == null) {
            return true;
        }
        if (cond instanceof OkCond ok) {
            return ok.step() == prev;
        }
        if (cond instanceof AndCond and && and.conds().size() == 2) {
            Cond a = and.conds().get(0);
            Cond b = and.conds().get(1);
            return a instanceof OkCond && followsOnly(a, prev) && isNotAutocommit(b)
                    || isNotAutocommit(a) && b instanceof OkCond && followsOnly(b, prev);
        }
        return false;
    }

    private static boolean isNotAutocommit(Cond cond) {
        return cond instanceof NotCond not && not.cond() instanceof IsAutocommitCond;
    }

    /**
     * Steps {@code from} to {@code to} (exclusive), the same statement (see {@link #repeats}), run together where
     * the session can ({@link SqlSession#executeRepeated}): while each run succeeds the transaction stays open,
     * so each next one's condition holds. When one fails, the session undoes them all and they run one by one,
     * so each step gets the outcome it would have had alone.
     *
     * @return the step to go on from; {@link #NOT_TOGETHER} when they cannot run together here, {@link #UNDONE}
     *     when a run failed and the session undid them all: either way they run one by one
     */
    private int runRepeated(Stream s, List<BatchStep> steps, int from, int to, Boolean[] outcomes, StepSinks sinks)
            throws BackendUnavailableException, StatementException {
        if (!s.hasSession()) {
            return NOT_TOGETHER; // no transaction can be open on a stream without a connection
        }
        SqlSession session = session(s);
        if (!session.runsRepeatedTogether()) {
            return NOT_TOGETHER;
        }
        String sql = steps.get(from).stmt().sql();
        ScannedStatement scanned;
        List<Object[]> slots = new ArrayList<>(to - from);
        try {
            scanned = SqlScanner.scanOne(sql, backend.dialect().syntax());
            if (!session.mayRepeat(scanned)) {
                return NOT_TOGETHER;
            }
            for (int k = from; k < to; k++) {
                slots.add(ArgumentBinder.bind(scanned, steps.get(k).stmt().args(), steps.get(k).stmt().namedArgs()));
            }
        } catch (StatementException e) {
            return NOT_TOGETHER; // the step that cannot run reports it, one by one
        }
        long start = System.nanoTime();
        SqlSession.Repeated done;
        try {
            done = s.policy.breaker() ? guarded(() -> session.executeRepeated(scanned, slots)) : session.executeRepeated(scanned, slots);
        } catch (StatementException e) {
            // stopped, or the connection failed: the first step's failure; the others were conditioned on it
            fail(s, session, scanned, sql, from, e, start, outcomes, sinks);
            return from + 1;
        }
        if (done == null) {
            return NOT_TOGETHER;
        }
        if (done.undone()) {
            return UNDONE;
        }
        // each run is counted with its share of the time they took together
        long each = (System.nanoTime() - start) / (to - from);
        for (int k = from; k < to; k++) {
            ResultSink sink = sinks.open(k, steps.get(k).stmt().wantRows());
            sink.columns(List.of());
            sink.end(done.affected()[k - from], null);
            outcomes[k] = Boolean.TRUE;
            observer.succeeded(s.policy, scanned.kind(), System.nanoTime() - each, sql, backend.dialect().syntax());
        }
        recordStatement(s, session);
        return to;
    }

    /** A step's statement failed: counted, blamed, and kept with that step. */
    private void fail(Stream s, SqlSession session, ScannedStatement scanned, String sql, int step, StatementException e, long start,
            Boolean[] outcomes, StepSinks sinks) throws StatementException {
        failed(s, session, scanned, sql, e, start);
        outcomes[step] = Boolean.FALSE;
        sinks.failed(step, e);
    }

    /** A statement failed: its connection's lease and the breaker judge the failure, the observer counts it. */
    private void failed(Stream s, SqlSession session, ScannedStatement scanned, String sql, StatementException e, long start)
            throws StatementException {
        FailureClass failure = backend.onFailure(s.lease(), e);
        observer.failed(s.policy, scanned.kind(), failure, e.code(), start, sql, backend.dialect().syntax());
        if (failure != FailureClass.CONNECTION) {
            recordStatement(s, session);
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

    /**
     * What would follow in a batch if the step about to run failed, worked out from the steps' conditions
     * without running anything: the steps before it have their outcomes, it has failed, and a later step that
     * may run has an unknown one. True when every later step that may run in the failed step's transaction is
     * a {@code ROLLBACK}, up to one that surely runs; and, should none surely run, the stream is closed right
     * after the batch ({@code closeFollows}), which rolls the transaction back. It evaluates at most
     * {@link #CONDITIONS_EXAMINED} condition nodes and answers false beyond them (the statement keeps its
     * savepoint): one per statement, so a batch of many steps never costs work growing with their square.
     */
    private final class FailureSimulation {
        /** Enough for {@code @libsql/client}'s write batch of some 500 statements to be worked out from any step. */
        static final int CONDITIONS_EXAMINED = 2_000;

        /** A condition's value, or a step's outcome, as far as it is known. */
        private enum Tri {
            YES, NO, MAYBE;

            Tri not() {
                return this == YES ? NO : this == NO ? YES : MAYBE;
            }
        }

        private final Stream stream;
        private final List<BatchStep> steps;
        private final Boolean[] outcomes;
        private final int failed;
        /** Later steps that may run: their outcome, ok or error, is unknown. */
        private final boolean[] mayRun;
        /** A step that may have ended the transaction may have run: {@code is_autocommit} is unknown from there on. */
        private boolean mayHaveEnded;
        /** Condition nodes left to evaluate. */
        private int budget = CONDITIONS_EXAMINED;

        FailureSimulation(Stream stream, List<BatchStep> steps, Boolean[] outcomes, int failed) {
            this.stream = stream;
            this.steps = steps;
            this.outcomes = outcomes;
            this.failed = failed;
            this.mayRun = new boolean[steps.size()];
        }

        boolean onlyRollbackFollows(boolean closeFollows) {
            for (int j = failed + 1; j < steps.size(); j++) {
                BatchStep step = steps.get(j);
                Tri runs = step.condition() == null ? Tri.YES : eval(step.condition());
                if (budget < 0) {
                    return false;
                }
                if (runs == Tri.NO) {
                    continue;
                }
                if (!isRollback(step.stmt())) {
                    return false;
                }
                if (runs == Tri.YES) {
                    return true;
                }
                mayRun[j] = true;
                mayHaveEnded = true;
            }
            return closeFollows;
        }

        private Tri eval(Cond cond) {
            if (--budget < 0) {
                return Tri.MAYBE; // past the budget: the caller gives up
            }
            if (cond instanceof OkCond ok) {
                return outcome(ok.step(), true);
            }
            if (cond instanceof ErrorCond err) {
                return outcome(err.step(), false);
            }
            if (cond instanceof NotCond not) {
                return eval(not.cond()).not();
            }
            if (cond instanceof AndCond and) {
                return combine(and.conds(), Tri.NO);
            }
            if (cond instanceof OrCond or) {
                return combine(or.conds(), Tri.YES);
            }
            if (cond instanceof IsAutocommitCond) {
                // the failed statement ran in an open transaction, which only a later step could have ended
                return mayHaveEnded ? Tri.MAYBE : Tri.NO;
            }
            throw new IllegalArgumentException("unhandled condition " + cond);
        }

        /** {@code and} ({@code decides} NO) or {@code or} ({@code decides} YES) of the conditions, unknown ones counted. */
        private Tri combine(List<Cond> conds, Tri decides) {
            Tri result = decides.not();
            for (Cond c : conds) {
                Tri t = eval(c);
                if (t == decides) {
                    return decides;
                }
                if (t == Tri.MAYBE) {
                    result = Tri.MAYBE;
                }
            }
            return result;
        }

        /** Whether step {@code k} succeeded ({@code ok}) or failed (not {@code ok}). */
        private Tri outcome(int k, boolean ok) {
            if (k == failed) {
                return ok ? Tri.NO : Tri.YES;
            }
            if (k < failed) {
                Boolean o = outcomes[k];
                return o != null && o == ok ? Tri.YES : Tri.NO;
            }
            return mayRun[k] ? Tri.MAYBE : Tri.NO;
        }

        /** A {@code ROLLBACK} that ends the transaction (not {@code ROLLBACK TO SAVEPOINT}). */
        private boolean isRollback(Stmt stmt) {
            try {
                return SqlScanner.scanOne(resolveSql(stream, stmt.sql(), stmt.sqlId()), backend.dialect().syntax()).kind() == StatementKind.ROLLBACK;
            } catch (StatementException | RuntimeException e) {
                return false; // it would fail on its own (unknown stored SQL, not one statement): not a rollback to count on
            }
        }
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
        execute(s, stmt, sink, SqlSession.FailureAfterwards.CONTINUES);
    }

    private void execute(Stream s, Stmt stmt, ResultSink sink, SqlSession.FailureAfterwards afterwards) throws StatementException,
            BackendUnavailableException {
        String sql = resolveSql(s, stmt.sql(), stmt.sqlId());
        ScannedStatement scanned = SqlScanner.scanOne(sql, backend.dialect().syntax());
        Object[] slots = ArgumentBinder.bind(scanned, stmt.args(), stmt.namedArgs());
        SqlSession session = session(s);
        long start = System.nanoTime();
        try {
            if (s.policy.breaker()) {
                guarded(() -> {
                    session.execute(scanned, slots, sink, afterwards);
                    return null;
                });
            } else {
                session.execute(scanned, slots, sink, afterwards);
            }
        } catch (StatementException e) {
            failed(s, session, scanned, sql, e, start);
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
