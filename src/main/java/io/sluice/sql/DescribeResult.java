package io.sluice.sql;

import java.util.List;

/** The answer to a Hrana {@code describe}: parameter names (null for a bare {@code ?}), columns and flags. */
public record DescribeResult(List<String> params, List<Column> columns, boolean isExplain, boolean isReadonly) {
}
