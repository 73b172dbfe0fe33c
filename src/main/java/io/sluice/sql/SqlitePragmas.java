package io.sluice.sql;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which SQLite PRAGMAs a client may run. SQLite applies many PRAGMAs while the statement is <em>prepared</em>
 * (so {@code EXPLAIN PRAGMA x=1} and a {@code describe} change {@code x} too), some act on the whole process
 * ({@code soft_heap_limit}, {@code temp_store_directory}) and some on other connections
 * ({@code locking_mode=EXCLUSIVE}, {@code journal_mode}); none of that can be undone by a rollback. So every
 * statement whose first words are {@code [EXPLAIN [QUERY PLAN]] PRAGMA} is checked against one table before
 * it is prepared: a PRAGMA the table does not name is refused for every token; a read-only token may only
 * query (no {@code =value}, no {@code (value)} except where the argument names a table or index); a
 * read-write token may also assign the settings ORMs and migrations use. The words come from
 * {@link SqlScanner}'s lexer, so comments, case, quoting of the name and whitespace do not change the verdict.
 *
 * <p>The table-valued {@code pragma_*()} functions need no check: SQLite offers them only for PRAGMAs that
 * return results without side effects and refuses an assignment through them.
 */
public final class SqlitePragmas {

    /** What a PRAGMA does and who may run it in which form. */
    enum Rule {
        /** Reports on the schema or the library; an argument names an object. Any token, any form. */
        INFO,
        /** A per-connection setting: everyone may query it, a read-write token may assign it. */
        CONNECTION_SETTING,
        /** A setting stored in the database file: everyone may query it, a read-write token may assign it. */
        DATABASE_SETTING,
        /** A setting only the operator chooses: everyone may query it, nobody may assign it through Sluice. */
        FIXED_SETTING,
        /** Maintenance of the database file: a read-write token only. */
        ACTION
    }

    /**
     * The per-connection settings a read-write token may change. A connection goes back to the pool only
     * when all of them (and the rest of {@link #baselineQuery()}) are as they were when it was opened.
     */
    static final List<String> CONNECTION_SETTINGS = List.of("foreign_keys", "defer_foreign_keys", "legacy_alter_table",
            "recursive_triggers", "ignore_check_constraints", "automatic_index", "reverse_unordered_selects",
            "cell_size_check", "analysis_limit", "query_only");

    private static final Map<String, Rule> RULES = new HashMap<>();

    static {
        for (String name : List.of("table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list",
                "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check", "collation_list",
                "compile_options", "database_list", "function_list", "module_list", "pragma_list", "data_version",
                "freelist_count", "page_count")) {
            RULES.put(name, Rule.INFO);
        }
        for (String name : CONNECTION_SETTINGS) {
            RULES.put(name, Rule.CONNECTION_SETTING);
        }
        for (String name : List.of("user_version", "application_id", "auto_vacuum")) {
            RULES.put(name, Rule.DATABASE_SETTING);
        }
        for (String name : List.of("journal_mode", "locking_mode", "synchronous", "busy_timeout", "cache_size",
                "cache_spill", "temp_store", "mmap_size", "trusted_schema", "schema_version",
                "max_page_count", "wal_autocheckpoint", "journal_size_limit", "secure_delete", "read_uncommitted",
                "threads", "encoding", "page_size")) {
            RULES.put(name, Rule.FIXED_SETTING);
        }
        for (String name : List.of("optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory")) {
            RULES.put(name, Rule.ACTION);
        }
    }

    /**
     * One query whose single text value describes the connection state a stream can leave behind: the
     * number of TEMP objects (which would shadow main tables for the next stream), every setting of
     * {@link #CONNECTION_SETTINGS} and the fixed settings that govern locking and durability.
     */
    static String baselineQuery() {
        StringBuilder sql = new StringBuilder("SELECT (SELECT count(*) FROM temp.sqlite_schema)");
        List<String> watched = new java.util.ArrayList<>(CONNECTION_SETTINGS);
        watched.addAll(List.of("locking_mode", "journal_mode", "synchronous", "trusted_schema",
                "temp_store", "cache_size", "busy_timeout", "writable_schema", "max_page_count"));
        for (String name : watched) {
            sql.append(" || ',' || (SELECT * FROM pragma_").append(name).append(")");
        }
        return sql.toString();
    }

    private SqlitePragmas() {
    }

    /** A PRAGMA statement as SQLite would read it. */
    record Pragma(String schema, String name, String argument) {
        boolean hasArgument() {
            return argument != null;
        }
    }

    /**
     * Refuses the statement when it is a PRAGMA (also under {@code EXPLAIN}) that this token may not run.
     *
     * @throws StatementException {@code SQLITE_AUTH} for a PRAGMA nobody may run through Sluice (or one that
     *         cannot be read unambiguously), {@link ErrorCode#READONLY} for a read-only token's assignment
     */
    public static void check(String sql, boolean readOnly) throws StatementException {
        Pragma p = parse(sql);
        if (p == null) {
            return;
        }
        Rule rule = RULES.get(p.name());
        if (rule == null) {
            throw refused("PRAGMA " + p.name() + " is not available through this gateway");
        }
        if (p.schema() != null && !p.schema().equals("main") && rule != Rule.INFO) {
            throw refused("PRAGMA " + p.name() + " may only name the main database");
        }
        switch (rule) {
            case INFO -> {
                // reads only; an argument names a table, an index or a row limit
            }
            case CONNECTION_SETTING, DATABASE_SETTING -> {
                if (readOnly && p.hasArgument()) {
                    throw new StatementException(ErrorCode.READONLY,
                            "This token is read-only: PRAGMA " + p.name() + " may be queried but not set");
                }
            }
            case FIXED_SETTING -> {
                if (p.hasArgument() && !isNoChange(p)) {
                    throw refused("PRAGMA " + p.name() + " is set by the operator and cannot be changed through this gateway");
                }
            }
            case ACTION -> {
                if (readOnly) {
                    throw new StatementException(ErrorCode.READONLY,
                            "This token is read-only: PRAGMA " + p.name() + " changes the database");
                }
            }
        }
    }

    /**
     * Whether a PRAGMA statement may write to the database file (and so takes SQLite's write lock): setting a
     * database setting ({@code user_version = 3}) or an action ({@code optimize}, {@code incremental_vacuum}).
     * Queries and connection settings never do.
     */
    static boolean mayWrite(String sql) {
        Pragma p = parse(sql);
        if (p == null) {
            return false;
        }
        Rule rule = RULES.get(p.name());
        return rule == null || rule == Rule.ACTION || (rule == Rule.DATABASE_SETTING && p.hasArgument());
    }

    /** {@code journal_mode=WAL} and {@code locking_mode=NORMAL} ask for what the server already runs with. */
    private static boolean isNoChange(Pragma p) {
        return (p.name().equals("journal_mode") && p.argument().equals("wal"))
                || (p.name().equals("locking_mode") && p.argument().equals("normal"));
    }

    private static StatementException refused(String why) {
        return new StatementException("SQLITE_AUTH", "not authorized: " + why);
    }

    /**
     * Reads {@code [EXPLAIN [QUERY PLAN]] PRAGMA [schema.]name [= value | (value)]}; null when the statement
     * is not a PRAGMA. A PRAGMA whose shape is anything else is reported with the name {@code ?}, which no
     * rule allows.
     */
    static Pragma parse(String sql) {
        SqlScanner.Lexer lx = new SqlScanner.Lexer(sql, SqlScanner.Syntax.SQLITE);
        int tok = lx.next();
        if (tok == SqlScanner.Lexer.WORD && lx.text().equalsIgnoreCase("EXPLAIN")) {
            tok = lx.next();
            if (tok == SqlScanner.Lexer.WORD && lx.text().equalsIgnoreCase("QUERY")) {
                tok = lx.next();
                if (!(tok == SqlScanner.Lexer.WORD && lx.text().equalsIgnoreCase("PLAN"))) {
                    return null;
                }
                tok = lx.next();
            }
        }
        if (!(tok == SqlScanner.Lexer.WORD && lx.text().equalsIgnoreCase("PRAGMA"))) {
            return null;
        }
        String first = name(lx.next(), lx);
        if (first == null) {
            return new Pragma(null, "?", null);
        }
        String schema = null;
        String name = first;
        tok = lx.next();
        if (tok == SqlScanner.Lexer.OTHER && lx.text().equals(".")) {
            schema = first;
            name = name(lx.next(), lx);
            if (name == null) {
                return new Pragma(null, "?", null);
            }
            tok = lx.next();
        }
        if (tok == SqlScanner.Lexer.EOF || tok == SqlScanner.Lexer.SEMICOLON) {
            return onlySemicolonsFollow(tok, lx) ? new Pragma(schema, name, null) : new Pragma(schema, "?", null);
        }
        boolean paren = tok == SqlScanner.Lexer.WORD && lx.text().equals("(");
        if (!paren && !(tok == SqlScanner.Lexer.OTHER && lx.text().equals("="))) {
            return new Pragma(schema, "?", null);
        }
        int valueStart = lx.pos;
        int valueEnd = valueStart;
        while ((tok = lx.next()) != SqlScanner.Lexer.EOF && tok != SqlScanner.Lexer.SEMICOLON) {
            if (tok == SqlScanner.Lexer.UNTERMINATED) {
                return new Pragma(schema, "?", null);
            }
            valueEnd = lx.pos;
        }
        if (!onlySemicolonsFollow(tok, lx)) {
            return new Pragma(schema, "?", null);
        }
        String value = sql.substring(valueStart, valueEnd).strip();
        if (paren) {
            if (!value.endsWith(")")) {
                return new Pragma(schema, "?", null);
            }
            value = value.substring(0, value.length() - 1).strip();
        }
        return new Pragma(schema, name, dequote(value).toLowerCase(Locale.ROOT));
    }

    private static boolean onlySemicolonsFollow(int tok, SqlScanner.Lexer lx) {
        while (tok == SqlScanner.Lexer.SEMICOLON) {
            tok = lx.next();
        }
        return tok == SqlScanner.Lexer.EOF;
    }

    /** A PRAGMA or schema name: a word or a quoted identifier or string, lower-cased; null for anything else. */
    private static String name(int tok, SqlScanner.Lexer lx) {
        if (tok == SqlScanner.Lexer.WORD && !lx.text().equals("(")) {
            return lx.text().toLowerCase(Locale.ROOT);
        }
        if (tok == SqlScanner.Lexer.OTHER) {
            String t = lx.text();
            if (t.length() >= 2 && "'\"`[".indexOf(t.charAt(0)) >= 0) {
                return dequote(t).toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static String dequote(String t) {
        if (t.length() >= 2) {
            char open = t.charAt(0);
            char close = open == '[' ? ']' : open;
            if ("'\"`[".indexOf(open) >= 0 && t.charAt(t.length() - 1) == close) {
                String inner = t.substring(1, t.length() - 1);
                return open == '[' ? inner : inner.replace(String.valueOf(close) + close, String.valueOf(close));
            }
        }
        return t;
    }
}
