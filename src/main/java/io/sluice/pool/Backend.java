package io.sluice.pool;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.agroal.api.AgroalPoolInterceptor;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.pool.ConnectionHandler;
import io.agroal.pool.wrapper.ConnectionWrapper;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.sluice.config.RuntimeSettings;
import io.sluice.config.Setting;
import io.sluice.config.SluiceConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.flags.Features;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.sql.Dialect;
import io.sluice.sql.PostgresDialect;
import io.sluice.sql.FailureClass;
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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The pool manager: the active backend database (embedded SQLite, or PostgreSQL when
 * {@code sluice.database.url} is set — see {@link io.sluice.config.BackendSelection}), its dialect, and
 * connection leases. A lease comes from the Agroal pool with the acquire timeout, or — when the pool
 * feature does not apply — is a direct connection of its own (the legacy path). Leases held past the leak
 * timeout are reported; the pool can be resized live; the backend's connectivity is a state machine.
 */
@ApplicationScoped
public class Backend {
    private static final Logger LOG = Logger.getLogger(Backend.class);
    private static final long HOUSEKEEPING_TICK_MS = 100;
    /** {@link #lastSuccessNanos} is kept to this precision. */
    private static final long SUCCESS_STAMP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long shutdown waits for stopped statements to end (a PostgreSQL connection is aborted after 2 s). */
    private static final Duration SHUTDOWN_STOP_WAIT = Duration.ofSeconds(3);

    private final SluiceConfig config;
    private final SluiceMetrics metrics;
    private final boolean postgres;
    private final InjectableInstance<AgroalDataSource> sqlite;
    private final InjectableInstance<AgroalDataSource> postgresql;
    private final Dialect dialect;
    private final Clock clock = Clock.systemUTC();
    private final StateMachine<Connectivity> connectivity = new StateMachine<>("backend", Connectivity.INITIALIZING, 64, clock);
    /** Open leases; a set of the leases themselves (hashed by id), so registering one boxes nothing. */
    private final Set<Lease> leases = ConcurrentHashMap.newKeySet();
    private final AtomicLong leaseIds = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong leaks = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong directOpen = new AtomicLong();
    /** The direct path's connections are capped by the pool's maximum too (a separate count: the pool's may be idle). */
    private final DirectCap directCap;
    private final RunningStatements statements;
    private final Timer acquireWait;
    private volatile AgroalDataSource dataSource;
    /**
     * SQLite only: the pool of connections opened with {@code SQLITE_OPEN_READONLY} that read-only streams
     * lease, sized like the read-write pool; null on PostgreSQL, where a session is made read-only instead.
     */
    private volatile AgroalDataSource readOnlySource;
    /** Why connections are refused (a privileged PostgreSQL role in prod), or null. */
    private volatile String refusal;
    private volatile boolean roleWarned;
    private volatile long lastSuccessNanos;
    private volatile long failingSinceMillis;
    private volatile long leakLimitNanos;
    private volatile long validateEveryNanos;
    private long lastLeakCheck = System.nanoTime();
    private long lastValidation = System.nanoTime();
    private ScheduledExecutorService housekeeping;

    Backend(SluiceConfig config, SluiceMetrics metrics,
            @DataSource("sqlite") InjectableInstance<AgroalDataSource> sqlite,
            @DataSource("postgresql") InjectableInstance<AgroalDataSource> postgresql) {
        this.config = config;
        this.metrics = metrics;
        this.postgres = config.database().url().filter(u -> !u.isBlank()).isPresent();
        this.sqlite = sqlite;
        this.postgresql = postgresql;
        this.dialect = postgres ? new PostgresDialect(config.database().writeLock())
                : new SqliteDialect(config.sqlite().writeLane() ? new WriteLane(config.sqlite().writeWait()) : null);
        this.directCap = new DirectCap(config.pool().maxConnections());
        this.statements = new RunningStatements(config.gateway().statementTimeout(), dialect.syntax());
        this.acquireWait = Timer.builder(Meters.POOL_ACQUIRE_WAIT).description("Time a pooled lease waited for a connection")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(metrics.registry());
    }

    /** Prepares the backend before anything leases a connection: the SQLite directory and file, or a first PostgreSQL check. */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (postgres) {
            dataSource = postgresql.get();
            dataSource.setPoolInterceptors(List.of(new Initializer()));
            try (Connection c = firstConnection()) {
                LOG.infof("PostgreSQL backend: %s %s", c.getMetaData().getDatabaseProductName(), c.getMetaData().getDatabaseProductVersion());
                connectivity.moveTo(Connectivity.CONNECTED, "first connection");
            } catch (SQLException e) {
                if (refusal != null) {
                    throw new IllegalStateException("Refusing to start: " + refusal);
                }
                // a database that is down at start is not fatal: requests fail fast until it is back
                LOG.warnf("PostgreSQL backend is not reachable at start (SQLState %s); will keep trying", e.getSQLState());
                connectivity.moveTo(Connectivity.DISCONNECTED, "unreachable at start");
            }
        } else {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
            }
            dataSource = sqlite.get();
            dataSource.setPoolInterceptors(List.of(new Initializer()));
            try {
                readOnlySource = AgroalDataSource.from(readOnlyPool());
                readOnlySource.setPoolInterceptors(List.of(new Initializer()));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create the read-only SQLite pool", e);
            }
            try (Connection c = firstConnection()) {
                LOG.infof("embedded SQLite database at %s", config.dataDir().resolve("sluice.db").toAbsolutePath());
                connectivity.moveTo(Connectivity.CONNECTED, "first connection");
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
        bindMeters(metrics.registry());
    }

    /** The read-only SQLite pool: the read-write pool's URL, driver properties and limits, opened read-only. */
    private AgroalDataSourceConfigurationSupplier readOnlyPool() {
        AgroalConnectionPoolConfiguration rw = dataSource.getConfiguration().connectionPoolConfiguration();
        Properties props = readOnlyProperties(jdbcProperties());
        return new AgroalDataSourceConfigurationSupplier()
                .metricsEnabled(true)
                .connectionPoolConfiguration(pool -> pool
                        .minSize(0)
                        .maxSize(rw.maxSize())
                        .acquisitionTimeout(rw.acquisitionTimeout())
                        .connectionValidator(AgroalConnectionPoolConfiguration.ConnectionValidator.defaultValidator())
                        .connectionFactoryConfiguration(factory -> {
                            factory.jdbcUrl(jdbcUrl());
                            props.forEach((k, v) -> factory.jdbcProperty(k.toString(), v.toString()));
                            return factory;
                        }));
    }

    /** SQLite driver properties that open the database with SQLITE_OPEN_READONLY (and never create it). */
    private static Properties readOnlyProperties(Properties base) {
        Properties props = new Properties();
        props.putAll(base);
        props.setProperty(SQLiteConfig.Pragma.OPEN_MODE.pragmaName, Integer.toString(SQLiteOpenMode.READONLY.flag));
        return props;
    }

    /**
     * Initialises every connection a pool creates, before anyone leases it: the dialect's hardening and, on
     * PostgreSQL, the check of the role. A connection that fails either is never handed out.
     */
    private final class Initializer implements AgroalPoolInterceptor {
        @Override
        public void onConnectionCreate(Connection connection) {
            try {
                initialise(connection);
            } catch (SQLException e) {
                throw new IllegalStateException("a new database connection could not be initialised (SQLState " + e.getSQLState() + ")", e);
            }
        }

        @Override
        public void onConnectionDestroy(Connection connection) {
            dialect.forgetConnection(connection);
        }
    }

    /** The one initialiser of every connection clients' SQL runs on (pooled, direct and the read fast path's). */
    private void initialise(Connection c) throws SQLException {
        dialect.initConnection(c);
        if (postgres) {
            checkRole(c);
        }
    }

    /**
     * Refuses a connection whose role is privileged ({@link DatabaseRole}) in the {@code prod} profile unless
     * {@code sluice.database.allow-privileged-role=true}; elsewhere warns once.
     */
    private void checkRole(Connection c) throws SQLException {
        DatabaseRole role = DatabaseRole.of(c);
        if (role.isPrivileged()) {
            boolean refuse = ConfigUtils.getProfiles().contains("prod") && !config.database().allowPrivilegedRole();
            if (refuse) {
                String why = role.describe() + ". Connect as a least-privilege role (docs/security.md) or set "
                        + "sluice.database.allow-privileged-role=true (SLUICE_DATABASE_ALLOW_PRIVILEGED_ROLE) to accept the risk";
                if (refusal == null) {
                    LOG.error(why);
                }
                refusal = why;
                throw new SQLException("privileged database role refused", "28000");
            }
            if (!roleWarned) {
                roleWarned = true;
                LOG.warnf("%s; in prod Sluice would refuse to start (sluice.database.allow-privileged-role=%s)", role.describe(),
                        config.database().allowPrivilegedRole());
            }
        } else if (role.canSignalBackends() && !roleWarned) {
            roleWarned = true;
            LOG.warnf("the PostgreSQL role \"%s\" may call pg_terminate_backend/pg_cancel_backend, so a client could end the "
                    + "other connections of Sluice; revoke EXECUTE on them (docs/security.md)", role.role());
        }
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

    private void bindMeters(MeterRegistry registry) {
        Gauge.builder(Meters.POOL_CONNECTIONS, this, b -> b.dataSource.getMetrics().activeCount()).tag(Meters.STATE, "active").register(registry);
        Gauge.builder(Meters.POOL_CONNECTIONS, this, b -> b.dataSource.getMetrics().availableCount()).tag(Meters.STATE, "idle").register(registry);
        Gauge.builder(Meters.POOL_CONNECTIONS, this, b -> b.dataSource.getMetrics().awaitingCount()).tag(Meters.STATE, "awaiting").register(registry);
        Gauge.builder(Meters.POOL_CONNECTIONS, directOpen, AtomicLong::get).tag(Meters.STATE, "direct").register(registry);
        Gauge.builder(Meters.POOL_MAX, this, b -> b.dataSource.getConfiguration().connectionPoolConfiguration().maxSize()).register(registry);
        FunctionCounter.builder(Meters.POOL_ACQUIRE_TIMEOUTS, timeouts, AtomicLong::get).register(registry);
        Gauge.builder(Meters.POOL_SATURATED, this, b -> b.saturated() ? 1 : 0).register(registry);
        Gauge.builder(Meters.STATEMENTS_RUNNING, statements, RunningStatements::count).register(registry);
        for (StopReason why : StopReason.values()) {
            FunctionCounter.builder(Meters.STATEMENTS_STOPPED, statements, r -> r.stoppedCount(why))
                    .tag(Meters.REASON, SluiceMetrics.tag(why)).register(registry);
        }
        WriteLane lane = writeLane();
        if (lane != null) {
            Gauge.builder(Meters.WRITE_LANE_WAITING, lane, WriteLane::waiting).register(registry);
            Gauge.builder(Meters.WRITE_LANE_HELD, lane, l -> l.isFree() ? 0 : 1).register(registry);
            FunctionCounter.builder(Meters.WRITE_LANE_ADMITTED, lane, WriteLane::admittedCount).register(registry);
            FunctionCounter.builder(Meters.WRITE_LANE_TIMEOUTS, lane, WriteLane::timedOutCount).register(registry);
        }
        FunctionCounter.builder(Meters.POOL_LEAKS, leaks, AtomicLong::get).register(registry);
        FunctionCounter.builder(Meters.POOL_EVICTED, evicted, AtomicLong::get).register(registry);
        for (Connectivity state : Connectivity.values()) {
            Gauge.builder(Meters.BACKEND_CONNECTIVITY, connectivity, m -> m.current() == state ? 1 : 0)
                    .tag(Meters.STATE, SluiceMetrics.tag(state)).register(registry);
        }
        connectivity.addListener(t -> metrics.transition("backend", t.to()));
        for (Connectivity state : Connectivity.values()) {
            // registered at zero so that the series exist on /q/metrics before the first transition
            metrics.registry().counter(Meters.STATE_TRANSITIONS, Meters.MACHINE, "backend", Meters.STATE, SluiceMetrics.tag(state));
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (connectivity.current() != Connectivity.CLOSED && connectivity.current() != Connectivity.CLOSING) {
            connectivity.moveTo(Connectivity.CLOSING, "shutdown");
        }
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
        connectivity.moveTo(Connectivity.CLOSED, "shutdown");
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
        return postgres;
    }

    /**
     * An online backup of the SQLite database into {@code target}, a file that must not exist: {@code VACUUM
     * INTO} writes a consistent, compacted snapshot while clients go on reading and writing. It runs on a
     * connection of the server's own — client connections cannot attach a file at all — and never takes a
     * pool lease. The caller decides where {@code target} may be.
     */
    public void backupSqliteTo(java.nio.file.Path target) throws SQLException {
        if (postgres) {
            throw new SQLException("an online backup by the server exists only on SQLite", "0A000");
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl(), jdbcProperties());
                java.sql.PreparedStatement vacuum = c.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, target.toString());
            vacuum.execute();
        }
    }

    public StateMachine<Connectivity> connectivity() {
        return connectivity;
    }

    /**
     * Leases a connection for a stream: from the pool (waiting at most the acquire timeout) or, when the
     * pool feature does not apply, a direct connection of its own.
     */
    public Lease lease(long streamId, Features features) throws BackendUnavailableException {
        return lease(streamId, features, false);
    }

    /**
     * {@link #lease(long, Features)} for a stream whose token is read-only or not. On SQLite a read-only
     * stream gets a connection opened read-only, from the read-only pool or, on the direct path, of its own.
     */
    public Lease lease(long streamId, Features features, boolean readOnly) throws BackendUnavailableException {
        Connection c;
        // the wait histogram is detailed monitoring: a Micrometer histogram costs more than the rest of a lease
        boolean timed = features.pool() && features.detailedMonitoring() && !metrics.muted();
        long asked = timed ? System.nanoTime() : 0;
        boolean readOnlyConnection = readOnly && readOnlySource != null;
        try {
            if (features.pool()) {
                c = readOnlyConnection ? readOnlySource.getConnection() : dataSource.getConnection();
            } else {
                c = openDirectCapped(streamId, readOnlyConnection);
            }
        } catch (SQLException e) {
            if (timed) {
                acquireWait.record(System.nanoTime() - asked, TimeUnit.NANOSECONDS);
            }
            FailureClass failure = SqlErrors.classify(e);
            if (features.pool() && failure == FailureClass.SATURATION) {
                // every connection was leased and none came back in time: the database is answering them
                timeouts.incrementAndGet();
                onDegraded("pool saturated: acquisition timeout");
                LOG.debugf("connection lease timed out for stream %s: pool saturated", Long.toHexString(streamId));
                throw new BackendUnavailableException("No database connection available within "
                        + dataSource.getConfiguration().connectionPoolConfiguration().acquisitionTimeout().toMillis()
                        + " ms: every connection is busy", e, FailureClass.SATURATION);
            }
            onConnectionFailure("connect failed, " + SqlErrors.describe(e));
            LOG.debugf("connection lease failed, %s", SqlErrors.describe(e));
            throw new BackendUnavailableException("The database is unreachable", e, FailureClass.CONNECTION);
        }
        long now = System.nanoTime();
        if (timed) {
            acquireWait.record(now - asked, TimeUnit.NANOSECONDS);
        }
        Lease lease = new Lease(leaseIds.incrementAndGet(), streamId, c, features.pool(), features.stateMachine(), clock, now);
        leases.add(lease);
        onConnected("lease succeeded", now);
        return lease;
    }

    /**
     * Opens the stream's SQL session over a lease, governed by the statement timeout and registry.
     *
     * @param principal who runs the statements, for the operator's view
     */
    public SqlSession openSession(Lease lease, boolean readOnly, String principal) throws StatementException {
        SqlSession session = dialect.open(lease.connection(), readOnly);
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
                lease.onConnectionFailure(cause);
            }
            onConnectionFailure("statement failed: " + cause);
        }
        return c;
    }

    /** True when every pooled connection is leased or requests wait for one: new work queues. */
    public boolean saturated() {
        return saturated(dataSource.getMetrics(), dataSource.getConfiguration().connectionPoolConfiguration().maxSize());
    }

    private static boolean saturated(AgroalDataSourceMetrics m, int maxSize) {
        return m.awaitingCount() > 0 || m.activeCount() >= maxSize;
    }

    /** True once the backend has been prepared at start. */
    public boolean isStarted() {
        return dataSource != null;
    }

    /** When a lease last succeeded ({@link System#nanoTime()}, to the millisecond), 0 if never. */
    public long lastSuccessNanos() {
        return lastSuccessNanos;
    }

    /** Since when (epoch ms) the backend has been failing, 0 while it is fine. */
    public long failingSinceMillis() {
        return failingSinceMillis;
    }

    /**
     * Actively checks the database with a connection of its own (not the pool's, so an exhausted pool does
     * not look like a dead database): opens it and asks it whether it is valid.
     */
    public boolean probe(Duration timeout) {
        try (Connection c = openProbe(timeout)) {
            boolean ok = c.isValid((int) Math.max(1, timeout.toSeconds()));
            if (ok) {
                onConnected("health probe succeeded");
            }
            return ok;
        } catch (SQLException e) {
            onConnectionFailure("health probe failed, SQLState " + e.getSQLState());
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
            directOpen.decrementAndGet();
            directCap.release();
            dialect.forgetConnection(c);
        } else if ((!reusable || lease.isBroken()) && c instanceof ConnectionWrapper wrapper) {
            evicted.incrementAndGet();
            wrapper.getHandler().setState(ConnectionHandler.State.FLUSH);
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debugf("returning a connection failed, SQLState %s", e.getSQLState());
        }
    }

    /** Closes a connection of {@link #openReadOnly}. */
    public void closeOwn(Connection c) throws SQLException {
        dialect.forgetConnection(c);
        c.close();
    }

    /** Called by the request path when a statement failed at the connection level. */
    public void onConnectionFailure(String cause) {
        if (failingSinceMillis == 0) {
            failingSinceMillis = clock.millis();
        }
        Connectivity now = connectivity.current();
        if (now == Connectivity.CONNECTED || now == Connectivity.DEGRADED || now == Connectivity.RECONNECTING) {
            connectivity.moveFrom(now, Connectivity.DISCONNECTED, cause);
        }
    }

    private void onDegraded(String cause) {
        connectivity.moveFrom(Connectivity.CONNECTED, Connectivity.DEGRADED, cause);
    }

    private void onConnected(String cause) {
        onConnected(cause, System.nanoTime());
    }

    private void onConnected(String cause, long nowNanos) {
        long last = lastSuccessNanos;
        if (last == 0 || nowNanos - last > SUCCESS_STAMP_NANOS) {
            // a volatile write per lease would fence every lease; readers look at a window of seconds
            lastSuccessNanos = nowNanos;
        }
        if (failingSinceMillis != 0) {
            failingSinceMillis = 0;
        }
        Connectivity now = connectivity.current();
        if (now == Connectivity.CONNECTED) {
            return;
        }
        if (now == Connectivity.DISCONNECTED) {
            connectivity.moveFrom(Connectivity.DISCONNECTED, Connectivity.RECONNECTING, cause);
            now = Connectivity.RECONNECTING;
        }
        if (now == Connectivity.RECONNECTING || now == Connectivity.DEGRADED || now == Connectivity.INITIALIZING) {
            connectivity.moveFrom(now, Connectivity.CONNECTED, cause);
        }
    }

    /**
     * A direct connection, at most {@code maxConnections} of them at once: waits for one to close at most
     * the acquire timeout, then fails as an exhausted pool does.
     */
    private Connection openDirectCapped(long streamId, boolean readOnly) throws SQLException, BackendUnavailableException {
        Duration wait = dataSource.getConfiguration().connectionPoolConfiguration().acquisitionTimeout();
        boolean acquired;
        try {
            acquired = directCap.acquire(wait.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            timeouts.incrementAndGet();
            LOG.debugf("direct connection for stream %s timed out at the connection cap", Long.toHexString(streamId));
            throw directCapTimeout(wait);
        }
        try {
            return openDirect(readOnly);
        } catch (SQLException | RuntimeException e) {
            directCap.release();
            throw e;
        }
    }

    /** Saturation of the direct path (every capped connection busy), answered like an exhausted pool. */
    private static BackendUnavailableException directCapTimeout(Duration wait) {
        return new BackendUnavailableException("No database connection available within " + wait.toMillis()
                + " ms: every direct connection is busy", null, FailureClass.SATURATION);
    }

    private Connection openDirect(boolean readOnly) throws SQLException {
        Properties props = directProperties();
        Connection c = DriverManager.getConnection(jdbcUrl(), readOnly ? readOnlyProperties(props) : props);
        try {
            initialise(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        directOpen.incrementAndGet();
        return c;
    }

    /**
     * A SQLite connection of the caller's own, opened read-only and initialised like every other (for the
     * read fast path); {@code overrides} are driver properties on top of the pool's. The caller gives it
     * back with {@link #closeOwn}.
     */
    public Connection openReadOnly(Map<String, String> overrides) throws SQLException {
        if (postgres) {
            throw new SQLException("read-only connections of their own exist only on SQLite", "0A000");
        }
        Properties props = readOnlyProperties(directProperties());
        props.putAll(overrides);
        Connection c = DriverManager.getConnection(jdbcUrl(), props);
        try {
            dialect.initConnection(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private Connection openProbe(Duration timeout) throws SQLException {
        Properties props = directProperties();
        if (postgres) {
            props.setProperty("connectTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
            props.setProperty("socketTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
        }
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** The backend's JDBC URL (no credentials in it for either backend). */
    public String jdbcUrl() {
        return dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration().jdbcUrl();
    }

    /** The driver properties the pool uses (SQLite pragmas); no credentials. */
    public Properties jdbcProperties() {
        Properties props = new Properties();
        props.putAll(dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration().jdbcProperties());
        return props;
    }

    private Properties directProperties() {
        Properties props = new Properties();
        props.putAll(dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration().jdbcProperties());
        config.database().user().ifPresent(u -> props.setProperty("user", u));
        config.database().password().ifPresent(p -> props.setProperty("password", p));
        return props;
    }

    /** Changes the pool's limits live; existing leases are unaffected, new ones see the new limits at once. */
    public void resize(int minConnections, int maxConnections, Duration acquireTimeout) {
        RuntimeSettings.ConnectionPool.checkLimits(minConnections, maxConnections, acquireTimeout);
        resize(dataSource, minConnections, maxConnections, acquireTimeout);
        if (readOnlySource != null) {
            // read-only streams have a pool of their own with the same limits (its minimum stays 0)
            resize(readOnlySource, 0, maxConnections, acquireTimeout);
        }
        directCap.max(maxConnections);
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
        return status(dataSource, directOpen.get(), timeouts.get(), leaks.get(), evicted.get(), statements.count());
    }

    /** One pool's figures; the counters Sluice keeps itself (direct path, timeouts, leaks...) are the caller's. */
    private PoolStatus status(AgroalDataSource source, long direct, long timeouts, long leaks, long evicted, int running) {
        AgroalDataSourceMetrics m = source.getMetrics();
        AgroalConnectionPoolConfiguration pool = source.getConfiguration().connectionPoolConfiguration();
        return new PoolStatus(dialect.name(), connectivity.current().name(), pool.minSize(), pool.maxSize(), pool.acquisitionTimeout(),
                m.activeCount(), m.availableCount(), m.awaitingCount(), direct, Math.max(0, m.maxUsedCount()), // Agroal: Long.MIN_VALUE before the first lease
                m.creationCount(), m.destroyCount(), m.blockingTimeAverage(), m.blockingTimeMax(),
                timeouts, leaks, evicted, saturated(m, pool.maxSize()), running, statements.timeout());
    }

    /** The read-only SQLite pool's figures (read-only streams' leases are not in {@link #status()}); null on PostgreSQL. */
    public PoolStatus readOnlyStatus() {
        AgroalDataSource source = readOnlySource;
        return source == null ? null : status(source, 0, 0, 0, 0, 0);
    }

    /** Every open lease, longest-held first. */
    public List<LeaseView> leases() {
        List<Lease> open = new ArrayList<>(leases);
        open.sort(Comparator.comparingLong(Lease::ageNanos).reversed());
        List<LeaseView> out = new ArrayList<>(open.size());
        for (Lease l : open) {
            out.add(new LeaseView(l.id(), Long.toHexString(l.streamId()), l.pooled(),
                    l.state() == null ? "untracked" : l.state().name(), Duration.ofNanos(l.ageNanos()), l.statements()));
        }
        return out;
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

    void reportLeaks() {
        long limit = leakLimitNanos;
        for (Lease l : leases) {
            if (l.ageNanos() > limit && l.markLeakReported()) {
                leaks.incrementAndGet();
                LOG.warnf("possible connection leak: lease %d held by stream %s for %d ms (%d statements)",
                        l.id(), Long.toHexString(l.streamId()), l.ageNanos() / 1_000_000, l.statements());
            }
        }
    }
}
