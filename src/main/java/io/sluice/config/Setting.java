package io.sluice.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * One declaration per setting: the table every other view of a setting is derived from or checked
 * against (as Keycloak's option tables are). A declaration names the {@code sluice.*} property, its
 * environment names, type, default, bounds, unit, whether it can change live (a runtime setting,
 * addressed as {@code <component>.<key>}) and whether it is a secret. From it come the parsing and
 * validation of runtime updates ({@link RuntimeSettings}), the start-up validation of the same bounds,
 * the redacted export ({@link SettingsExport}), the bounds features enforce, and the reference table in
 * {@code docs/configuration.md} and the Helm chart's schema bounds, which a test checks.
 *
 * <p>The {@link SluiceConfig} mapping still binds each property (SmallRye needs an interface per group);
 * a test checks that its defaults equal the ones declared here.
 *
 * @param <T> the value's Java type: {@link Integer}, {@link Long} (milliseconds for {@link Type#MILLIS}),
 *        {@link Double}, {@link Duration} or {@link String}
 */
public final class Setting<T> {

    /** How a value is written and read. */
    public enum Type {
        /** A whole number within {@code min..max}. */
        INTEGER("a whole number"),
        /** A duration in the syntax of {@link Durations}, within {@code min..max} milliseconds. */
        DURATION(Durations.SYNTAX),
        /** A duration held as whole milliseconds (a key whose name says {@code Ms}); parsed as {@link #DURATION}. */
        MILLIS(Durations.SYNTAX),
        /** A fraction between 0 and 1. */
        FRACTION("a number between 0 and 1"),
        /** Free text (URLs, names, keys). */
        TEXT("text");

        private final String expected;

        Type(String expected) {
            this.expected = expected;
        }
    }

    // ---- connectionPool -----------------------------------------------------------------------------

    public static final Setting<Integer> POOL_MAX_CONNECTIONS = new Setting<>("connectionPool.maxConnections", "sluice.pool.max-connections",
            List.of("DB_MAX_CONNECTIONS"), Type.INTEGER, "5", 1, 10_000, "connections", true, false, "pool.maxConnections",
            "largest number of backend connections", c -> c.pool().maxConnections());
    public static final Setting<Integer> POOL_MIN_CONNECTIONS = new Setting<>("connectionPool.minConnections", "sluice.pool.min-connections",
            List.of(), Type.INTEGER, "1", 0, 10_000, "connections", true, false, null,
            "connections kept open when idle; at most `maxConnections`", c -> c.pool().minConnections());
    public static final Setting<Duration> POOL_ACQUIRE_TIMEOUT = new Setting<>("connectionPool.acquireTimeout", "sluice.pool.acquire-timeout",
            List.of("DB_ACQUIRE_TIMEOUT"), Type.DURATION, "5s", 1, 600_000, null, true, false, "pool.acquireTimeoutMs",
            "how long a stream waits for a connection before failing with 503", c -> c.pool().acquireTimeout());
    public static final Setting<Duration> POOL_LEAK_TIMEOUT = new Setting<>("connectionPool.leakTimeout", "sluice.pool.leak-timeout",
            List.of(), Type.DURATION, "60s", 100, 86_400_000, null, true, false, null,
            "a lease held longer is reported as a possible leak (logged once, counted)", c -> c.pool().leakTimeout());
    public static final Setting<Duration> POOL_VALIDATION_INTERVAL = new Setting<>("connectionPool.validationInterval",
            "sluice.pool.validation-interval", List.of(), Type.DURATION, "30s", 1_000, 86_400_000, null, true, false, null,
            "how often idle pooled connections are validated and leases checked for leaks", c -> c.pool().validationInterval());

    // ---- circuitBreaker -----------------------------------------------------------------------------

    public static final Setting<Integer> BREAKER_FAILURE_THRESHOLD = new Setting<>("circuitBreaker.failureThreshold",
            "sluice.breaker.failure-threshold", List.of("CB_FAILURE_THRESHOLD"), Type.INTEGER, "5", 1, 10_000, "failures", true, false,
            "breaker.failureThreshold", "connection-level failures in a row that open the breaker", c -> c.breaker().failureThreshold());
    public static final Setting<Duration> BREAKER_RECOVERY_TIMEOUT = new Setting<>("circuitBreaker.recoveryTimeout",
            "sluice.breaker.recovery-timeout", List.of("CB_RECOVERY_TIMEOUT"), Type.DURATION, "30s", 1, 3_600_000, null, true, false,
            "breaker.recoveryTimeoutMs", "how long the breaker stays open before it lets a probe through", c -> c.breaker().recoveryTimeout());
    public static final Setting<Integer> BREAKER_SUCCESS_THRESHOLD = new Setting<>("circuitBreaker.successThreshold",
            "sluice.breaker.success-threshold", List.of(), Type.INTEGER, "1", 1, 1_000, "probes", true, false, null,
            "probe calls a half-open breaker lets through, all of which must succeed to close it", c -> c.breaker().successThreshold());

    // ---- gateway ------------------------------------------------------------------------------------

    public static final Setting<Duration> GATEWAY_STREAM_IDLE_TIMEOUT = new Setting<>("gateway.streamIdleTimeout",
            "sluice.gateway.stream-idle-timeout", List.of(), Type.DURATION, "10s", 1_000, 86_400_000, null, true, false, null,
            "a stream idle this long is closed and its transaction rolled back", c -> c.gateway().streamIdleTimeout());
    public static final Setting<Integer> GATEWAY_MAX_STREAMS = new Setting<>("gateway.maxStreams", "sluice.gateway.max-streams",
            List.of(), Type.INTEGER, "1000", 1, 1_000_000, "streams", true, false, null,
            "open streams; one more fails with 503 `STREAMS_EXHAUSTED`", c -> c.gateway().maxStreams());
    public static final Setting<Integer> GATEWAY_MAX_REQUEST_BYTES = new Setting<>("gateway.maxRequestBytes",
            "sluice.gateway.max-request-bytes", List.of(), Type.INTEGER, "10485760", 1_024, Integer.MAX_VALUE, "bytes", true, false, null,
            "largest accepted request body; larger bodies get 413", c -> c.gateway().maxRequestBytes());
    public static final Setting<Integer> GATEWAY_MAX_STREAMS_PER_PRINCIPAL = new Setting<>("gateway.maxStreamsPerPrincipal",
            "sluice.gateway.max-streams-per-principal", List.of(), Type.INTEGER, "0", 0, 1_000_000, "streams", true, false, null,
            "one principal's open streams, beyond it 429 `PRINCIPAL_STREAMS_EXHAUSTED`; 0 = half of `maxStreams`",
            c -> c.gateway().maxStreamsPerPrincipal());
    public static final Setting<Integer> GATEWAY_MAX_LEASES_PER_PRINCIPAL = new Setting<>("gateway.maxLeasesPerPrincipal",
            "sluice.gateway.max-leases-per-principal", List.of(), Type.INTEGER, "0", 0, 10_000, "connections", true, false, null,
            "backend connections one principal's streams hold, beyond it 429 `PRINCIPAL_LEASES_EXHAUSTED`; 0 = `maxConnections - 1`",
            c -> c.gateway().maxLeasesPerPrincipal());
    public static final Setting<Duration> GATEWAY_STATEMENT_TIMEOUT = new Setting<>("gateway.statementTimeout",
            "sluice.gateway.statement-timeout", List.of(), Type.DURATION, "30s", 100, 86_400_000, null, true, false, null,
            "a statement running longer is stopped with `STATEMENT_TIMEOUT`", c -> c.gateway().statementTimeout());

    // ---- monitoring ---------------------------------------------------------------------------------

    public static final Setting<Integer> MONITORING_HEALTH_SCORE_THRESHOLD = new Setting<>("monitoring.healthScoreThreshold",
            "sluice.monitoring.health-score-threshold", List.of(), Type.INTEGER, "85", 0, 100, "points", true, false, null,
            "a health score (0..100) below this marks the deployment unhealthy", c -> c.monitoring().healthScoreThreshold());
    public static final Setting<Long> MONITORING_LATENCY_THRESHOLD = new Setting<>("monitoring.latencyThresholdMs",
            "sluice.monitoring.latency-threshold-ms", List.of(), Type.MILLIS, "100", 1, 3_600_000, null, true, false, null,
            "p95 statement latency over the last minute above which the health score loses points (shown in ms)",
            c -> c.monitoring().latencyThresholdMs());
    public static final Setting<Double> MONITORING_ERROR_RATE_THRESHOLD = new Setting<>("monitoring.errorRateThreshold",
            "sluice.monitoring.error-rate-threshold", List.of(), Type.FRACTION, "0.01", 0, 1, null, true, false, null,
            "statement error rate over the last minute at or above which the deployment is unhealthy", c -> c.monitoring().errorRateThreshold());

    // ---- static settings the export shows (secrets redacted) ----------------------------------------

    public static final Setting<String> DATABASE_URL = new Setting<>("database.url", "sluice.database.url", List.of(), Type.TEXT, "",
            0, 0, null, false, false, null, "a `jdbc:postgresql://` URL selects PostgreSQL; unset = embedded SQLite (a password in it is redacted)",
            c -> c.database().url().orElse(""));
    public static final Setting<String> DATABASE_USER = new Setting<>("database.user", "sluice.database.user", List.of(), Type.TEXT, "",
            0, 0, null, false, false, null, "PostgreSQL user", c -> c.database().user().orElse(""));
    public static final Setting<String> DATABASE_PASSWORD = new Setting<>("database.password", "sluice.database.password", List.of(),
            Type.TEXT, "", 0, 0, null, false, true, null, "PostgreSQL password (never logged)", c -> c.database().password().orElse(""));
    public static final Setting<String> GATEWAY_BATON_KEY = new Setting<>("gateway.batonKey", "sluice.gateway.baton-key",
            List.of("SLUICE_BATON_KEY"), Type.TEXT, "", 0, 0, null, false, true, null,
            "HMAC key for batons; share it between replicas (random per process when unset)", c -> c.gateway().batonKey().orElse(""));
    public static final Setting<String> AUTH_MODE = new Setting<>("auth.mode", "sluice.auth.mode", List.of(), Type.TEXT, "jwt", 0, 0,
            null, false, false, null, "`jwt` or `none` (the default under `quarkus:dev` and in tests); a packaged server, whatever its profile, "
                    + "runs open only when `none` is set explicitly (environment, system property, `.env`), never from a profile default",
            c -> c.auth().mode().name().toLowerCase(Locale.ROOT));
    public static final Setting<String> AUTH_JWT_PUBLIC_KEYS = new Setting<>("auth.jwtPublicKeys", "sluice.auth.jwt-public-keys",
            List.of(), Type.TEXT, "", 0, 0, null, false, true, null, "Ed25519 public keys that may sign data API tokens, comma-separated",
            c -> String.join(",", c.auth().jwtPublicKeys().orElse(List.of())));
    public static final Setting<String> ADMIN_TOKEN = new Setting<>("admin.token", "sluice.admin.token", List.of(), Type.TEXT, "", 0, 0,
            null, false, true, null, "bearer token of the admin API (it, or JWT keys for admin-role tokens, required in prod)",
            c -> c.admin().token().orElse(""));
    public static final Setting<Integer> ADMIN_AUTH_FAILURES_PER_MINUTE = new Setting<>("admin.authFailuresPerMinute",
            "sluice.admin.auth-failures-per-minute", List.of(), Type.INTEGER, "10", 1, 10_000, "failures", false, false, null,
            "failed admin credentials (console log-ins, admin API tokens) one client address may send a minute before it gets 429",
            c -> c.admin().authFailuresPerMinute());

    /** Every declared setting: live ones in display order (component by component), then static ones. */
    public static final List<Setting<?>> ALL = List.of(POOL_MAX_CONNECTIONS, POOL_MIN_CONNECTIONS, POOL_ACQUIRE_TIMEOUT, POOL_LEAK_TIMEOUT,
            POOL_VALIDATION_INTERVAL, BREAKER_FAILURE_THRESHOLD, BREAKER_RECOVERY_TIMEOUT, BREAKER_SUCCESS_THRESHOLD,
            GATEWAY_STREAM_IDLE_TIMEOUT, GATEWAY_MAX_STREAMS, GATEWAY_MAX_REQUEST_BYTES, GATEWAY_MAX_STREAMS_PER_PRINCIPAL,
            GATEWAY_MAX_LEASES_PER_PRINCIPAL, GATEWAY_STATEMENT_TIMEOUT, MONITORING_HEALTH_SCORE_THRESHOLD, MONITORING_LATENCY_THRESHOLD,
            MONITORING_ERROR_RATE_THRESHOLD, DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, GATEWAY_BATON_KEY, AUTH_MODE,
            AUTH_JWT_PUBLIC_KEYS, ADMIN_TOKEN, ADMIN_AUTH_FAILURES_PER_MINUTE);

    /** The runtime settings ({@code config:update}), in display order. */
    public static final List<Setting<?>> LIVE = ALL.stream().filter(Setting::live).toList();

    private final String key;
    private final String property;
    private final List<String> envAliases;
    private final Type type;
    private final String defaultValue;
    private final long min;
    private final long max;
    private final String unit;
    private final boolean live;
    private final boolean secret;
    private final String helmValue;
    private final String description;
    private final Function<SluiceConfig, T> startup;

    private Setting(String key, String property, List<String> envAliases, Type type, String defaultValue, long min, long max, String unit,
            boolean live, boolean secret, String helmValue, String description, Function<SluiceConfig, T> startup) {
        this.key = key;
        this.property = property;
        this.envAliases = List.copyOf(envAliases);
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.unit = unit;
        this.live = live;
        this.secret = secret;
        this.helmValue = helmValue;
        this.description = description;
        this.startup = startup;
    }

    /** The declared setting with this key ({@code connectionPool.maxConnections}, {@code database.password}). */
    public static Optional<Setting<?>> byKey(String key) {
        return ALL.stream().filter(s -> s.key.equals(key)).findFirst();
    }

    /** {@code <component>.<key>} for a live setting, e.g. {@code connectionPool.maxConnections}; the export name of a static one. */
    public String key() {
        return key;
    }

    /** The component of a live setting ({@code connectionPool}), {@code static} otherwise. */
    public String component() {
        return live ? key.substring(0, key.indexOf('.')) : "static";
    }

    /** The {@code sluice.*} property, e.g. {@code sluice.pool.max-connections}. */
    public String property() {
        return property;
    }

    /** The environment variable every property has, e.g. {@code SLUICE_POOL_MAX_CONNECTIONS}. */
    public String env() {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Older environment names {@code application.properties} maps onto the property (the seed's
     * {@code DB_MAX_CONNECTIONS}); a duration alias there is whole milliseconds.
     */
    public List<String> envAliases() {
        return envAliases;
    }

    public Type type() {
        return type;
    }

    /** The default as written in configuration, e.g. {@code 5} or {@code 30s}; empty when unset by default. */
    public String defaultValue() {
        return defaultValue;
    }

    /** Smallest accepted value (milliseconds for durations); meaningless for text. */
    public long min() {
        return min;
    }

    /** Largest accepted value (milliseconds for durations). */
    public long max() {
        return max;
    }

    /** What a whole number counts ({@code connections}, {@code bytes}); null for durations, fractions and text. */
    public String unit() {
        return unit;
    }

    /** Whether {@code config:update} can change it without a restart. */
    public boolean live() {
        return live;
    }

    /** Whether it is never shown: exports write {@link SettingsExport#REDACTED} instead. */
    public boolean secret() {
        return secret;
    }

    /** The Helm chart value that feeds it ({@code pool.acquireTimeoutMs}: whole milliseconds), when the chart has one. */
    public Optional<String> helmValue() {
        return Optional.ofNullable(helmValue);
    }

    public String description() {
        return description;
    }

    /** The value configuration gives at start-up. */
    public T startupValue(SluiceConfig config) {
        return startup.apply(config);
    }

    /** What an operator must write, e.g. {@code a whole number between 1 and 10000}. */
    public String expectation() {
        return switch (type) {
            case INTEGER, DURATION, MILLIS -> type.expected + " between " + bound(min) + " and " + bound(max);
            case FRACTION, TEXT -> type.expected;
        };
    }

    /** A bound as written: {@code 1h} for a duration, {@code 10000} otherwise. */
    public String bound(long value) {
        return type == Type.DURATION || type == Type.MILLIS ? Durations.format(Duration.ofMillis(value)) : Long.toString(value);
    }

    /**
     * Parses a runtime value and checks its bounds. Durations take {@link Durations}' syntax, or whole
     * milliseconds (the form exports and the store hold).
     *
     * @throws SettingsException naming {@link #key()}
     */
    @SuppressWarnings("unchecked")
    public T parse(String text) {
        String v = text == null ? "" : text.strip();
        if (v.isEmpty() && type != Type.TEXT) {
            throw invalid(key + " is missing");
        }
        Object value;
        try {
            value = switch (type) {
                case INTEGER -> {
                    long n = Long.parseLong(v);
                    checkRange(n, Long.toString(n));
                    yield (int) n;
                }
                case DURATION, MILLIS -> {
                    Duration d = Durations.parseOrMillis(v);
                    yield type == Type.MILLIS ? d.toMillis() : d;
                }
                case FRACTION -> Double.parseDouble(v);
                case TEXT -> v;
            };
        } catch (NumberFormatException e) {
            throw invalid(key + " must be " + (type == Type.INTEGER ? "a whole number" : type.expected) + " but was '" + v + "'");
        } catch (SettingsException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // Durations' own message: what was given and the syntax expected
            throw invalid(key + ": " + e.getMessage());
        }
        T typed = (T) value;
        check(typed);
        return typed;
    }

    /**
     * Checks a typed value against the declared bounds; features call this instead of keeping bounds of
     * their own.
     *
     * @throws SettingsException (an {@link IllegalArgumentException}) naming {@link #key()}
     */
    public T check(T value) {
        if (value == null) {
            throw invalid(key + " is missing");
        }
        switch (type) {
            case INTEGER -> checkRange(((Number) value).longValue(), value.toString());
            case DURATION -> {
                Duration d = (Duration) value;
                if (d.isNegative() || d.compareTo(Duration.ofMillis(max)) > 0 || d.compareTo(Duration.ofMillis(min)) < 0) {
                    throw invalid(key + " must be between " + bound(min) + " and " + bound(max) + " but was " + describe(d));
                }
            }
            case MILLIS -> checkRange((Long) value, Durations.format(Duration.ofMillis((Long) value)));
            case FRACTION -> {
                double d = (Double) value;
                if (!(d >= 0 && d <= 1)) {
                    throw invalid(key + " must be between 0 and 1 but was " + value);
                }
            }
            case TEXT -> {
            }
        }
        return value;
    }

    private static String describe(Duration d) {
        return d.isNegative() ? d.toString() : Durations.format(d.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                + (d.getNano() % 1_000_000 != 0 ? " (" + d + ")" : "");
    }

    private void checkRange(long n, String shown) {
        if (n < min || n > max) {
            throw invalid(key + " must be between " + bound(min) + " and " + bound(max) + " but was " + shown);
        }
    }

    /** The value as text in the form runtime settings are stored and exported in (durations as whole ms). */
    public String text(Object value) {
        if (value instanceof Duration d) {
            return Long.toString(d.toMillis());
        }
        return String.valueOf(value);
    }

    /**
     * The start-up value, checked against the same bounds as a runtime update.
     *
     * @throws ConfigurationProblem the one-line start-up error naming the property, its environment name, the value and the bounds
     */
    public T checkStartup(SluiceConfig config) {
        T value = startupValue(config);
        try {
            return check(value);
        } catch (SettingsException e) {
            String shown = value instanceof Duration d ? describe(d) : String.valueOf(value);
            throw new ConfigurationProblem(property, shown, expectation()
                    + (envAliases.isEmpty() ? "" : " (" + String.join(", ", envAliases) + ": " + aliasExpectation() + ")"));
        }
    }

    private String aliasExpectation() {
        return type == Type.DURATION || type == Type.MILLIS ? "whole milliseconds, " + min + " to " + max : bound(min) + " to " + bound(max);
    }

    private SettingsException invalid(String message) {
        return new SettingsException(key, message);
    }

    @Override
    public String toString() {
        return key;
    }
}
