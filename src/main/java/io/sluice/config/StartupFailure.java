package io.sluice.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why {@code serve} could not start, when the cause is configuration: one line per wrong setting (key,
 * environment name, value, what is expected) instead of a stack trace. Covers the settings SmallRye
 * Config refuses while binding (a value that does not convert, a required key that is missing) and the
 * {@link ConfigurationProblem}s start-up checks throw.
 */
public final class StartupFailure {
    /** SRCFG00039: a value that did not convert; the converter's own message follows. */
    private static final Pattern CONVERSION = Pattern.compile(
            "(?s).*The config property (\\S+) with the config value \"(.*)\" threw an Exception whilst being converted\\s*(.*)");
    /** SRCFG00014: a required property without a value. */
    private static final Pattern MISSING = Pattern.compile("(?s).*The config property (\\S+) is required but it could not be found.*");
    private static final Pattern ENUM = Pattern.compile("(?s).*allowed values: (.*)");

    private StartupFailure() {
    }

    /** The one line a wrong setting is reported as, naming the setting the operator wrote. */
    static String line(String key, String value, String expected) {
        key = source(key);
        return "configuration error: " + key + envName(key) + (value == null ? " is not set" : " is '" + oneLine(value) + "'")
                + "; expected " + oneLine(expected);
    }

    /**
     * One line per wrong setting found in {@code failure}'s cause chain (including suppressed exceptions);
     * empty when the failure is not about configuration.
     */
    public static List<String> describe(Throwable failure) {
        Set<String> lines = new LinkedHashSet<>();
        collect(failure, lines, 0);
        return new ArrayList<>(lines);
    }

    private static void collect(Throwable t, Set<String> lines, int depth) {
        if (t == null || depth > 20) {
            return;
        }
        if (t instanceof ConfigurationProblem) {
            lines.add(t.getMessage());
            for (Throwable s : t.getSuppressed()) {
                collect(s, lines, depth + 1);
            }
            return;
        }
        if (t instanceof SettingsException e) {
            // a feature refused a start-up value by its declared bounds before the settings check ran
            for (SettingsException.Violation v : e.violations()) {
                lines.add(Setting.byKey(v.field()).map(s -> "configuration error: " + s.property() + " (" + s.env() + "): " + oneLine(v.message())
                        + "; expected " + s.expectation()).orElse("configuration error: " + oneLine(v.message())));
            }
            return;
        }
        String message = t.getMessage() == null ? "" : t.getMessage();
        Matcher conversion = CONVERSION.matcher(message);
        Matcher missing = MISSING.matcher(message);
        if (conversion.matches()) {
            lines.add(line(conversion.group(1), conversion.group(2), expectation(conversion.group(3))));
        } else if (missing.matches()) {
            lines.add(line(missing.group(1), null, "a value (see docs/configuration.md)"));
        } else if (t.getClass().getName().equals("io.smallrye.config.ConfigValidationException")) {
            for (String problem : message.split("\\R")) {
                Matcher c = CONVERSION.matcher(problem);
                Matcher m = MISSING.matcher(problem);
                if (c.matches()) {
                    lines.add(line(c.group(1), c.group(2), expectation(c.group(3))));
                } else if (m.matches()) {
                    lines.add(line(m.group(1), null, "a value (see docs/configuration.md)"));
                } else if (!problem.isBlank() && !problem.startsWith("Configuration validation failed")) {
                    lines.add("configuration error: " + oneLine(problem.strip()));
                }
            }
        } else if (t.getClass().getName().equals("io.quarkus.runtime.configuration.ConfigurationException")) {
            lines.add("configuration error: " + oneLine(message));
        }
        for (Throwable s : t.getSuppressed()) {
            collect(s, lines, depth + 1);
        }
        if (t.getCause() != t) {
            collect(t.getCause(), lines, depth + 1);
        }
    }

    /** A value written as {@code ${sluice.x}} or {@code ${sluice.x:default}}: the setting it comes from. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([a-z0-9.-]+)(?::[^}]*)?}");

    /**
     * The setting behind {@code key}: a Quarkus property that {@code application.properties} derives from a
     * Sluice setting (the pool size feeds each datasource's {@code max-size}) is reported as that setting,
     * which is the one the operator wrote.
     */
    static String source(String key) {
        java.util.Properties props = new java.util.Properties();
        try (java.io.InputStream in = StartupFailure.class.getClassLoader().getResourceAsStream("application.properties")) {
            if (in == null) {
                return key;
            }
            props.load(in);
        } catch (java.io.IOException | RuntimeException e) {
            return key;
        }
        String current = key;
        for (int hops = 0; hops < 4; hops++) {
            String raw = props.getProperty(current);
            Matcher m = raw == null ? null : REFERENCE.matcher(raw.strip());
            if (m == null || !m.matches()) {
                return current;
            }
            current = m.group(1);
        }
        return current;
    }

    /** What the converter would have accepted, from its message. */
    private static String expectation(String converterMessage) {
        String m = converterMessage == null ? "" : converterMessage;
        Matcher e = ENUM.matcher(m);
        if (e.matches()) {
            return "one of " + e.group(1).strip().replace(",", ", ");
        }
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("duration")) {
            return "a duration like 500ms, 5s, 2m, 1h or PT5S";
        }
        if (lower.contains("integer") || lower.contains("numberformat") || lower.contains("for input string")) {
            return "a whole number";
        }
        if (lower.contains("boolean")) {
            return "true or false";
        }
        if (lower.contains("memory") || lower.contains("size")) {
            return "a size like 512K, 10M or 1G";
        }
        return m.isBlank() ? "a valid value (see docs/configuration.md)" : "a valid value (" + m.strip() + ")";
    }

    /** {@code sluice.shutdown.grace} is also {@code SLUICE_SHUTDOWN_GRACE}; quoted keys of maps are left as they are. */
    private static String envName(String key) {
        if (!key.matches("[a-z0-9.-]+")) {
            return "";
        }
        return " (" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ")";
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}+", " ").strip();
    }
}
