package io.sluice.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that can change without a restart, as one immutable snapshot (docs/architecture.md
 * "Configuration"). Keys are addressed as {@code <component>.<key>}, e.g. {@code connectionPool.maxConnections};
 * durations are milliseconds on the outside.
 */
public record RuntimeSettings(ConnectionPool connectionPool, CircuitBreaker circuitBreaker, Gateway gateway, Monitoring monitoring) {

    /** The backend pool: {@code minConnections <= maxConnections}. */
    public record ConnectionPool(int maxConnections, int minConnections, Duration acquireTimeout, Duration leakTimeout,
            Duration validationInterval) {
    }

    public record CircuitBreaker(int failureThreshold, Duration recoveryTimeout, int successThreshold) {
    }

    /**
     * The Hrana gateway. The per-principal limits are 0 for automatic (half of {@code maxStreams};
     * {@code connectionPool.maxConnections - 1}), at least 1 either way.
     */
    public record Gateway(Duration streamIdleTimeout, int maxStreams, int maxRequestBytes, int maxStreamsPerPrincipal,
            int maxLeasesPerPrincipal, Duration statementTimeout) {
    }

    public record Monitoring(int healthScoreThreshold, long latencyThresholdMs, double errorRateThreshold) {
    }

    /** Components, in display order. */
    public static final List<String> COMPONENTS = List.of("connectionPool", "circuitBreaker", "gateway", "monitoring");

    /** The snapshot static configuration (profile properties and environment) starts from. */
    public static RuntimeSettings from(SluiceConfig c) {
        SluiceConfig.Pool p = c.pool();
        SluiceConfig.Breaker b = c.breaker();
        SluiceConfig.Gateway g = c.gateway();
        SluiceConfig.Monitoring m = c.monitoring();
        return new RuntimeSettings(
                new ConnectionPool(p.maxConnections(), p.minConnections(), p.acquireTimeout(), p.leakTimeout(), p.validationInterval()),
                new CircuitBreaker(b.failureThreshold(), b.recoveryTimeout(), b.successThreshold()),
                new Gateway(g.streamIdleTimeout(), g.maxStreams(), g.maxRequestBytes(), g.maxStreamsPerPrincipal(), g.maxLeasesPerPrincipal(), g.statementTimeout()),
                new Monitoring(m.healthScoreThreshold(), m.latencyThresholdMs(), m.errorRateThreshold()));
    }

    /** Every {@code component.key} with its value as text (durations in ms), in display order. */
    public Map<String, String> toProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("connectionPool.maxConnections", Integer.toString(connectionPool.maxConnections));
        m.put("connectionPool.minConnections", Integer.toString(connectionPool.minConnections));
        m.put("connectionPool.acquireTimeout", ms(connectionPool.acquireTimeout));
        m.put("connectionPool.leakTimeout", ms(connectionPool.leakTimeout));
        m.put("connectionPool.validationInterval", ms(connectionPool.validationInterval));
        m.put("circuitBreaker.failureThreshold", Integer.toString(circuitBreaker.failureThreshold));
        m.put("circuitBreaker.recoveryTimeout", ms(circuitBreaker.recoveryTimeout));
        m.put("circuitBreaker.successThreshold", Integer.toString(circuitBreaker.successThreshold));
        m.put("gateway.streamIdleTimeout", ms(gateway.streamIdleTimeout));
        m.put("gateway.maxStreams", Integer.toString(gateway.maxStreams));
        m.put("gateway.maxRequestBytes", Integer.toString(gateway.maxRequestBytes));
        m.put("gateway.maxStreamsPerPrincipal", Integer.toString(gateway.maxStreamsPerPrincipal));
        m.put("gateway.maxLeasesPerPrincipal", Integer.toString(gateway.maxLeasesPerPrincipal));
        m.put("gateway.statementTimeout", ms(gateway.statementTimeout));
        m.put("monitoring.healthScoreThreshold", Integer.toString(monitoring.healthScoreThreshold));
        m.put("monitoring.latencyThresholdMs", Long.toString(monitoring.latencyThresholdMs));
        m.put("monitoring.errorRateThreshold", Double.toString(monitoring.errorRateThreshold));
        return m;
    }

    private static String ms(Duration d) {
        return Long.toString(d.toMillis());
    }

    /**
     * This snapshot with one key changed, validated as a whole.
     *
     * @throws SettingsException naming {@code component.key} for an unknown key, a value of the wrong type,
     *         or one out of range (including cross-field rules such as {@code minConnections <= maxConnections})
     */
    public RuntimeSettings with(String component, String key, String value) {
        String field = component + "." + key;
        Map<String, String> props = toProperties();
        if (!props.containsKey(field)) {
            String known = String.join(", ", props.keySet().stream().filter(k -> k.startsWith(component + ".")).toList());
            throw new SettingsException(COMPONENTS.contains(component) ? field : "component",
                    COMPONENTS.contains(component)
                            ? "unknown key '" + key + "' of " + component + "; known: " + known
                            : "unknown component '" + component + "'; known: " + String.join(", ", COMPONENTS));
        }
        props.put(field, value == null ? "" : value.strip());
        return fromProperties(props);
    }

    /** A snapshot from {@code component.key} properties (all keys present), validated. */
    public static RuntimeSettings fromProperties(Map<String, String> p) {
        Parser in = new Parser(p);
        RuntimeSettings s = new RuntimeSettings(
                new ConnectionPool(in.integer("connectionPool.maxConnections", 1, 10_000), in.integer("connectionPool.minConnections", 0, 10_000),
                        in.millis("connectionPool.acquireTimeout", 1, 600_000), in.millis("connectionPool.leakTimeout", 100, 86_400_000),
                        in.millis("connectionPool.validationInterval", 1_000, 86_400_000)),
                new CircuitBreaker(in.integer("circuitBreaker.failureThreshold", 1, 10_000), in.millis("circuitBreaker.recoveryTimeout", 1, 3_600_000),
                        in.integer("circuitBreaker.successThreshold", 1, 1_000)),
                new Gateway(in.millis("gateway.streamIdleTimeout", 1_000, 86_400_000), in.integer("gateway.maxStreams", 1, 1_000_000),
                        in.integer("gateway.maxRequestBytes", 1_024, Integer.MAX_VALUE),
                        in.integer("gateway.maxStreamsPerPrincipal", 0, 1_000_000), in.integer("gateway.maxLeasesPerPrincipal", 0, 10_000),
                        in.millis("gateway.statementTimeout", 100, 86_400_000)),
                new Monitoring(in.integer("monitoring.healthScoreThreshold", 0, 100), in.longValue("monitoring.latencyThresholdMs", 1, 3_600_000),
                        in.fraction("monitoring.errorRateThreshold")));
        if (in.errors.isEmpty() && s.connectionPool.minConnections > s.connectionPool.maxConnections) {
            in.errors.add(new SettingsException.Violation("connectionPool.minConnections",
                    "minConnections (" + s.connectionPool.minConnections + ") must not exceed maxConnections (" + s.connectionPool.maxConnections + ")"));
        }
        if (!in.errors.isEmpty()) {
            throw new SettingsException(in.errors);
        }
        return s;
    }

    /** Collects every violation instead of stopping at the first, so one answer names every bad field. */
    private static final class Parser {
        final Map<String, String> p;
        final List<SettingsException.Violation> errors = new ArrayList<>();

        Parser(Map<String, String> p) {
            this.p = p;
        }

        private String raw(String k) {
            String v = p.get(k);
            if (v == null || v.isBlank()) {
                errors.add(new SettingsException.Violation(k, k + " is missing"));
                return null;
            }
            return v.strip();
        }

        int integer(String k, int min, int max) {
            return (int) longValue(k, min, max);
        }

        long longValue(String k, long min, long max) {
            String v = raw(k);
            if (v == null) {
                return min;
            }
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                errors.add(new SettingsException.Violation(k, k + " must be a whole number but was '" + v + "'"));
                return min;
            }
            if (n < min || n > max) {
                errors.add(new SettingsException.Violation(k, k + " must be between " + min + " and " + max + " but was " + n));
                return min;
            }
            return n;
        }

        /** Milliseconds: a plain number, or a number with {@code ms}, {@code s} or {@code m}. */
        Duration millis(String k, long min, long max) {
            String v = raw(k);
            if (v == null) {
                return Duration.ofMillis(min);
            }
            String t = v.toLowerCase(Locale.ROOT);
            long factor = 1;
            if (t.endsWith("ms")) {
                t = t.substring(0, t.length() - 2);
            } else if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1);
                factor = 1_000;
            } else if (t.endsWith("m")) {
                t = t.substring(0, t.length() - 1);
                factor = 60_000;
            }
            long n;
            try {
                n = Math.multiplyExact(Long.parseLong(t.strip()), factor);
            } catch (NumberFormatException | ArithmeticException e) {
                errors.add(new SettingsException.Violation(k, k + " must be a duration in milliseconds (e.g. 5000, 5s) but was '" + v + "'"));
                return Duration.ofMillis(min);
            }
            if (n < min || n > max) {
                errors.add(new SettingsException.Violation(k, k + " must be between " + min + " and " + max + " ms but was " + n));
                return Duration.ofMillis(min);
            }
            return Duration.ofMillis(n);
        }

        double fraction(String k) {
            String v = raw(k);
            if (v == null) {
                return 0;
            }
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                errors.add(new SettingsException.Violation(k, k + " must be a number between 0 and 1 but was '" + v + "'"));
                return 0;
            }
            if (!(d >= 0 && d <= 1)) {
                errors.add(new SettingsException.Violation(k, k + " must be between 0 and 1 but was " + v));
                return 0;
            }
            return d;
        }
    }
}
