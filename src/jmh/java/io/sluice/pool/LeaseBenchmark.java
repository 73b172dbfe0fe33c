package io.sluice.pool;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.SluiceMetrics;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One connection lease and release, single-threaded against an uncontended pool: raw Agroal
 * {@code getConnection()}/{@code close()} next to the real {@link Backend#lease}/{@link Backend#release}
 * on the same pool (everything on: pool, lease state machine, lease registry, connectivity bookkeeping).
 * The difference is what the pool manager adds per stream.
 *
 * <p>The Agroal pool is built directly with the settings {@code application.properties} gives the SQLite
 * data source (max 5, WAL, synchronous FULL, busy timeout 5 s, no transaction integration) and a file in a
 * temporary directory; {@link Backend#onStart} then enables pool metrics and sets min 1 as it does in the
 * server, so both benchmarks see the same pool. {@code Backend} is a CDI bean: here it is built through its
 * package-private constructor with a configuration stub, a plain meter registry and the pool above.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeaseBenchmark {
    private static final LeasePolicy STATE_MACHINE_OFF = new LeasePolicy(true, false, true);
    private static final LeasePolicy DETAILED_MONITORING_OFF = new LeasePolicy(true, true, false);

    private Path dir;
    private AgroalDataSource pool;
    private Backend backend;
    private long streamId;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("sluice-jmh-lease");
        pool = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(p -> p
                        .maxSize(5)
                        .minSize(0)
                        .acquisitionTimeout(Duration.ofSeconds(5))
                        .connectionFactoryConfiguration(f -> f
                                .jdbcUrl("jdbc:sqlite:" + dir.resolve("sluice.db"))
                                .jdbcProperty("journal_mode", "WAL")
                                .jdbcProperty("synchronous", "FULL")
                                .jdbcProperty("busy_timeout", "5000")
                                .jdbcProperty("foreign_keys", "true"))));
        backend = new Backend(config(dir), metrics(), instance(pool), instance(null));
        backend.onStart(new StartupEvent());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        backend.onStop(new ShutdownEvent());
        pool.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Raw Agroal: take a pooled connection and give it back. */
    @Benchmark
    public void rawAgroal(Blackhole bh) throws SQLException {
        Connection c = pool.getConnection();
        bh.consume(c);
        c.close();
    }

    /**
     * Raw Agroal with the two clock reads a lease timed for the acquire-wait histogram takes around
     * {@code getConnection()}: the floor of {@link #poolManager}, whose wait is measured exactly per lease.
     */
    @Benchmark
    public void rawAgroalTimed(Blackhole bh) throws SQLException {
        long asked = System.nanoTime();
        Connection c = pool.getConnection();
        bh.consume(System.nanoTime() - asked);
        bh.consume(c);
        c.close();
    }

    /** Sluice's pool manager with every feature on: {@code Backend.lease} + {@code Backend.release}. */
    @Benchmark
    public void poolManager(Blackhole bh) throws BackendUnavailableException {
        Lease lease = backend.lease(++streamId, LeasePolicy.ALL);
        bh.consume(lease);
        backend.release(lease, true);
    }

    /** The pool manager without the lease state machine, to show what the state machine costs. */
    @Benchmark
    public void poolManagerWithoutStateMachine(Blackhole bh) throws BackendUnavailableException {
        Lease lease = backend.lease(++streamId, STATE_MACHINE_OFF);
        bh.consume(lease);
        backend.release(lease, true);
    }

    /**
     * The pool manager with the state machine on and detailed monitoring off: no acquire-wait histogram, so one
     * clock read per lease instead of two.
     */
    @Benchmark
    public void poolManagerWithoutDetailedMonitoring(Blackhole bh) throws BackendUnavailableException {
        Lease lease = backend.lease(++streamId, DETAILED_MONITORING_OFF);
        bh.consume(lease);
        backend.release(lease, true);
    }

    // ---- the few collaborators Backend needs, without a CDI container -------------------------------

    /** The settings Backend reads, with their defaults; anything else fails loudly so a new read is noticed. */
    private static SluiceConfig config(Path dataDir) {
        SluiceConfig.Database database = stub(SluiceConfig.Database.class, (p, m, a) -> switch (m.getName()) {
            case "url", "user", "password" -> Optional.empty();
            default -> unsupported(m.getName());
        });
        SluiceConfig.Pool poolConfig = stub(SluiceConfig.Pool.class, (p, m, a) -> switch (m.getName()) {
            case "minConnections" -> 1;
            case "maxConnections" -> 5;
            case "acquireTimeout" -> Duration.ofSeconds(5);
            case "leakTimeout" -> Duration.ofSeconds(60);
            case "validationInterval" -> Duration.ofSeconds(30);
            default -> unsupported(m.getName());
        });
        SluiceConfig.Sqlite sqlite = stub(SluiceConfig.Sqlite.class, (p, m, a) -> switch (m.getName()) {
            case "writeLane" -> true;
            case "writeWait" -> Duration.ofSeconds(5);
            default -> unsupported(m.getName());
        });
        SluiceConfig.Gateway gateway = stub(SluiceConfig.Gateway.class, (p, m, a) -> switch (m.getName()) {
            case "statementTimeout" -> Duration.ofSeconds(30);
            default -> unsupported(m.getName());
        });
        return stub(SluiceConfig.class, (p, m, a) -> switch (m.getName()) {
            case "dataDir" -> dataDir;
            case "gateway" -> gateway;
            case "database" -> database;
            case "pool" -> poolConfig;
            case "sqlite" -> sqlite;
            default -> unsupported(m.getName());
        });
    }

    private static SluiceMetrics metrics() throws ReflectiveOperationException {
        // package-private constructor: the container normally calls it
        Constructor<SluiceMetrics> c = SluiceMetrics.class.getDeclaredConstructor(MeterRegistry.class);
        c.setAccessible(true);
        return c.newInstance(new SimpleMeterRegistry());
    }

    @SuppressWarnings("unchecked")
    private static InjectableInstance<AgroalDataSource> instance(AgroalDataSource ds) {
        return stub(InjectableInstance.class, (p, m, a) -> switch (m.getName()) {
            case "get" -> ds;
            case "isResolvable" -> ds != null;
            default -> unsupported(m.getName());
        });
    }

    private static <T> T stub(Class<T> type, InvocationHandler answers) {
        InvocationHandler h = (proxy, method, args) -> switch (method.getName()) {
            case "toString" -> type.getSimpleName() + " stub";
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> answers.invoke(proxy, method, args);
        };
        return type.cast(Proxy.newProxyInstance(LeaseBenchmark.class.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static Object unsupported(String method) {
        throw new UnsupportedOperationException("the benchmark's stub does not provide " + method + "()");
    }
}
