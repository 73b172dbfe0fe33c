package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sql.SqlScanner.Syntax;
import org.junit.jupiter.api.Test;

class SqlRedactionTest {

    @Test
    void shouldReplaceStringLiteralsIncludingEscapedQuotes() {
        assertThat(SqlRedaction.redact("SELECT * FROM users WHERE name = 'O''Brien' AND pw = 'hunter2'"))
                .isEqualTo("SELECT * FROM users WHERE name = ? AND pw = ?");
    }

    @Test
    void shouldReplaceNumbersButKeepIdentifiersThatContainDigits() {
        assertThat(SqlRedaction.redact("UPDATE t1 SET a = 42, b = -3.5e+10, c = .5, d = 0x1F WHERE id=7"))
                .isEqualTo("UPDATE t1 SET a = ?, b = -?, c = ?, d = ? WHERE id=?");
    }

    @Test
    void shouldReplaceBlobLiterals() {
        assertThat(SqlRedaction.redact("INSERT INTO b VALUES (X'DEADBEEF', x'00')")).isEqualTo("INSERT INTO b VALUES (?, ?)");
    }

    @Test
    void shouldRedactSqliteDoubleQuotedTokensThatMayBeStringLiterals() {
        // SQLite takes "hunter2" as a string when no column has that name
        assertThat(SqlRedaction.redact("SELECT * FROM users WHERE password = \"hunter2\" AND \"a\"\"b\" = 1"))
                .isEqualTo("SELECT * FROM users WHERE password = ? AND ? = ?")
                .doesNotContain("hunter2");
    }

    @Test
    void shouldKeepPostgresDoubleQuotedIdentifiers() {
        assertThat(SqlRedaction.redact("SELECT \"Col\" FROM t WHERE a = 'x'", SqlScanner.Syntax.POSTGRESQL))
                .isEqualTo("SELECT \"Col\" FROM t WHERE a = ?");
    }

    @Test
    void shouldKeepParametersAndUnambiguousQuotedIdentifiers() {
        assertThat(SqlRedaction.redact("SELECT \"col 1\", [c2], `c3` FROM t WHERE a = ? AND b = :name AND c = ?2 AND d = $x"))
                .isEqualTo("SELECT ?, [c2], `c3` FROM t WHERE a = ? AND b = :name AND c = ?2 AND d = $x");
    }

    @Test
    void shouldDropCommentsThatCouldHoldSecrets() {
        assertThat(SqlRedaction.redact("SELECT 1 -- password is hunter2\nFROM t /* api key abc */ WHERE x = 'y'"))
                .isEqualTo("SELECT ? FROM t WHERE x = ?")
                .doesNotContain("hunter2", "abc");
    }

    @Test
    void shouldReplacePostgresDollarQuotedAndEscapeStrings() {
        String sql = "SELECT $$it's a secret$$, $tag$also $$ secret$tag$, E'esc\\'aped secret', x::text FROM t WHERE id = $1";

        assertThat(SqlRedaction.redact(sql, Syntax.POSTGRESQL)).isEqualTo("SELECT ?, ?, ?, x::text FROM t WHERE id = $1");
    }

    @Test
    void shouldRedactTheRestOfAnUnterminatedLiteral() {
        assertThat(SqlRedaction.redact("SELECT 'never closed secret FROM t")).isEqualTo("SELECT ?");
        assertThat(SqlRedaction.redact("SELECT $q$ open secret", Syntax.POSTGRESQL)).isEqualTo("SELECT ?");
    }

    @Test
    void shouldKeepTextWithoutLiteralsUnchanged() {
        assertThat(SqlRedaction.redact("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
                .isEqualTo("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
        assertThat(SqlRedaction.redact(null)).isNull();
    }

    @Test
    void shouldScrubBearerTokensAndPasswords() {
        String text = "call with Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln failed; url jdbc:postgresql://db/app?password=hunter2&ssl=true "
                + "token=abc123 secret: \"s p a c e\"";

        String scrubbed = SqlRedaction.scrubSecrets(text);

        assertThat(scrubbed).doesNotContain("eyJhbGciOi", "hunter2", "abc123", "s p a c e")
                .contains("Bearer ***", "password=***", "&ssl=true", "token=***", "secret: ***");
        assertThat(SqlRedaction.scrubSecrets("nothing to hide here")).isEqualTo("nothing to hide here");
    }
}
