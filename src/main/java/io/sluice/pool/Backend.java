package io.sluice.pool;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.ClientProxy;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.RuntimeSettings;
import io.sluice.config.Setting;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.sql.Dialect;
import io.sluice.sql.FailureClass;
import io.sluice.sql.PostgresDialect;
import io.sluice.sql.RunningStatements;
import io.sluice.sql.SqlErrors;
import io.sluice.sql.SqlSession;
import io.sluice.sql.SqliteDialect;
import io.sluice.sql.StatementException;
import io.sluice.sql.StopReason;
import io.sluice.sql.WriteLane;
import io.sluice.state.Connectivity;
import io.sluice.state.StateMachine;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The pool manager: the active backend database ({@link BackendKind}, decided once), its dialect, and
 * connection leases. A lease comes from the Agroal pool with the acquire timeout, or — when the stream's
 * lease policy says so — is a direct connection of its own ({@link DirectConnections}, the legacy path).
 * Leases held past the leak timeout are reported; the pool can be resized live. Its parts: the backend's
 * connectivity ({@link BackendConnectivity}), its meters ({@link PoolMeters}), connections outside the pool
 * ({@link OwnConnections}, the only holder of the JDBC URL), the initialiser of every connection
 * ({@link ConnectionInitializer}) and the one use of Agroal's internals ({@link AgroalInternals}).
 */
@Singleton
public class Backend {
    private static final Logger LOG = Logger.getLogger(Backend.class);
    private static final long HOUSEKEEPING_TICK_MS = 100;
    /** How long shutdown waits for stopped statements to end (a PostgreSQL connection is aborted after 2 s). */
    private static final Duration SHUTDOWN_STOP_WAIT = Duration.ofSeconds(3);

    private final SluiceConfig config;
    private final SluiceMetrics metrics;
    private final BackendKind kind;
    private final InjectableInstance<AgroalDataSource> sqlite;
    private final InjectableInstance<AgroalDataSource> postgresql;
    private final Dialect dialect;
    private final Clock clock = Clock.systemUTC();
    private final BackendConnectivity connectivity = new BackendConnectivity(clock);
    private final ConnectionInitializer initializer;
    private final PoolMeters meters;
    private final OpenLeases leases = new OpenLeases();
    private final DirectConnections direct;
    private final RunningStatements statements;
    /** The pool itself, not the container's proxy of it, which looked the pool up again at every call. */
    private volatile AgroalDataSource dataSource;
    /**
     * SQLite only: the pool of connections opened with {@code SQLITE_OPEN_READONLY} that read-only streams
     * lease, sized like the read-write pool; null on PostgreSQL, where a session is made read-only instead.
     */
    private volatile AgroalDataSource readOnlySource;
    /** Connections outside the pool; set at start, from the pool's configuration. */
    private volatile OwnConnections own;
    private volatile long leakLimitNanos;
    private volatile long validateEveryNanos;
    private long lastLeakCheck = System.nanoTime();
    private long lastValidation = System.nanoTime();
    private ScheduledExecutorService housekeeping;
    /** Requests queued for a connection outside the pool ({@link #alsoWaiting}); none by default. */
    private volatile IntSupplier queued = () -> 0;

    Backend(SluiceConfig config, SluiceMetrics metrics,
            @DataSource("sqlite") InjectableInstance<AgroalDataSource> sqlite,
            @DataSource("postgresql") InjectableInstance<AgroalDataSource> postgresql) {
        this.config = config;
        this.metrics = metrics;
        this.kind = BackendKind.of(config);
        this.sqlite = sqlite;
        this.postgresql = postgresql;
        this.dialect = kind == BackendKind.POSTGRESQL ? new PostgresDialect(config.database().writeLock(),
                config.database().sessionReset() == SluiceConfig.Database.SessionReset.PRINCIPAL)
                : new SqliteDialect(config.sqlite().writeLane() ? new WriteLane(config.sqlite().writeWait()) : null);
        this.initializer = new ConnectionInitializer(dialect, kind, kind == BackendKind.POSTGRESQL && config.database().allowPrivilegedRole());
        this.direct = new DirectConnections(config.pool().maxConnections());
        this.statements = new RunningStatements(config.gateway().statementTimeout(), dialect.syntax());
        this.meters = new PoolMeters(metrics.registry());
    }

    /** Prepares the backend before anything leases a connection: the SQLite directory and file, or a first PostgreSQL check. */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (kind == BackendKind.POSTGRESQL) {
            dataSource = ClientProxy.unwrap(postgresql.get());
            dataSource.setPoolInterceptors(List.of(initializer));
            own = ownConnections();
            try (Connection c = firstConnection()) {
                LOG.infof("PostgreSQL backend: %s %s", c.getMetaData().getDatabaseProductName(), c.getMetaData().getDatabaseProductVersion());
                connectivity.started(true, "first connection");
            } catch (SQLException e) {
                if (initializer.refusal() != null) {
                    throw new IllegalStateException("Refusing to start: " + initializer.refusal());
                }
                // a database that is down at start is not fatal: requests fail fast until it is back
                LOG.warnf("PostgreSQL backend is not reachable at start (SQLState %s); will keep trying", e.getSQLState());
                connectivity.started(false, "unreachable at start");
            }
        } else {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
            }
            dataSource = ClientProxy.unwrap(sqlite.get());
            dataSource.setPoolInterceptors(List.of(initializer));
            own = ownConnections();
            try {
                readOnlySource = AgroalDataSource.from(readOnlyPool());
                readOnlySource.setPoolInterceptors(List.of(initializer));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create the read-only SQLite pool", e);
            }
            try (Connection c = firstConnection()) {
                LOG.infof("embedded SQLite database at %s", config.dataDir().resolve("sluice.db").toAbsolutePath());
                connectivity.started(true, "first connection");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open the embedded SQLite database in " + config.dataDir(), e);
            }
        }
        dataSource.getConfiguration().setMetricsEnabled(true);
        dataSource.getConfiguration().connectionPoolConfiguration().setMinSize(config.pool().minConnections());
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-lease-watch");
            t.setDaemon(true);
            return t;
        });
        housekeeping(config.pool().leakTimeout(), config.pool().validationInterval());
        housekeeping.scheduleWithFixedDelay(this::housekeep, HOUSEKEEPING_TICK_MS, HOUSEKEEPING_TICK_MS, TimeUnit.MILLISECONDS);
        meters.bind(metrics.registry(), this, direct, statements, writeLane());
        connectivity.bindMeters(metrics);
    }

    /** Connections outside the pool, with the pool's URL and driver properties and the configured credentials. */
    private OwnConnections ownConnections() {
        var factory = dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration();
        Properties driver = new Properties();
        driver.putAll(factory.jdbcProperties());
        return new OwnConnections(kind, factory.jdbcUrl(), driver, config.database().user(), config.database().password(), initializer, dialect);
    }

    /** The read-only SQLite pool: the read-write pool's URL, driver properties and limits, opened read-only. */
    private AgroalDataSourceConfigurationSupplier readOnlyPool() {
        AgroalConnectionPoolConfiguration rw = dataSource.getConfiguration().connectionPoolConfiguration();
        Properties props = OwnConnections.readOnly(own.driverProperties());
        return new AgroalDataSourceConfigurationSupplier()
                .metricsEnabled(true)
                .connectionPoolConfiguration(pool -> pool
                        .minSize(0)
                        .maxSize(rw.maxSize())
                        .acquisitionTimeout(rw.acquisitionTimeout())
                        .connectionValidator(AgroalConnectionPoolConfiguration.ConnectionValidator.defaultValidator())
                        .connectionFactoryConfiguration(factory -> {
                            factory.jdbcUrl(own.url());
                            props.forEach((k, v) -> factory.jdbcProperty(k.toString(), v.toString()));
                            return factory;
                        }));
    }

    /**
     * The first connection at start. A short acquire timeout is meant for requests, not for opening the
     * first connection on a busy machine, so acquisition timeouts are retried for up to 30 s.
     */
    private Connection firstConnection() throws SQLException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return dataSource.getConnection();
            } catch (SQLException e) {
                // also "while waiting for new connection": opening it was slow, which a busy machine explains
                String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
                if (!m.contains("acquisition timeout") || System.nanoTime() > giveUp) {
                    throw e;
                }
            }
        }
    }

    /** The read-write pool (for {@link PoolMeters}). */
    AgroalDataSource pool() {
        return dataSource;
    }

    void onStop(@Observes ShutdownEvent event) {
        connectivity.closing();
        // whatever drained before us had its grace period; a statement still running now would hold the
        // pool's close (and so the process) for as long as the database keeps running it
        stopStatements(SHUTDOWN_STOP_WAIT);
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        statements.close();
        if (readOnlySource != null) {
            readOnlySource.close();
        }
        connectivity.closed();
    }

    public Dialect dialect() {
        return dialect;
    }

    /** SQLite's write lane, or null on PostgreSQL or when {@code sluice.sqlite.write-lane} is off. */
    public WriteLane writeLane() {
        return dialect instanceof SqliteDialect sqlite ? sqlite.writeLane() : null;
    }

    public String backendName() {
        return dialect.name();
    }

    /** Whether the backend is PostgreSQL (else the embedded SQLite database). */
    public boolean isPostgres() {
        return kind == BackendKind.POSTGRESQL;
    }

    /** The backend's kind, decided once at start. */
    public BackendKind kind() {
        return kind;
    }

    /**
     * The read fast path's factory of read-only connections of its own; empty on PostgreSQL. Its connections
     * can be opened once the backend has started.
     */
    public Optional<ReaderConnections> readers() {
        if (kind != BackendKind.SQLITE) {
            return Optional.empty();
        }
        return Optional.of(new ReaderConnections() {
            @Override
            public Connection open(java.util.Map<String, String> overrides) throws SQLException {
                return own.open(overrides);
            }

            @Override
            public void close(Connection c) throws SQLException {
                own.close(c);
            }
        });
    }

    /**
     * An online backup of the SQLite database into {@code target}, a file that must not exist: {@code VACUUM
     * INTO} writes a consistent, compacted snapshot while clients go on reading and writing. It runs on a
     * connection of the server's own — client connections cannot attach a file at all — and never takes a
     * pool lease. The caller decides where {@code target} may be.
     */
    public void backupSqliteTo(java.nio.file.Path target) throws SQLException {
        if (kind != BackendKind.SQLITE) {
            throw new SQLException("an online backup by the server exists only on SQLite", "0A000");
        }
        try (Connection c = own.server();
                java.sql.PreparedStatement vacuum = c.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, target.toString());
            vacuum.execute();
        }
    }

    public StateMachine<Connectivity> connectivity() {
        return connectivity.machine();
    }

    /**
     * Leases a connection for a stream: from the pool (waiting at most the acquire timeout) or, when the
     * policy says so, a direct connection of its own.
     */
    public Lease lease(long streamId, LeasePolicy policy) throws BackendUnavailableException {
        return lease(streamId, policy, false, 0);
    }

    /**
     * {@link #lease(long, LeasePolicy)} for a stream whose token is read-only or not. On SQLite a read-only
     * stream gets a connection opened read-only, from the read-only pool or, on the direct path, of its own.
     * A request that began waiting for a connection before it asked the pool (in the queue in front of it) says
     * since when in {@code waitingSince} ({@link System#nanoTime()}; 0: it begins now), and the acquire-wait
     * histogram counts its wait from then.
     */
    public Lease lease(long streamId, LeasePolicy policy, boolean readOnly, long waitingSince) throws BackendUnavailableException {
        Connection c;
        boolean pooled = policy.pooled();
        boolean timed = timesWait(policy);
        long asked = !timed ? 0 : waitingSince != 0 ? waitingSince : System.nanoTime();
        boolean readOnlyConnection = readOnly && readOnlySource != null;
        try {
            if (pooled) {
                c = readOnlyConnection ? readOnlySource.getConnection() : dataSource.getConnection();
            } else {
                c = direct.open(own, streamId, readOnlyConnection, acquireTimeout(), meters);
            }
        } catch (SQLException e) {
            if (timed) {
                meters.acquireWaited(System.nanoTime() - asked);
            }
            FailureClass failure = SqlErrors.classify(e);
            if (pooled && failure == FailureClass.SATURATION) {
                LOG.debugf("connection lease timed out for stream %s: pool saturated", Long.toHexString(streamId));
                throw acquireTimedOut(e);
            }
            connectivity.onFailure("connect failed, " + SqlErrors.describe(e));
            LOG.debugf("connection lease failed, %s", SqlErrors.describe(e));
            throw new BackendUnavailableException("The database is unreachable", e, FailureClass.CONNECTION);
        }
        long now = System.nanoTime();
        Lease lease = new Lease(streamId, c, pooled, policy.tracked(), now);
        leases.add(lease);
        if (timed) {
            // into the stripe of the slot the lease holds alone: no atomic instruction
            meters.acquireWaited(now - asked, leases.stripe(lease));
        }
        connectivity.onConnected("lease succeeded", now);
        return lease;
    }

    /**
     * Every connection was leased and none came back within the acquire timeout (the database is answering
     * them): counted, reported, and the failure a lease that waited too long gets, wherever it waited.
     *
     * @param cause the pool's own failure, or null when the wait happened before the pool was asked
     */
    public BackendUnavailableException acquireTimedOut(SQLException cause) {
        meters.timeouts.incrementAndGet();
        connectivity.onDegraded("pool saturated: acquisition timeout");
        return new BackendUnavailableException("No database connection available within " + acquireTimeout().toMillis()
                + " ms: every connection is busy", cause, FailureClass.SATURATION);
    }

    /**
     * {@link #acquireTimedOut(SQLException)} for a request that waited for a connection since {@code waitingSince}
     * ({@link System#nanoTime()}) without reaching the pool (it was queued in front of it): its wait goes into the
     * acquire-wait histogram as a pool timeout's does.
     */
    public BackendUnavailableException acquireTimedOut(long waitingSince, LeasePolicy policy) {
        if (timesWait(policy)) {
            meters.acquireWaited(System.nanoTime() - waitingSince);
        }
        return acquireTimedOut(null);
    }

    /** Whether a lease's wait goes into the acquire-wait histogram: a pooled lease, with detailed monitoring on. */
    private boolean timesWait(LeasePolicy policy) {
        return policy.pooled() && policy.timed() && !metrics.muted();
    }

    /** How long a lease waits for a connection at most (the pool's acquire timeout, live). */
    public Duration acquireTimeout() {
        return dataSource.getConfiguration().connectionPoolConfiguration().acquisitionTimeout();
    }

    /** The most connections the pool holds (live); the direct path is capped to the same number. */
    public int maxConnections() {
        return dataSource.getConfiguration().connectionPoolConfiguration().maxSize();
    }

    /**
     * Registers the requests that wait for a connection before they ask the pool (the gateway queues them
     * while every connection is busy): a connection given back while any wait goes straight to one of them,
     * as to a lease waiting in the pool.
     */
    public void alsoWaiting(IntSupplier queued) {
        this.queued = queued;
    }

    /**
     * Opens the stream's SQL session over a lease, governed by the statement timeout and registry.
     *
     * @param principal who runs the statements, for the operator's view
     * @param owner who the session's state is kept for between streams ({@link Dialect#open(Connection, boolean, String)})
     */
    public SqlSession openSession(Lease lease, boolean readOnly, String principal, String owner) throws StatementException {
        SqlSession session = dialect.open(lease.connection(), readOnly, owner);
        session.govern(statements, lease.streamId(), principal);
        return session;
    }

    /**
     * Stops every running statement (they answer {@code STATEMENT_CANCELED}; their requests end and give
     * their leases back) and waits at most {@code wait} for them to end. For shutdown, at the end of the
     * drain grace period; also called on {@link ShutdownEvent}, so SIGTERM never waits on a runaway statement.
     *
     * @return how many statements were still running when the wait ended
     */
    public int stopStatements(Duration wait) {
        int stopped = statements.cancelAll(StopReason.SHUTDOWN);
        long deadline = System.nanoTime() + wait.toNanos();
        while (statements.count() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = statements.count();
        if (stopped > 0) {
            LOG.infof("shutdown: stopped %d running statements, %d still running", stopped, left);
        }
        return left;
    }

    /** The statements running now: listed for operators, cancelled one by one or all at shutdown. */
    public RunningStatements statements() {
        return statements;
    }

    /**
     * Applies what a failure of work on {@code lease} says (see {@link FailureClass}): a connection-level
     * failure marks the lease broken, so its connection is not pooled again, and the backend disconnected.
     *
     * @return the failure's class
     */
    public FailureClass onFailure(Lease lease, Throwable failure) {
        FailureClass c = SqlErrors.classify(failure);
        if (c.breaksConnection()) {
            String cause = SqlErrors.describe(failure);
            if (lease != null) {
                lease.onConnectionFailure();
            }
            connectivity.onFailure("statement failed: " + cause);
        }
        return c;
    }

    /** True when a lease is waiting for a pooled connection: the next one given back goes to it at once. */
    public boolean hasWaiters() {
        return awaiting() > 0;
    }

    /** Requests waiting for a pooled connection: in the pool, and queued in front of it ({@link #alsoWaiting}). */
    public long awaiting() {
        return dataSource.getMetrics().awaitingCount() + queued.getAsInt();
    }

    /**
     * Whether the lease's connection, given back now, goes back to the pool for another lease: its session reset
     * may then be owed to that lease, in front of its first statement, and is paid by the housekeeping within a
     * tick while the connection stays idle ({@link #payOwedResets}).
     */
    public boolean backToThePool(Lease lease) {
        return lease.pooled() && !lease.isBroken();
    }

    /** True when every pooled connection is leased or requests wait for one: new work queues. */
    public boolean saturated() {
        return saturated(awaiting(), dataSource.getMetrics().activeCount(), maxConnections());
    }

    private static boolean saturated(long awaiting, long active, int maxSize) {
        return awaiting > 0 || active >= maxSize;
    }

    /** True once the backend has been prepared at start. */
    public boolean isStarted() {
        return dataSource != null;
    }

    /** When a lease last succeeded ({@link System#nanoTime()}, to the millisecond), 0 if never. */
    public long lastSuccessNanos() {
        return connectivity.lastSuccessNanos();
    }

    /** Since when (epoch ms) the backend has been failing, 0 while it is fine. */
    public long failingSinceMillis() {
        return connectivity.failingSinceMillis();
    }

    /**
     * Actively checks the database with a connection of its own (not the pool's, so an exhausted pool does
     * not look like a dead database): opens it and asks it whether it is valid.
     */
    public boolean probe(Duration timeout) {
        try (Connection c = own.probe(timeout)) {
            boolean ok = c.isValid((int) Math.max(1, timeout.toSeconds()));
            if (ok) {
                connectivity.onConnected("health probe succeeded");
            }
            return ok;
        } catch (SQLException e) {
            connectivity.onFailure("health probe failed, SQLState " + e.getSQLState());
            return false;
        }
    }

    /**
     * Gives a lease back. A connection that is not reusable (its session state was changed, or the lease
     * is BROKEN) is destroyed instead of returning to the pool; a direct connection is always closed.
     */
    public void release(Lease lease, boolean reusable) {
        leases.remove(lease);
        lease.onRelease();
        Connection c = lease.connection();
        if (!lease.pooled()) {
            direct.closed();
            dialect.forgetConnection(c);
        } else if ((!reusable || lease.isBroken()) && AgroalInternals.evictOnReturn(c)) {
            meters.evicted.incrementAndGet();
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debugf("returning a connection failed, SQLState %s", e.getSQLState());
        }
    }

    /** The backend's JDBC URL (no credentials in it for either backend), for guidance naming the database. */
    String jdbcUrl() {
        return own.url();
    }

    /** Changes the pool's limits live; existing leases are unaffected, new ones see the new limits at once. */
    public void resize(int minConnections, int maxConnections, Duration acquireTimeout) {
        RuntimeSettings.ConnectionPool.checkLimits(minConnections, maxConnections, acquireTimeout);
        resize(dataSource, minConnections, maxConnections, acquireTimeout);
        if (readOnlySource != null) {
            // read-only streams have a pool of their own with the same limits (its minimum stays 0)
            resize(readOnlySource, 0, maxConnections, acquireTimeout);
        }
        direct.max(maxConnections);
        LOG.infof("connection pool resized: min %d, max %d, acquire timeout %d ms", minConnections, maxConnections, acquireTimeout.toMillis());
    }

    private static void resize(AgroalDataSource source, int minConnections, int maxConnections, Duration acquireTimeout) {
        AgroalConnectionPoolConfiguration pool = source.getConfiguration().connectionPoolConfiguration();
        // order matters: Agroal refuses a max below the current min and a min above the current max
        if (maxConnections >= pool.maxSize()) {
            pool.setMaxSize(maxConnections);
            pool.setMinSize(minConnections);
        } else {
            pool.setMinSize(minConnections);
            pool.setMaxSize(maxConnections);
            // the maximum only limits creation: close idle connections so the pool shrinks now
            source.flush(AgroalDataSource.FlushMode.IDLE);
        }
        pool.setAcquisitionTimeout(acquireTimeout);
    }

    /** Closes idle pooled connections (they are opened again on demand); returns how many were idle. */
    public long flushIdle() {
        long idle = dataSource.getMetrics().availableCount();
        dataSource.flush(AgroalDataSource.FlushMode.IDLE);
        if (readOnlySource != null) {
            idle += readOnlySource.getMetrics().availableCount();
            readOnlySource.flush(AgroalDataSource.FlushMode.IDLE);
        }
        return idle;
    }

    /** Connections currently leased out of the pool. */
    public long activeConnections() {
        return dataSource.getMetrics().activeCount();
    }

    public PoolStatus status() {
        return status(dataSource, queued.getAsInt(), direct.openCount(), meters.timeouts.get(), meters.leaks.get(), meters.evicted.get(),
                statements.count());
    }

    /**
     * One pool's figures; the counters Sluice keeps itself (requests queued in front of it, direct path,
     * timeouts, leaks...) are the caller's.
     */
    private PoolStatus status(AgroalDataSource source, int queued, long direct, long timeouts, long leaks, long evicted, int running) {
        AgroalDataSourceMetrics m = source.getMetrics();
        AgroalConnectionPoolConfiguration pool = source.getConfiguration().connectionPoolConfiguration();
        long awaiting = m.awaitingCount() + queued;
        return new PoolStatus(dialect.name(), connectivity.current().name(), pool.minSize(), pool.maxSize(), pool.acquisitionTimeout(),
                m.activeCount(), m.availableCount(), awaiting, direct, Math.max(0, m.maxUsedCount()), // Agroal: Long.MIN_VALUE before the first lease
                m.creationCount(), m.destroyCount(), m.blockingTimeAverage(), m.blockingTimeMax(),
                timeouts, leaks, evicted, saturated(awaiting, m.activeCount(), pool.maxSize()), running, statements.timeout());
    }

    /** The read-only SQLite pool's figures (read-only streams' leases are not in {@link #status()}); null on PostgreSQL. */
    public PoolStatus readOnlyStatus() {
        AgroalDataSource source = readOnlySource;
        return source == null ? null : status(source, 0, 0, 0, 0, 0, 0);
    }

    /** Every open lease, longest-held first. */
    public List<LeaseView> leases() {
        return leases.views();
    }

    /**
     * Sets the leak timeout and the idle-connection validation interval; both take effect at the next
     * housekeeping tick. Leases are checked for leaks every half leak timeout (at most every 10 s).
     */
    public void housekeeping(Duration leakTimeout, Duration validationInterval) {
        Setting.POOL_LEAK_TIMEOUT.check(leakTimeout);
        Setting.POOL_VALIDATION_INTERVAL.check(validationInterval);
        leakLimitNanos = leakTimeout.toNanos();
        validateEveryNanos = validationInterval.toNanos();
    }

    /** One housekeeping tick: the leak check and the validation of idle connections when they are due. */
    void housekeep() {
        long now = System.nanoTime();
        if (now - lastLeakCheck >= Math.min(leakLimitNanos / 2, TimeUnit.SECONDS.toNanos(10))) {
            lastLeakCheck = now;
            reportLeaks();
        }
        if (dialect.owesResets() && !hasWaiters()) {
            payOwedResets();
        }
        if (now - lastValidation >= validateEveryNanos) {
            lastValidation = now;
            try {
                // Agroal validates every idle connection with its validator and closes the ones that fail
                dataSource.flush(AgroalDataSource.FlushMode.INVALID);
                if (readOnlySource != null) {
                    readOnlySource.flush(AgroalDataSource.FlushMode.INVALID);
                }
            } catch (RuntimeException e) {
                LOG.debugf("validating idle connections failed: %s", e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Once the pool is no longer busy, borrows its idle connections and runs the session reset any of them still
     * owes (no lease took it since its last stream went back), so a client's advisory locks, LISTEN and
     * temporary tables outlive its stream by at most a housekeeping tick once the pool is idle.
     */
    void payOwedResets() {
        List<Connection> borrowed = new ArrayList<>();
        try {
            long idle = dataSource.getMetrics().availableCount();
            while (borrowed.size() < idle && dialect.owesResets() && !hasWaiters() && dataSource.getMetrics().availableCount() > 0) {
                Connection c = dataSource.getConnection();
                borrowed.add(c);
                try {
                    dialect.payOwedReset(c);
                } catch (SQLException e) {
                    AgroalInternals.evictOnReturn(c); // its state is unknown: never lease it again
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("resetting idle connections failed: %s", e.getClass().getSimpleName());
        } finally {
            for (Connection c : borrowed) {
                try {
                    c.close();
                } catch (SQLException e) {
                    LOG.debugf("returning a connection failed, SQLState %s", e.getSQLState());
                }
            }
        }
    }

    void reportLeaks() {
        leases.reportLeaks(leakLimitNanos, meters.leaks);
    }
}
