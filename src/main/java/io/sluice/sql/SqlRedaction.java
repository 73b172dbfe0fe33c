package io.sluice.sql;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes SQL text and free-form log text safe to log. {@link #redact} replaces every literal a statement
 * carries (strings, PostgreSQL {@code E'..'} and dollar-quoted strings, blobs {@code X'..'}, numbers)
 * with {@code ?} and drops comments, using {@link SqlScanner}'s lexer so that what counts as a literal is
 * exactly what the scanner that runs the statement thinks; keywords, identifiers, operators and
 * parameters stay, so the shape of the statement is still readable. On SQLite a double-quoted token is
 * redacted too: SQLite reads {@code "x"} as a string literal when no column of that name exists, which
 * only the database knows, so the log assumes the worse case (quoted identifiers show as {@code ?});
 * {@code [x]} and {@code `x`} are always identifiers and stay. On PostgreSQL {@code "x"} is always an
 * identifier and stays. {@link
 * #scrubSecrets} blanks what looks like a credential in any text.
 */
public final class SqlRedaction {
    /** {@code Bearer <token>}, {@code password=...}, {@code token: ...}, {@code secret=...} and friends. */
    private static final Pattern SECRETS = Pattern.compile(
            "(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+"
                    + "|((?:password|passwd|pwd|secret|token|api[_-]?key|authorization)\\s*[=:]\\s*(?:(?:bearer|basic)\\s+)?)(\"[^\"]*\"|'[^']*'|[^\\s,;&)]+)");

    private SqlRedaction() {
    }

    /** {@link #redact(String, SqlScanner.Syntax)} with SQLite's lexical rules. */
    public static String redact(String sql) {
        return redact(sql, SqlScanner.Syntax.SQLITE);
    }

    /**
     * Returns the text with every literal replaced by {@code ?} and every comment by one space. Text the
     * lexer cannot finish (an unterminated string or comment) is replaced by {@code ?} up to the end, so a
     * truncated statement never leaks its tail.
     *
     * @param sql SQL text, one statement or a script; {@code null} gives {@code null}
     * @param syntax whose rules tell literals apart (PostgreSQL adds {@code E'..'} and {@code $$..$$})
     */
    public static String redact(String sql, SqlScanner.Syntax syntax) {
        if (sql == null) {
            return null;
        }
        SqlScanner.Lexer lx = new SqlScanner.Lexer(sql, syntax);
        StringBuilder out = new StringBuilder(sql.length());
        int copied = 0;
        int tok;
        while ((tok = lx.next()) != SqlScanner.Lexer.EOF) {
            gap(out, sql, copied, lx.start);
            if (tok == SqlScanner.Lexer.UNTERMINATED) {
                out.append('?');
                return out.toString();
            }
            char c = sql.charAt(lx.start);
            if (isNumberStart(sql, lx.start, c)) {
                lx.pos = endOfNumber(sql, lx.start);
                out.append('?');
            } else if (isLiteral(sql, lx.start, lx.pos, tok, syntax)) {
                out.append('?');
            } else {
                out.append(sql, lx.start, lx.pos);
            }
            copied = lx.pos;
        }
        gap(out, sql, copied, sql.length());
        return out.toString().strip();
    }

    /**
     * Replaces what looks like a credential with {@code ***}: the token after {@code Bearer}, and the value
     * after {@code password=}, {@code secret:}, {@code token=}, {@code api_key=} or {@code authorization:}.
     *
     * @param text any text; {@code null} gives {@code null}
     */
    public static String scrubSecrets(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = SECRETS.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        do {
            String prefix = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(prefix + "***"));
        } while (m.find());
        m.appendTail(out);
        return out.toString();
    }

    /** Whitespace between tokens is kept as it was; a gap holding a comment becomes one space. */
    private static void gap(StringBuilder out, String sql, int from, int to) {
        if (from >= to) {
            return;
        }
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(sql.charAt(i))) {
                out.append(' ');
                return;
            }
        }
        out.append(sql, from, to);
    }

    private static boolean isNumberStart(String sql, int start, char c) {
        return SqlScanner.Lexer.isDigit(c)
                || (c == '.' && start + 1 < sql.length() && SqlScanner.Lexer.isDigit(sql.charAt(start + 1)));
    }

    /** Digits, a decimal point, an exponent with its sign, hex digits after {@code 0x}, underscores (PostgreSQL 16). */
    private static int endOfNumber(String sql, int start) {
        int i = start;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
                i++;
            } else if ((c == '+' || c == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')
                    && !sql.regionMatches(true, start, "0x", 0, 2)) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static boolean isLiteral(String sql, int start, int end, int tok, SqlScanner.Syntax syntax) {
        if (tok != SqlScanner.Lexer.OTHER || end - start < 2) {
            return false;
        }
        char c = sql.charAt(start);
        char second = sql.charAt(start + 1);
        if (c == '\'') {
            return true;
        }
        if ((c == 'x' || c == 'X') && second == '\'') {
            return true;
        }
        if (syntax == SqlScanner.Syntax.POSTGRESQL) {
            return ((c == 'e' || c == 'E') && second == '\'') || c == '$';
        }
        return c == '"';
    }
}
