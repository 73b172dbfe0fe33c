package io.sluice.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Everything that can change without a restart, as one immutable snapshot (docs/architecture.md
 * "Configuration"). Keys are addressed as {@code <component>.<key>}, e.g. {@code connectionPool.maxConnections};
 * each is declared once in {@link Setting}, whose bounds every record here checks when it is built, so no
 * snapshot exists with a value out of range. Durations are written in {@link Durations}' syntax and
 * stored and exported as whole milliseconds.
 */
public record RuntimeSettings(ConnectionPool connectionPool, CircuitBreaker circuitBreaker, Gateway gateway, Monitoring monitoring) {

    public RuntimeSettings {
        Objects.requireNonNull(connectionPool, "connectionPool");
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(monitoring, "monitoring");
    }

    /** The backend pool: {@code minConnections <= maxConnections}. */
    public record ConnectionPool(int maxConnections, int minConnections, Duration acquireTimeout, Duration leakTimeout,
            Duration validationInterval) {
        public ConnectionPool {
            checkLimits(minConnections, maxConnections, acquireTimeout);
            Setting.POOL_LEAK_TIMEOUT.check(leakTimeout);
            Setting.POOL_VALIDATION_INTERVAL.check(validationInterval);
        }

        /**
         * The pool's size and acquire timeout within their declared bounds, and {@code minConnections <= maxConnections}.
         *
         * @throws SettingsException naming the field
         */
        public static void checkLimits(int minConnections, int maxConnections, Duration acquireTimeout) {
            Setting.POOL_MAX_CONNECTIONS.check(maxConnections);
            Setting.POOL_MIN_CONNECTIONS.check(minConnections);
            Setting.POOL_ACQUIRE_TIMEOUT.check(acquireTimeout);
            if (minConnections > maxConnections) {
                throw new SettingsException(Setting.POOL_MIN_CONNECTIONS.key(),
                        "minConnections (" + minConnections + ") must not exceed maxConnections (" + maxConnections + ")");
            }
        }
    }

    public record CircuitBreaker(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
        public CircuitBreaker {
            Setting.BREAKER_FAILURE_THRESHOLD.check(failureThreshold);
            Setting.BREAKER_RECOVERY_TIMEOUT.check(recoveryTimeout);
            Setting.BREAKER_SUCCESS_THRESHOLD.check(successThreshold);
        }
    }

    /**
     * The Hrana gateway. The per-principal limits are 0 for automatic (half of {@code maxStreams};
     * {@code connectionPool.maxConnections - 1}), at least 1 either way.
     */
    public record Gateway(Duration streamIdleTimeout, int maxStreams, int maxRequestBytes, int maxStreamsPerPrincipal,
            int maxLeasesPerPrincipal, Duration statementTimeout) {
        public Gateway {
            Setting.GATEWAY_STREAM_IDLE_TIMEOUT.check(streamIdleTimeout);
            Setting.GATEWAY_MAX_STREAMS.check(maxStreams);
            Setting.GATEWAY_MAX_REQUEST_BYTES.check(maxRequestBytes);
            Setting.GATEWAY_MAX_STREAMS_PER_PRINCIPAL.check(maxStreamsPerPrincipal);
            Setting.GATEWAY_MAX_LEASES_PER_PRINCIPAL.check(maxLeasesPerPrincipal);
            Setting.GATEWAY_STATEMENT_TIMEOUT.check(statementTimeout);
        }
    }

    public record Monitoring(int healthScoreThreshold, long latencyThresholdMs, double errorRateThreshold) {
        public Monitoring {
            Setting.MONITORING_HEALTH_SCORE_THRESHOLD.check(healthScoreThreshold);
            Setting.MONITORING_LATENCY_THRESHOLD.check(latencyThresholdMs);
            Setting.MONITORING_ERROR_RATE_THRESHOLD.check(errorRateThreshold);
        }
    }

    /** Components, in display order. */
    public static final List<String> COMPONENTS = List.of("connectionPool", "circuitBreaker", "gateway", "monitoring");

    /** How each live {@link Setting} is read from a snapshot; a test checks that it covers {@link Setting#LIVE} exactly. */
    private static final Map<Setting<?>, Function<RuntimeSettings, Object>> FIELDS = fields();

    private static Map<Setting<?>, Function<RuntimeSettings, Object>> fields() {
        Map<Setting<?>, Function<RuntimeSettings, Object>> f = new LinkedHashMap<>();
        f.put(Setting.POOL_MAX_CONNECTIONS, s -> s.connectionPool.maxConnections);
        f.put(Setting.POOL_MIN_CONNECTIONS, s -> s.connectionPool.minConnections);
        f.put(Setting.POOL_ACQUIRE_TIMEOUT, s -> s.connectionPool.acquireTimeout);
        f.put(Setting.POOL_LEAK_TIMEOUT, s -> s.connectionPool.leakTimeout);
        f.put(Setting.POOL_VALIDATION_INTERVAL, s -> s.connectionPool.validationInterval);
        f.put(Setting.BREAKER_FAILURE_THRESHOLD, s -> s.circuitBreaker.failureThreshold);
        f.put(Setting.BREAKER_RECOVERY_TIMEOUT, s -> s.circuitBreaker.recoveryTimeout);
        f.put(Setting.BREAKER_SUCCESS_THRESHOLD, s -> s.circuitBreaker.successThreshold);
        f.put(Setting.GATEWAY_STREAM_IDLE_TIMEOUT, s -> s.gateway.streamIdleTimeout);
        f.put(Setting.GATEWAY_MAX_STREAMS, s -> s.gateway.maxStreams);
        f.put(Setting.GATEWAY_MAX_REQUEST_BYTES, s -> s.gateway.maxRequestBytes);
        f.put(Setting.GATEWAY_MAX_STREAMS_PER_PRINCIPAL, s -> s.gateway.maxStreamsPerPrincipal);
        f.put(Setting.GATEWAY_MAX_LEASES_PER_PRINCIPAL, s -> s.gateway.maxLeasesPerPrincipal);
        f.put(Setting.GATEWAY_STATEMENT_TIMEOUT, s -> s.gateway.statementTimeout);
        f.put(Setting.MONITORING_HEALTH_SCORE_THRESHOLD, s -> s.monitoring.healthScoreThreshold);
        f.put(Setting.MONITORING_LATENCY_THRESHOLD, s -> s.monitoring.latencyThresholdMs);
        f.put(Setting.MONITORING_ERROR_RATE_THRESHOLD, s -> s.monitoring.errorRateThreshold);
        return java.util.Collections.unmodifiableMap(f);
    }

    /**
     * The snapshot static configuration (profile properties and environment) starts from, every value
     * checked against the same bounds as a runtime update.
     *
     * @throws ConfigurationProblem for the first value out of bounds (the others suppressed on it), so
     *         {@code serve} fails at start-up with one line per wrong setting instead of a snapshot that makes
     *         every later update fail
     */
    public static RuntimeSettings from(SluiceConfig c) {
        ConfigurationProblem first = null;
        for (Setting<?> s : Setting.LIVE) {
            try {
                s.checkStartup(c);
            } catch (ConfigurationProblem p) {
                if (first == null) {
                    first = p;
                } else {
                    first.addSuppressed(p);
                }
            }
        }
        SluiceConfig.Pool p = c.pool();
        if (first == null && p.minConnections() > p.maxConnections()) {
            first = new ConfigurationProblem(Setting.POOL_MIN_CONNECTIONS.property(), Integer.toString(p.minConnections()),
                    "at most " + Setting.POOL_MAX_CONNECTIONS.property() + " (" + p.maxConnections() + ")");
        }
        if (first != null) {
            throw first;
        }
        SluiceConfig.Breaker b = c.breaker();
        SluiceConfig.Gateway g = c.gateway();
        SluiceConfig.Monitoring m = c.monitoring();
        return new RuntimeSettings(
                new ConnectionPool(p.maxConnections(), p.minConnections(), p.acquireTimeout(), p.leakTimeout(), p.validationInterval()),
                new CircuitBreaker(b.failureThreshold(), b.recoveryTimeout(), b.successThreshold()),
                new Gateway(g.streamIdleTimeout(), g.maxStreams(), g.maxRequestBytes(), g.maxStreamsPerPrincipal(), g.maxLeasesPerPrincipal(),
                        g.statementTimeout()),
                new Monitoring(m.healthScoreThreshold(), m.latencyThresholdMs(), m.errorRateThreshold()));
    }

    /** The typed value of one live setting in this snapshot. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Function<RuntimeSettings, Object> f = FIELDS.get(setting);
        if (f == null) {
            throw new IllegalArgumentException(setting.key() + " is not a runtime setting");
        }
        return (T) f.apply(this);
    }

    /** Every {@code component.key} with its value as text (durations in ms), in display order. */
    public Map<String, String> toProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        FIELDS.forEach((setting, field) -> m.put(setting.key(), setting.text(field.apply(this))));
        return m;
    }

    /**
     * This snapshot with one key changed, validated as a whole.
     *
     * @throws SettingsException naming {@code component.key} for an unknown key, a value of the wrong type,
     *         or one out of range (including cross-field rules such as {@code minConnections <= maxConnections})
     */
    public RuntimeSettings with(String component, String key, String value) {
        return with(Map.of(component + "." + key, value == null ? "" : value));
    }

    /**
     * This snapshot with several keys changed at once, validated as a whole (so a pool can grow its
     * minimum and maximum together).
     *
     * @param changes {@code component.key} → value
     * @throws SettingsException naming every unknown or invalid field
     */
    public RuntimeSettings with(Map<String, String> changes) {
        Map<String, String> props = toProperties();
        for (Map.Entry<String, String> e : changes.entrySet()) {
            String field = e.getKey();
            if (!props.containsKey(field)) {
                int dot = field.indexOf('.');
                String component = dot < 0 ? field : field.substring(0, dot);
                String key = field.substring(dot + 1);
                String known = String.join(", ", props.keySet().stream().filter(k -> k.startsWith(component + ".")).toList());
                throw new SettingsException(COMPONENTS.contains(component) ? field : "component",
                        COMPONENTS.contains(component)
                                ? "unknown key '" + key + "' of " + component + "; known: " + known
                                : "unknown component '" + component + "'; known: " + String.join(", ", COMPONENTS));
            }
            props.put(field, e.getValue() == null ? "" : e.getValue().strip());
        }
        return fromProperties(props);
    }

    /** A snapshot from {@code component.key} properties (all keys present), validated; every wrong field is named at once. */
    public static RuntimeSettings fromProperties(Map<String, String> p) {
        List<SettingsException.Violation> errors = new ArrayList<>();
        Map<Setting<?>, Object> v = new LinkedHashMap<>();
        for (Setting<?> s : FIELDS.keySet()) {
            try {
                v.put(s, s.parse(p.get(s.key())));
            } catch (SettingsException e) {
                errors.addAll(e.violations());
            }
        }
        if (!errors.isEmpty()) {
            throw new SettingsException(errors);
        }
        // every field is within its bounds here; only a cross-field rule can still refuse
        return new RuntimeSettings(
                new ConnectionPool((Integer) v.get(Setting.POOL_MAX_CONNECTIONS), (Integer) v.get(Setting.POOL_MIN_CONNECTIONS),
                        (Duration) v.get(Setting.POOL_ACQUIRE_TIMEOUT), (Duration) v.get(Setting.POOL_LEAK_TIMEOUT),
                        (Duration) v.get(Setting.POOL_VALIDATION_INTERVAL)),
                new CircuitBreaker((Integer) v.get(Setting.BREAKER_FAILURE_THRESHOLD), (Duration) v.get(Setting.BREAKER_RECOVERY_TIMEOUT),
                        (Integer) v.get(Setting.BREAKER_SUCCESS_THRESHOLD)),
                new Gateway((Duration) v.get(Setting.GATEWAY_STREAM_IDLE_TIMEOUT), (Integer) v.get(Setting.GATEWAY_MAX_STREAMS),
                        (Integer) v.get(Setting.GATEWAY_MAX_REQUEST_BYTES), (Integer) v.get(Setting.GATEWAY_MAX_STREAMS_PER_PRINCIPAL),
                        (Integer) v.get(Setting.GATEWAY_MAX_LEASES_PER_PRINCIPAL), (Duration) v.get(Setting.GATEWAY_STATEMENT_TIMEOUT)),
                new Monitoring((Integer) v.get(Setting.MONITORING_HEALTH_SCORE_THRESHOLD), (Long) v.get(Setting.MONITORING_LATENCY_THRESHOLD),
                        (Double) v.get(Setting.MONITORING_ERROR_RATE_THRESHOLD)));
    }
}
