package io.sluice.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small lexer for SQLite-flavoured SQL: splits scripts into statements, finds parameters and
 * classifies statements. It understands quoted strings and identifiers ({@code '..'}, {@code ".."},
 * {@code `..`}, {@code [..]}), line and block comments, and {@code CREATE TRIGGER ... BEGIN ... END}
 * bodies whose inner semicolons do not end the statement.
 *
 * <p>Parameter numbering follows SQLite exactly: a bare {@code ?} takes the largest index so far plus
 * one, {@code ?NNN} takes NNN, and a named parameter ({@code :a}, {@code @a}, {@code $a}) takes the next
 * index on its first occurrence and reuses it afterwards.
 *
 * <p>With {@link Syntax#POSTGRESQL} the same parameters are found, but PostgreSQL's own lexical rules
 * decide what is a literal or an operator; see {@link Syntax}. The methods without a syntax argument
 * use {@link Syntax#SQLITE}.
 */
public final class SqlScanner {

    /** Largest {@code ?NNN} index accepted (SQLite's default SQLITE_MAX_VARIABLE_NUMBER). */
    public static final int MAX_PARAMETER_INDEX = 32766;

    /** Whose lexical rules apply to the text around the SQLite-style parameters. */
    public enum Syntax {
        /** SQLite: {@code `..`} and {@code [..]} quote identifiers; {@code $} may appear in parameter names. */
        SQLITE,
        /**
         * PostgreSQL: {@code ::} is the cast operator; {@code $1} is the numbered parameter 1 (like
         * {@code ?1}); {@code $$..$$} and {@code $tag$..$tag$} are dollar-quoted strings; {@code E'..'}
         * strings take backslash escapes; block comments nest; {@code [..]} is a subscript and backticks
         * are not quotes. {@code :}, {@code @} and {@code $} start a named parameter only when a letter or
         * underscore follows, so {@code @>}, {@code a[1:2]} and {@code f(x := 1)} stay operators;
         * {@code ??} is pgjdbc's escape for a literal {@code ?} operator and is not a parameter.
         */
        POSTGRESQL
    }

    private SqlScanner() {
    }

    /** Splits a script into its statements (each trimmed, without the terminating semicolon), skipping empty ones. */
    public static List<String> split(String sql) {
        return split(sql, Syntax.SQLITE);
    }

    /** {@link #split(String)} with the given syntax. */
    public static List<String> split(String sql, Syntax syntax) {
        Terminated t = splitTerminated(sql, syntax);
        if (t.rest().isEmpty()) {
            return t.statements();
        }
        List<String> out = new ArrayList<>(t.statements());
        out.add(t.rest().strip());
        return out;
    }

    /**
     * A script cut after its last statement-ending semicolon: the statements that a semicolon ended (each
     * trimmed, without it, empty ones skipped) and the unfinished rest, empty when the rest holds only
     * whitespace and comments. An interactive shell feeds lines in until the rest is empty.
     */
    public record Terminated(List<String> statements, String rest) {
    }

    /** Cuts a script after its last statement-ending semicolon; see {@link Terminated}. */
    public static Terminated splitTerminated(String sql, Syntax syntax) {
        List<String> out = new ArrayList<>();
        int start = 0;
        Lexer lx = new Lexer(sql, syntax);
        StatementTracker tracker = new StatementTracker(syntax);
        int tok;
        while ((tok = lx.next()) != Lexer.EOF) {
            if (tok == Lexer.SEMICOLON && !tracker.insideTriggerBody()) {
                addIfNotEmpty(out, sql.substring(start, lx.start), syntax);
                start = lx.pos;
                tracker = new StatementTracker(syntax);
            } else if (tok == Lexer.WORD) {
                tracker.word(lx.text());
            }
        }
        String rest = sql.substring(start);
        // a block comment still open at the end (SQLite lets it run to the end) may yet hide a ';': keep it
        return new Terminated(out, lx.openComment || hasCode(rest, syntax) ? rest : "");
    }

    private static void addIfNotEmpty(List<String> out, String stmt, Syntax syntax) {
        if (hasCode(stmt, syntax)) {
            out.add(stmt.strip());
        }
    }

    /** True when the text holds anything other than whitespace, comments and semicolons. */
    static boolean hasCode(String text, Syntax syntax) {
        Lexer lx = new Lexer(text, syntax);
        int tok;
        while ((tok = lx.next()) != Lexer.EOF) {
            if (tok != Lexer.SEMICOLON) {
                return true;
            }
        }
        return false;
    }

    /**
     * Scans exactly one statement.
     *
     * @throws StatementException {@code SQL_NO_STATEMENT} for empty text, {@code SQL_MANY_STATEMENTS}
     *         for more than one statement, {@code SQL_PARSE_ERROR} for an unterminated literal or a bad
     *         parameter
     */
    public static ScannedStatement scanOne(String sql) throws StatementException {
        return scanOne(sql, Syntax.SQLITE);
    }

    /** How many scans are kept per syntax: applications send the same few statements again and again. */
    private static final int CACHED_SCANS = 512;
    /** The longest SQL text whose scan is kept: a huge text is rare and not worth holding. */
    private static final int MAX_CACHED_SQL = 4096;
    /** Scans of the statements seen lately, per syntax; emptied when full, so a stream of distinct texts stays bounded. */
    private static final List<Map<String, ScannedStatement>> SCANS = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());

    /**
     * {@link #scanOne(String)} with the given syntax. A scan depends on the text and the syntax alone, so the
     * scans of recent texts are kept and handed out again (a text that fails to scan is scanned, and fails, each time).
     */
    public static ScannedStatement scanOne(String sql, Syntax syntax) throws StatementException {
        Map<String, ScannedStatement> scans = SCANS.get(syntax.ordinal());
        ScannedStatement st = scans.get(sql);
        if (st == null) {
            st = scan(sql, syntax);
            if (sql.length() <= MAX_CACHED_SQL) {
                if (scans.size() >= CACHED_SCANS) {
                    scans.clear();
                }
                scans.put(sql, st);
            }
        }
        return st;
    }

    private static ScannedStatement scan(String sql, Syntax syntax) throws StatementException {
        if (sql.indexOf('\0') >= 0) {
            // SQLite stops reading at a NUL, so the statement would silently be something else (or nothing)
            throw new StatementException(ErrorCode.SQL_PARSE_ERROR, "SQL text must not contain a NUL character");
        }
        Lexer lx = new Lexer(sql, syntax);
        StatementTracker tracker = new StatementTracker(syntax);
        List<ScannedStatement.Param> params = new ArrayList<>();
        Map<String, Integer> named = new HashMap<>();
        int maxIndex = 0;
        int cut = 0;
        boolean seenCode = false;
        boolean ended = false;
        int tok;
        while ((tok = lx.next()) != Lexer.EOF) {
            if (tok == Lexer.UNTERMINATED) {
                throw new StatementException(ErrorCode.SQL_PARSE_ERROR, "unterminated literal, identifier or comment");
            }
            if (tok == Lexer.SEMICOLON && !tracker.insideTriggerBody()) {
                if (seenCode) {
                    ended = true;
                    continue;
                }
                // an empty statement in front: the engines skip it and run what follows, so the statement is
                // what follows, for every check that reads its text (PRAGMA rules, rewrites) as for the engine
                cut = lx.pos;
                continue;
            }
            if (ended) {
                throw new StatementException(ErrorCode.SQL_MANY_STATEMENTS, "SQL string contains more than one statement");
            }
            seenCode = true;
            switch (tok) {
                case Lexer.WORD -> tracker.word(lx.text());
                case Lexer.PARAM -> {
                    String text = lx.text();
                    int index;
                    String name;
                    if (text.charAt(0) == '?') {
                        if (text.length() == 1) {
                            index = maxIndex + 1;
                            name = null;
                        } else {
                            index = parseNumbered(text);
                            name = text;
                        }
                    } else if (syntax == Syntax.POSTGRESQL && text.charAt(0) == '$' && text.length() > 1
                            && Lexer.isDigit(text.charAt(1))) {
                        // PostgreSQL's native $1 means "argument 1", as ?1 does
                        index = parseNumbered(text);
                        name = text;
                    } else {
                        if (text.length() == 1) {
                            throw new StatementException(ErrorCode.SQL_PARSE_ERROR, "parameter prefix '" + text + "' without a name");
                        }
                        Integer existing = named.get(text);
                        index = existing != null ? existing : maxIndex + 1;
                        named.putIfAbsent(text, index);
                        name = text;
                    }
                    maxIndex = Math.max(maxIndex, index);
                    params.add(new ScannedStatement.Param(lx.start - cut, lx.pos - cut, index, name));
                }
                default -> {
                    // operators, literals and punctuation do not matter for classification
                }
            }
        }
        if (!seenCode) {
            throw new StatementException(ErrorCode.SQL_NO_STATEMENT, "SQL string does not contain any statement");
        }
        String[] names = new String[maxIndex];
        for (ScannedStatement.Param p : params) {
            if (p.name() != null && names[p.index() - 1] == null) {
                names[p.index() - 1] = p.name();
            }
        }
        return new ScannedStatement(sql.substring(cut), tracker.kind(), List.copyOf(params), maxIndex,
                Collections.unmodifiableList(Arrays.asList(names)));
    }

    private static int parseNumbered(String text) throws StatementException {
        String digits = text.substring(1);
        int index;
        try {
            index = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 1 || index > MAX_PARAMETER_INDEX) {
            throw new StatementException(ErrorCode.SQL_PARSE_ERROR,
                    "parameter " + (text.length() > 12 ? text.substring(0, 12) + "…" : text) + " is out of range 1.." + MAX_PARAMETER_INDEX);
        }
        return index;
    }

    /** Follows the leading keywords of one statement to classify it and to see trigger bodies. */
    private static final class StatementTracker {
        private final Syntax syntax;
        private final List<String> lead = new ArrayList<>(4);
        private boolean trigger;
        private int depth; // BEGIN/CASE ... END nesting inside a trigger body
        private boolean sawWriteKeyword;
        private boolean sawSelect;

        StatementTracker(Syntax syntax) {
            this.syntax = syntax;
        }

        void word(String raw) {
            String w = raw.toUpperCase(Locale.ROOT);
            if (lead.size() < 4) {
                lead.add(w);
                if (lead.size() <= 3 && w.equals("TRIGGER") && lead.get(0).equals("CREATE")) {
                    trigger = true;
                }
                // CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ...; ... END
                if (syntax == Syntax.POSTGRESQL && (w.equals("FUNCTION") || w.equals("PROCEDURE"))
                        && lead.get(0).equals("CREATE")) {
                    trigger = true;
                }
            }
            switch (w) {
                case "INSERT", "UPDATE", "DELETE" -> sawWriteKeyword = true;
                // PostgreSQL has no REPLACE statement, only a replace() function
                case "REPLACE" -> sawWriteKeyword |= syntax == Syntax.SQLITE;
                case "SELECT", "VALUES" -> sawSelect = true;
                default -> {
                }
            }
            if (trigger) {
                if (w.equals("BEGIN") || w.equals("CASE")) {
                    depth++;
                } else if (w.equals("END") && depth > 0) {
                    depth--;
                }
            }
        }

        boolean insideTriggerBody() {
            return trigger && depth > 0;
        }

        StatementKind kind() {
            if (lead.isEmpty()) {
                return StatementKind.OTHER;
            }
            String first = lead.get(0);
            String second = lead.size() > 1 ? lead.get(1) : "";
            if (syntax == Syntax.POSTGRESQL) {
                switch (first) {
                    case "START":
                        return second.equals("TRANSACTION") ? StatementKind.BEGIN : StatementKind.DDL;
                    case "ABORT":
                        return StatementKind.ROLLBACK;
                    case "MERGE":
                        return StatementKind.WRITE;
                    case "TABLE", "SHOW":
                        return StatementKind.READ;
                    case "COMMIT", "ROLLBACK":
                        if (second.equals("PREPARED")) {
                            return StatementKind.OTHER; // two-phase commit of another, prepared transaction
                        }
                        break;
                    default:
                        break;
                }
            }
            return switch (first) {
                case "SELECT", "VALUES" -> StatementKind.READ;
                case "EXPLAIN" -> StatementKind.EXPLAIN;
                case "WITH" -> sawWriteKeyword ? StatementKind.WRITE : StatementKind.READ;
                case "INSERT", "REPLACE" -> StatementKind.INSERT;
                case "UPDATE", "DELETE" -> StatementKind.WRITE;
                case "BEGIN" -> switch (second) {
                    case "IMMEDIATE", "EXCLUSIVE" -> StatementKind.BEGIN_WRITE;
                    case "TRANSACTION" -> lead.size() > 2 && lead.get(2).equals("READONLY")
                            ? StatementKind.BEGIN_READONLY : StatementKind.BEGIN;
                    default -> StatementKind.BEGIN;
                };
                case "COMMIT", "END" -> StatementKind.COMMIT;
                case "ROLLBACK" -> isRollbackTo() ? StatementKind.SAVEPOINT_CONTROL : StatementKind.ROLLBACK;
                case "SAVEPOINT", "RELEASE" -> StatementKind.SAVEPOINT_CONTROL;
                case "PRAGMA" -> StatementKind.PRAGMA;
                default -> sawSelect && !sawWriteKeyword && first.equals("(") ? StatementKind.READ : StatementKind.DDL;
            };
        }

        private boolean isRollbackTo() {
            for (int i = 1; i < lead.size(); i++) {
                if (lead.get(i).equals("TO")) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Tokeniser over the raw text; positions are char offsets. */
    static final class Lexer {
        static final int EOF = 0;
        static final int WORD = 1;
        static final int PARAM = 2;
        static final int SEMICOLON = 3;
        static final int OTHER = 4;
        static final int UNTERMINATED = 5;

        private final String s;
        private final boolean pg;
        /** Set when a block comment ran to the end of the text without its closing {@code *}{@code /}. */
        boolean openComment;
        int pos;
        int start;

        Lexer(String s, Syntax syntax) {
            this.s = s;
            this.pg = syntax == Syntax.POSTGRESQL;
        }

        String text() {
            return s.substring(start, pos);
        }

        int next() {
            int n = s.length();
            while (pos < n) {
                char c = s.charAt(pos);
                if (Character.isWhitespace(c)) {
                    pos++;
                } else if (c == '-' && pos + 1 < n && s.charAt(pos + 1) == '-') {
                    int nl = s.indexOf('\n', pos);
                    pos = nl < 0 ? n : nl + 1;
                } else if (c == '/' && pos + 1 < n && s.charAt(pos + 1) == '*') {
                    if (pg) {
                        if (!skipNestedComment()) {
                            start = pos;
                            return UNTERMINATED;
                        }
                        continue;
                    }
                    int end = s.indexOf("*/", pos + 2);
                    // SQLite accepts an unterminated block comment at the end of input
                    openComment = end < 0;
                    pos = end < 0 ? n : end + 2;
                } else {
                    break;
                }
            }
            start = pos;
            if (pos >= n) {
                return EOF;
            }
            char c = s.charAt(pos);
            if (pg) {
                int tok = nextPostgres(c);
                if (tok != EOF) {
                    return tok;
                }
            }
            switch (c) {
                case ';':
                    pos++;
                    return SEMICOLON;
                case '\'':
                case '"':
                case '`':
                    return quoted(c);
                case '[':
                    return quoted(']');
                case '?':
                    pos++;
                    while (pos < n && isDigit(s.charAt(pos))) {
                        pos++;
                    }
                    return PARAM;
                case ':':
                case '@':
                case '$':
                    pos++;
                    while (pos < n && isParamNameChar(s.charAt(pos))) {
                        pos++;
                    }
                    return PARAM;
                default:
                    break;
            }
            if (isIdentStart(c)) {
                while (pos < n && isIdentPart(s.charAt(pos))) {
                    pos++;
                }
                // x'..' blob literal
                if (pos - start == 1 && (c == 'x' || c == 'X') && pos < n && s.charAt(pos) == '\'') {
                    return quoted('\'') == UNTERMINATED ? UNTERMINATED : OTHER;
                }
                return WORD;
            }
            if (c == '(') {
                pos++;
                return WORD; // lets "(SELECT ...)" classify as a read
            }
            pos++;
            return OTHER;
        }

        /**
         * The tokens whose PostgreSQL rules differ from SQLite's; {@link #EOF} means "lex as SQLite
         * does". Everything recognised here must agree with pgjdbc's own parser, which later finds the
         * {@code ?} placeholders in the rewritten text: a {@code ?} hidden in what pgjdbc takes for a
         * literal, or a literal it does not see, would shift the bindings.
         */
        private int nextPostgres(char c) {
            int n = s.length();
            char next = pos + 1 < n ? s.charAt(pos + 1) : 0;
            switch (c) {
                case '`':
                case '[':
                    pos++;
                    return OTHER;
                case '?':
                    if (next == '?') {
                        pos += 2; // pgjdbc sends ?? as a literal ? (the jsonb operators ?, ?| and ?&)
                        return OTHER;
                    }
                    return EOF;
                case ':':
                    if (next == ':') {
                        pos += 2;
                        return OTHER;
                    }
                    return nameAfterPrefix();
                case '@':
                    return nameAfterPrefix();
                case '$':
                    return dollar();
                case 'e':
                case 'E':
                    if (next == '\'') {
                        pos++;
                        return escapeString();
                    }
                    return EOF;
                default:
                    return EOF;
            }
        }

        /** {@code :name}, {@code @name}: a parameter when a letter or underscore follows the prefix, else an operator. */
        private int nameAfterPrefix() {
            int n = s.length();
            if (pos + 1 < n && isIdentStart(s.charAt(pos + 1))) {
                pos++;
                while (pos < n && isPgNameChar(s.charAt(pos))) {
                    pos++;
                }
                return PARAM;
            }
            pos++;
            return OTHER;
        }

        /** {@code $1} (numbered parameter), {@code $$..$$} / {@code $tag$..$tag$} (string) or {@code $name} (parameter). */
        private int dollar() {
            int n = s.length();
            int j = pos + 1;
            if (j < n && isDigit(s.charAt(j))) {
                while (j < n && isDigit(s.charAt(j))) {
                    j++;
                }
                pos = j;
                return PARAM;
            }
            if (j < n && isIdentStart(s.charAt(j))) {
                while (j < n && isPgNameChar(s.charAt(j))) {
                    j++;
                }
            }
            if (j < n && s.charAt(j) == '$') {
                String tag = s.substring(pos, j + 1);
                int end = s.indexOf(tag, j + 1);
                if (end < 0) {
                    pos = n;
                    return UNTERMINATED;
                }
                pos = end + tag.length();
                return OTHER;
            }
            pos = j; // "$name", or a lone "$" that scanOne reports as a parameter without a name
            return PARAM;
        }

        /** {@code E'..'}: backslash escapes anything, a doubled quote is a quote. {@code pos} is at the quote. */
        private int escapeString() {
            int n = s.length();
            pos++;
            while (pos < n) {
                char c = s.charAt(pos++);
                if (c == '\\') {
                    pos++;
                } else if (c == '\'') {
                    if (pos < n && s.charAt(pos) == '\'') {
                        pos++;
                        continue;
                    }
                    return OTHER;
                }
            }
            pos = n;
            return UNTERMINATED;
        }

        /** Skips a block comment at {@code pos}; PostgreSQL nests them. False when it is not closed. */
        private boolean skipNestedComment() {
            int n = s.length();
            int depth = 0;
            while (pos < n) {
                if (s.startsWith("/*", pos)) {
                    depth++;
                    pos += 2;
                } else if (s.startsWith("*/", pos)) {
                    depth--;
                    pos += 2;
                    if (depth == 0) {
                        return true;
                    }
                } else {
                    pos++;
                }
            }
            return false;
        }

        private int quoted(char close) {
            int n = s.length();
            pos++;
            while (pos < n) {
                char c = s.charAt(pos++);
                if (c == close) {
                    if (close != ']' && pos < n && s.charAt(pos) == close) {
                        pos++; // doubled quote escapes itself
                        continue;
                    }
                    return OTHER;
                }
            }
            return UNTERMINATED;
        }

        static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isIdentStart(char c) {
            return Character.isLetter(c) || c == '_' || c > 0x7f;
        }

        private static boolean isIdentPart(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7f;
        }

        private static boolean isParamNameChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7f;
        }

        /** PostgreSQL parameter names and dollar-quote tags: no {@code $}, which would open or close a tag. */
        private static boolean isPgNameChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c > 0x7f;
        }
    }
}
