package io.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * What a protocol test expects where SQLite and PostgreSQL differ by design: the column types to
 * declare, the decltypes reported, {@code last_insert_rowid}, message wording. The defaults are SQLite's.
 * A protocol test class implements this interface; its PostgreSQL variant also implements
 * {@link PostgresExpectations}, whose more specific defaults then win, so both run one test body.
 */
interface BackendExpectations {

    /** A column type for an integer primary key that the database fills in when an INSERT leaves it out. */
    default String autoIdKey() {
        return "INTEGER PRIMARY KEY";
    }

    /** A column type for 64-bit floating point numbers. */
    default String realType() {
        return "REAL";
    }

    default String blobType() {
        return "BLOB";
    }

    /** A column type that accepts any value: none at all on SQLite. */
    default String anyType() {
        return "";
    }

    /** The decltype of a column declared in SQLite as {@code sqlite}; on PostgreSQL the type's own name. */
    default String decltype(String sqlite, String postgres) {
        return sqlite;
    }

    /** The decltype of an expression column: none on SQLite, the expression's type name on PostgreSQL. */
    default String exprDecltype(String postgres) {
        return null;
    }

    /** The name of an unaliased expression column: SQLite uses the expression's text. */
    default String exprColumnName(String sqlite) {
        return sqlite;
    }

    /** {@code last_insert_rowid} after an INSERT whose last row got {@code rowid}. */
    default JsonNode lastInsertRowid(long rowid) {
        return TextNode.valueOf(Long.toString(rowid));
    }

    /** A fragment of the message for a table that does not exist. */
    default String missingTableMessage() {
        return "no such table";
    }
}
