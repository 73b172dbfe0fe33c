package io.sluice.config;

import java.util.List;
import java.util.stream.Collectors;

/** Settings that fail validation; nothing changed. Every violation names its {@code component.key}. */
public class SettingsException extends IllegalArgumentException {
    /** One invalid field. */
    public record Violation(String field, String message) {
    }

    private final List<Violation> violations;

    public SettingsException(String field, String message) {
        this(List.of(new Violation(field, message)));
    }

    public SettingsException(List<Violation> violations) {
        super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The first offending field, e.g. {@code connectionPool.maxConnections}. */
    public String field() {
        return violations.get(0).field();
    }
}
