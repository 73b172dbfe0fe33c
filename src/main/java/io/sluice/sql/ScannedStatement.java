package io.sluice.sql;

import java.util.List;

/**
 * One statement as the scanner saw it.
 *
 * @param sql the statement text
 * @param kind its classification
 * @param params every parameter occurrence in text order
 * @param paramCount the number of parameter slots (the largest index)
 * @param paramNames per slot (index - 1) the name with its prefix ({@code :a}, {@code ?3}), or null for bare {@code ?}
 */
public record ScannedStatement(String sql, StatementKind kind, List<Param> params, int paramCount, List<String> paramNames) {

    /** One parameter occurrence: its text span, its 1-based slot and its name (null for a bare {@code ?}). */
    public record Param(int start, int end, int index, String name) {
    }

    /** The slot of a named argument, matching with or without its {@code :}/{@code @}/{@code $} prefix; 0 if none. */
    public int slotOf(String argName) {
        for (int i = 0; i < paramNames.size(); i++) {
            String p = paramNames.get(i);
            if (p == null) {
                continue;
            }
            if (p.equals(argName) || (p.length() == argName.length() + 1 && p.charAt(0) != '?' && p.endsWith(argName))) {
                return i + 1;
            }
        }
        return 0;
    }
}
