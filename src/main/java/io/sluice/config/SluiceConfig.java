package io.sluice.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every {@code sluice.*} property. Environment names: docs/configuration.md; the contract: docs/architecture.md "Configuration". */
@ConfigMapping(prefix = "sluice")
public interface SluiceConfig {

    /** Directory of the embedded SQLite database file {@code sluice.db} ({@code SLUICE_DATA_DIR}); default {@code ./data}. */
    @WithDefault("data")
    Path dataDir();

    Database database();

    /**
     * Whether a migration may run in the {@code prod} profile ({@code PRODUCTION_MIGRATION_APPROVED}); default
     * false. Read by the rollout feature.
     */
    @WithDefault("false")
    boolean productionMigrationApproved();

    Sqlite sqlite();

    Pool pool();

    Auth auth();

    Gateway gateway();

    WebSocket websocket();

    /**
     * Hrana over WebSocket (subprotocols {@code hrana1}..{@code hrana3}) on the data port: per-connection
     * limits. Streams opened over a WebSocket count against the same stream, principal and pool limits as
     * HTTP streams ({@link Gateway}).
     */
    interface WebSocket {
        /** Largest number of open WebSocket connections; one more is refused with 503 {@code SERVER_BUSY}; default 2048. */
        @WithDefault("2048")
        int maxConnections();

        /** Largest number of streams one connection may have open; one more {@code open_stream} fails with {@code STREAMS_EXHAUSTED}; default 128. */
        @WithDefault("128")
        int maxStreamsPerConnection();

        /**
         * Largest number of requests one connection may have outstanding (received, not yet answered); at the
         * limit the server stops reading from the connection until answers go out; default 64.
         */
        @WithDefault("64")
        int maxPendingRequests();

        /**
         * Largest client message in bytes, whether sent as one frame or several; a larger one closes the
         * connection with 1009 (message too big) before more than this is buffered; default 10 MiB.
         */
        @WithDefault("10485760")
        int maxMessageBytes();

        /**
         * A connection that sends no message and has no request outstanding for this long is closed with
         * 1000; default 5 min.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("5m")
        Duration idleTimeout();

        /**
         * A connection whose {@code hello} has not succeeded this long after the upgrade is closed with 1008: a
         * client that has not authenticated holds a connection, and its share of the bytes allowed before a
         * hello, for no longer; default 10 s.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("10s")
        Duration helloTimeout();

        /**
         * How often the server pings each connection; a peer that answers no ping for two intervals is
         * closed. The interval used is at most half of {@code quarkus.http.idle-timeout}, so pings always
         * keep a live connection from being closed as idle by the HTTP layer; default 30 s.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("30s")
        Duration pingInterval();
    }

    Cluster cluster();

    FeatureDefaults features();

    Breaker breaker();

    Admin admin();

    Shutdown shutdown();

    Warmup warmup();

    /** The self-warm-up between start and readiness. */
    interface Warmup {
        /**
         * How long a starting server sends Hrana requests to itself over loopback (read-only statements of a few
         * shapes, JSON and Protobuf, with and without a stream) before its readiness goes UP, so that the JIT has
         * compiled the request path before the load balancer sends traffic ({@code SLUICE_WARMUP_DURATION});
         * {@code 0s} switches it off. Default 0 s in every profile: with the AOT cache a server is ready in about a
         * second and as fast 10 s after start without it. The warm-up counts in no metric; requests that reach the
         * port directly during it are served but not counted either.
         */
        @WithDefault("0s")
        Duration duration();
    }

    /** What happens between SIGTERM and exit (the graceful drain). */
    interface Shutdown {
        /**
         * How long streams in flight may go on after SIGTERM (an open transaction can still COMMIT) before
         * the rest are rolled back and closed ({@code SLUICE_SHUTDOWN_GRACE}); default 20 s. The Helm chart
         * derives it from {@code terminationGracePeriodSeconds} minus the {@code preStop} delay and a
         * margin for stopping, so Kubernetes never kills a replica that is still draining.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("20s")
        Duration grace();
    }

    /** The admin API under {@code /admin/v1}. */
    interface Admin {
        /**
         * Bearer token for the admin API ({@code SLUICE_ADMIN_TOKEN}). Without one the admin API is open in
         * dev and test and refuses every request in prod.
         */
        Optional<String> token();

        /**
         * The only directory online SQLite backups ({@code maint:backup-data}) are written to, on the
         * server ({@code SLUICE_ADMIN_BACKUP_DIR}); default {@code <data-dir>/backups}. A backup names a file
         * in it, never a path.
         */
        Optional<Path> backupDir();

        /**
         * Failed admin credentials (console log-ins, refused admin API bearer tokens) one client address may send a
         * minute, in a burst of as many, before it gets 429 with {@code Retry-After}; default 10.
         */
        @WithDefault("10")
        int authFailuresPerMinute();
    }

    Flags flags();

    Monitoring monitoring();

    Rollout rollout();

    /** The phased migration to the enterprise layer ({@code sluice migrate}); a request may override the plan's figures. */
    interface Rollout {
        /** How long each step soaks before its health check; default 5 min. */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("5m")
        Duration soak();

        /** The canary phase's rollout percentage for pool, state machine and breaker, 1..100; default 10. */
        @WithDefault("10")
        int canaryPercent();

        /** The gradual phase's rollout percentages, ascending, each 1..100; default 25,50,75,100. */
        @WithDefault("25,50,75,100")
        List<Integer> gradualSteps();

        /**
         * Whether a migration needs {@link SluiceConfig#productionMigrationApproved()}; default false, true in the
         * {@code prod} profile.
         */
        @WithDefault("false")
        boolean requireApproval();

        /**
         * A running migration whose driving replica has not written its heartbeat for this long is taken over
         * by another replica (or by this one after a restart) and resumed; default 30 s.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("30s")
        Duration takeoverAfter();

        /** Events kept in the migration's history; default 100. */
        @WithDefault("100")
        int historySize();
    }

    Logs logs();

    /** Recent log records kept in memory for {@code debug:logs} ({@code GET /admin/v1/logs}). */
    interface Logs {
        /**
         * How many of the most recent log records the in-memory ring keeps, oldest overwritten first
         * ({@code SLUICE_LOGS_RING_SIZE}); default 2000, at least 1.
         */
        @WithDefault("2000")
        int ringSize();
    }

    /**
     * Where flags, the killswitch, the audit log and runtime settings are kept, and the flags' starting
     * rollouts. The store's content overrides {@link #features()} and {@link Flags#rollout()}.
     */
    interface Flags {
        /**
         * {@code file}, {@code kubernetes} or {@code none} ({@code SLUICE_FLAGS_STORE}). Unset: {@code kubernetes}
         * when running in a cluster ({@code KUBERNETES_SERVICE_HOST} is set), else {@code file}.
         */
        Optional<StoreKind> store();

        /** The file store's directory, laid out as a mounted ConfigMap ({@code SLUICE_FLAGS_DIR}); default {@code <data-dir>/flags}. */
        Optional<Path> dir();

        /** The Kubernetes store's ConfigMap name ({@code SLUICE_FLAGS_CONFIGMAP}); default {@code sluice-flags}. */
        @WithDefault("sluice-flags")
        String configmap();

        /** The ConfigMap's namespace; default the client's (the pod's own namespace in a cluster). */
        Optional<String> namespace();

        /** How often the file store is re-read, and the Kubernetes store is resynchronised ×30; default 1 s. */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("1s")
        Duration pollInterval();

        /** Audit entries kept in the store, oldest dropped first; default 200. */
        @WithDefault("200")
        int auditSize();

        /**
         * The file store's durable audit history: every audit entry, appended to this JSON-lines file and
         * rotated by size, beyond the {@link #auditSize()} entries the store keeps ({@code SLUICE_FLAGS_AUDIT_LOG});
         * default {@code <flags-dir>-audit.jsonl}, next to the store. The Kubernetes store keeps no file: its
         * history beyond the ConfigMap is the {@code io.sluice.audit} log lines.
         */
        Optional<Path> auditLog();

        /** Size in bytes at which the audit history file is rotated; default 1048576 (1 MiB). */
        @WithDefault("1048576")
        long auditLogFileBytes();

        /** Audit history files kept, the live one included (the oldest rotated one is dropped); default 10. */
        @WithDefault("10")
        int auditLogFiles();

        /** How many times a write that lost an optimistic-concurrency race is retried; default 5. */
        @WithDefault("5")
        int writeRetries();

        /**
         * The flag store counts as stale when its last good read is older than this, or its last read
         * failed; default 2 min. Readiness reports it.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("2m")
        Duration staleAfter();

        /**
         * Whether a stale store makes the replica unready; default false: the replica keeps deciding with
         * its last good flags, and taking every replica out of service for a bad ConfigMap edit would turn
         * a bad edit into an outage.
         */
        @WithDefault("false")
        boolean staleMeansUnready();

        /** Starting rollout percentages ({@code ROLLOUT_ENABLE_*}), 0..100; default 100 each. */
        Rollouts rollout();

        interface Rollouts {
            @WithDefault("100")
            int connectionPool();

            @WithDefault("100")
            int stateMachine();

            @WithDefault("100")
            int circuitBreaker();

            @WithDefault("100")
            int enterpriseMonitoring();

            @WithDefault("100")
            int detailedLogging();
        }

        enum StoreKind {
            FILE, KUBERNETES, NONE
        }
    }

    /** Thresholds the health score and alerts use; all can be changed at runtime. */
    interface Monitoring {
        /** A health score (0..100) below this marks the deployment unhealthy; default 85. */
        @WithDefault("85")
        int healthScoreThreshold();

        /** p95 statement latency (ms) over the last minute above which the health score loses points; default 100. */
        @WithDefault("100")
        long latencyThresholdMs();

        /** Statement error rate (0..1) over the last minute at or above which the deployment is unhealthy; default 0.01 (the seed's 1 %). */
        @WithDefault("0.01")
        double errorRateThreshold();
    }

    /** The circuit breaker's start-up settings; all three can be changed later without a restart. */
    interface Breaker {
        /**
         * How many connection-level failures in a row open the breaker ({@code CB_FAILURE_THRESHOLD});
         * default 5, at least 1.
         */
        @WithDefault("5")
        int failureThreshold();

        /**
         * How long the breaker stays open before it lets probe calls through ({@code CB_RECOVERY_TIMEOUT}, ms);
         * default 30 s, at least 1 ms.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("30s")
        Duration recoveryTimeout();

        /**
         * How many probe calls a half-open breaker lets through, all of which must succeed to close it;
         * default 1: the first request after the recovery timeout is the probe, and its success ends the
         * outage for everyone.
         */
        @WithDefault("1")
        int successThreshold();
    }

    /** An external backend database; unset = embedded SQLite. */
    interface Database {
        /** JDBC URL of a PostgreSQL-wire database ({@code SLUICE_DATABASE_URL}), e.g. {@code jdbc:postgresql://db:5432/app}. */
        Optional<String> url();

        /** Database user ({@code SLUICE_DATABASE_USER}). */
        Optional<String> user();

        /** Database password ({@code SLUICE_DATABASE_PASSWORD}); never logged or exported. */
        Optional<String> password();

        /**
         * Lets Sluice serve through a PostgreSQL role that is a superuser or a member of
         * {@code pg_read_server_files}, {@code pg_write_server_files} or {@code pg_execute_server_program}
         * ({@code SLUICE_DATABASE_ALLOW_PRIVILEGED_ROLE}). Such a role lets SQL reach the server's files and
         * programs; in the {@code prod} profile Sluice refuses to start with one unless this is true
         * (elsewhere it warns). Default false.
         */
        @WithDefault("false")
        boolean allowPrivilegedRole();

        /**
         * PostgreSQL: whether write transactions ({@code BEGIN IMMEDIATE|EXCLUSIVE}, write batches) wait for
         * Sluice's writer lock before taking their snapshot, one at a time per database as on SQLite
         * ({@code SLUICE_DATABASE_WRITE_LOCK}). Off (default): they run side by side at REPEATABLE READ, and
         * the later of two that change the same row fails with {@code SQLITE_BUSY} (retry the transaction).
         * On: no two of them ever conflict, at the price of running one at a time (docs/concurrency.md).
         */
        @WithDefault("false")
        boolean writeLock();

        /**
         * PostgreSQL: between which leases a connection's session is reset ({@code SLUICE_DATABASE_SESSION_RESET}).
         * {@code stream} (default): every stream gets the session a new connection has, whatever an earlier
         * stream set, prepared, locked or listened to. {@code principal}: only a stream of another principal, or of
         * the same principal with other access (read-only or read-write), does; one principal's streams may see
         * what its earlier streams left in the session, as clients of one PgBouncer pool in transaction mode do
         * (docs/security.md).
         */
        @WithDefault("stream")
        SessionReset sessionReset();

        /** Between which leases a PostgreSQL session is reset. */
        enum SessionReset {
            /** Before every stream's first statement. */
            STREAM,
            /** Before the first statement of a stream of another principal or access. */
            PRINCIPAL
        }
    }

    /** Embedded SQLite tuning. */
    interface Sqlite {
        /** How long (ms) a writer waits for SQLite's write lock before failing with SQLITE_BUSY; default 5000. */
        @WithDefault("5000")
        int busyTimeoutMs();

        /**
         * Whether writers are admitted one at a time, in arrival order, through the write lane
         * ({@link io.sluice.sql.WriteLane}): a write transaction or autocommit write waits its turn instead of
         * polling SQLite's lock; default true. Off: every writer polls SQLite's lock (busy timeout).
         */
        @WithDefault("true")
        boolean writeLane();

        /**
         * How long a writer waits for its turn in the write lane before failing with {@code SQLITE_BUSY}
         * (retryable); counted within the statement timeout; default 5s.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("5s")
        Duration writeWait();

        /** SQLite {@code synchronous} pragma: FULL (default; no committed write is lost on power failure) or NORMAL. */
        @WithDefault("FULL")
        Synchronous synchronous();

        enum Synchronous {
            FULL, NORMAL
        }
    }

    /** The backend connection pool. */
    interface Pool {
        /** Largest number of backend connections ({@code DB_MAX_CONNECTIONS}); default 5. */
        @WithDefault("5")
        int maxConnections();

        /** Connections kept open when idle; default 1. */
        @WithDefault("1")
        int minConnections();

        /** How long a stream waits for a connection before failing with 503 ({@code DB_ACQUIRE_TIMEOUT}, ms); default 5 s. */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("5s")
        Duration acquireTimeout();

        /** A lease held longer than this is reported as a possible leak (logged once, counted); default 60 s. */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("60s")
        Duration leakTimeout();

        /** How often idle pooled connections are validated and leases checked for leaks; default 30 s. */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("30s")
        Duration validationInterval();
    }

    /** Authentication of the data API. */
    interface Auth {
        /** {@code jwt} (default) or {@code none}. {@code none} in the prod profile logs a warning at start. */
        @WithDefault("jwt")
        Mode mode();

        /** Ed25519 public keys (PEM, or base64url of the raw 32 bytes) that may sign tokens; comma-separated. */
        Optional<List<String>> jwtPublicKeys();

        enum Mode {
            JWT, NONE
        }
    }

    /** The Hrana endpoints: streams, batons and limits. */
    interface Gateway {
        /** HMAC key for batons, shared by all replicas ({@code SLUICE_BATON_KEY}); random per process when unset. */
        Optional<String> batonKey();

        /** A stream idle this long is closed and its transaction rolled back; default 10 s. */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("10s")
        Duration streamIdleTimeout();

        /** Largest number of open streams; opening one more fails with 503; default 1000. */
        @WithDefault("1000")
        int maxStreams();

        /**
         * Largest number of open streams one principal may hold (a token's subject, else the token; with
         * authentication off, a caller naming itself with {@code x-sluice-client}); one more gets 429
         * {@code PRINCIPAL_STREAMS_EXHAUSTED}. Default 0: automatic, half of {@link #maxStreams()} (at
         * least 1).
         */
        @WithDefault("0")
        int maxStreamsPerPrincipal();

        /**
         * Largest number of backend connections the streams of one principal may hold at once, on the pool
         * and the direct path alike; a stream that needs one more waits for one of the principal's own to
         * end, at most the acquire timeout, then gets 429 {@code PRINCIPAL_LEASES_EXHAUSTED}. Default 0:
         * automatic, {@code maxConnections - 1} (at least 1), so another principal always finds a connection.
         */
        @WithDefault("0")
        int maxLeasesPerPrincipal();

        /** Largest accepted request body in bytes; larger bodies get 413; default 10 MiB. */
        @WithDefault("10485760")
        int maxRequestBytes();

        /**
         * Largest pipeline response in bytes; a statement that would exceed it fails with RESPONSE_TOO_LARGE; default 10 MiB.
         * It also bounds every single value: SQLite's length limit ({@code SQLITE_LIMIT_LENGTH}) and pgjdbc's
         * {@code maxResultBuffer} are set from it on every connection.
         */
        @WithDefault("10485760")
        long maxResponseBytes();

        /**
         * Request-body bytes all authenticated requests together may hold in memory while they are read and
         * handled, over HTTP and WebSocket; an HTTP request that would go past it is answered 503 with
         * {@code Retry-After} before its body is read, a WebSocket connection is closed with 1013. A request
         * without {@code Content-Length} counts as {@code max-request-bytes}. Default 16 MiB: a body is held
         * several times over while it is parsed and bound (bytes, parsed text, the driver's copy), so this is
         * what keeps hostile bodies within a 256 MiB heap beside the responses.
         */
        @WithDefault("16777216")
        long maxBufferedRequestBytes();

        /**
         * How long a request body may take, plus one second for every {@link #requestBodyMinRate()} bytes of it that
         * have arrived: a body not whole by then is refused with 408 {@code REQUEST_TIMEOUT} at its next piece and
         * its connection closed, so a client that trickles its body cannot hold a connection and its share of the
         * body budget; default 10 s. A body that stops altogether is closed by {@code quarkus.http.idle-timeout}.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("10s")
        Duration requestBodyTimeout();

        /** The bytes of a request body that buy it one more second beyond {@link #requestBodyTimeout()}: its slowest pace; default 16 KiB. */
        @WithDefault("16384")
        int requestBodyMinRate();

        /**
         * Answer stream-less read pipelines on embedded SQLite directly on the I/O thread (the read fast
         * path); default on. Has no effect on PostgreSQL.
         */
        @WithDefault("true")
        boolean inlineReads();

        /** Longest a fast-path read may run before it is handed to a worker instead; default 2 ms. */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("2ms")
        Duration inlineReadBudget();

        /**
         * Longest a statement may run on any path before Sluice stops it and answers
         * {@code STATEMENT_TIMEOUT}; live-tunable as {@code gateway.statementTimeout}; default 30 s.
         */
        @WithConverter(ConfigDurationConverter.class)
        @WithDefault("30s")
        Duration statementTimeout();

        /** Largest number of SQL texts one stream may store with {@code store_sql}; default 50, as the reference server. */
        @WithDefault("50")
        int maxStoredSql();
    }

    /** Which enterprise features apply, before flags and rollouts refine it ({@code FEATURE_ENABLE_*}). */
    interface FeatureDefaults {
        /** Pooled leases (off = a direct connection per stream, the legacy path); default on. */
        @WithDefault("true")
        boolean connectionPool();

        /** Lease tracking through the state machine; default on. */
        @WithDefault("true")
        boolean stateMachine();

        /** The circuit breaker around acquisition and execution; default on. */
        @WithDefault("true")
        boolean circuitBreaker();

        /** Detailed per-statement metrics; default on. */
        @WithDefault("true")
        boolean enterpriseMonitoring();

        /** Per-statement debug logging with literals redacted; default off. */
        @WithDefault("false")
        boolean detailedLogging();
    }

    /** Multi-replica settings. */
    interface Cluster {
        /** This replica's URL as other replicas reach it ({@code SLUICE_ADVERTISE_URL}); written into batons. */
        Optional<String> advertiseUrl();

        /**
         * Which track this replica serves ({@code SLUICE_TRACK}): {@code stable} or {@code canary}; default
         * stable. Every metric carries it (with the version), so a canary is compared with stable.
         */
        @WithDefault("stable")
        Track track();

        /** The release track of a replica. */
        enum Track {
            STABLE, CANARY
        }
    }
}
