package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlScannerTest {

    private static String codeOf(String sql) {
        try {
            SqlScanner.scanOne(sql);
        } catch (StatementException e) {
            return e.code();
        }
        throw new AssertionError("expected " + sql + " to be rejected");
    }

    private static List<Integer> indexes(ScannedStatement st) {
        return st.params().stream().map(ScannedStatement.Param::index).toList();
    }

    @Test
    void shouldSplitScriptIntoTrimmedStatementsWithoutSemicolons() throws StatementException {
        assertThat(SqlScanner.split("CREATE TABLE a(x);\n  INSERT INTO a VALUES (1) ;INSERT INTO a VALUES (2)"))
                .containsExactly("CREATE TABLE a(x)", "INSERT INTO a VALUES (1)", "INSERT INTO a VALUES (2)");
    }

    @Test
    void shouldNotSplitOnSemicolonsInsideLiteralsIdentifiersAndComments() throws StatementException {
        List<String> parts = SqlScanner.split("SELECT 'a;b', \"c;d\", `e;f`, [g;h] -- i;j\n; /* k;l */ SELECT 2");

        assertThat(parts).containsExactly("SELECT 'a;b', \"c;d\", `e;f`, [g;h] -- i;j", "/* k;l */ SELECT 2");
    }

    @Test
    void shouldKeepTheUnfinishedRestWhenNoSemicolonEndsIt() {
        SqlScanner.Terminated open = SqlScanner.splitTerminated("SELECT 1; INSERT INTO t VALUES ('a;\n", SqlScanner.Syntax.SQLITE);
        SqlScanner.Terminated comment = SqlScanner.splitTerminated("SELECT 2 /* ; */ -- ;\n", SqlScanner.Syntax.SQLITE);
        SqlScanner.Terminated done = SqlScanner.splitTerminated("SELECT 'x;y';  -- trailing ; comment\n", SqlScanner.Syntax.SQLITE);
        SqlScanner.Terminated openComment = SqlScanner.splitTerminated("SELECT 3; /* still ; open\n", SqlScanner.Syntax.SQLITE);
        SqlScanner.Terminated trigger = SqlScanner.splitTerminated("CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1;", SqlScanner.Syntax.SQLITE);

        assertThat(open.statements()).containsExactly("SELECT 1");
        assertThat(open.rest()).isEqualTo(" INSERT INTO t VALUES ('a;\n");
        assertThat(comment.statements()).isEmpty();
        assertThat(comment.rest()).isEqualTo("SELECT 2 /* ; */ -- ;\n");
        assertThat(done.statements()).containsExactly("SELECT 'x;y'");
        assertThat(done.rest()).isEmpty();
        assertThat(openComment.statements()).containsExactly("SELECT 3");
        assertThat(openComment.rest()).isEqualTo(" /* still ; open\n");
        assertThat(trigger.statements()).isEmpty();
        assertThat(trigger.rest()).isNotEmpty();
    }

    @Test
    void shouldSkipEmptyStatementsAndCommentOnlyPieces() throws StatementException {
        assertThat(SqlScanner.split(";; SELECT 1;; -- nothing\n; /* nothing */ ;")).containsExactly("SELECT 1");
        assertThat(SqlScanner.split("  ")).isEmpty();
    }

    @Test
    void shouldKeepTriggerBodyWithInnerSemicolonsAndCaseEndInOneStatement() throws StatementException {
        String trigger = "CREATE TRIGGER tr AFTER INSERT ON a BEGIN "
                + "INSERT INTO log VALUES (CASE WHEN new.x > 0 THEN 'pos' ELSE 'neg' END); "
                + "UPDATE a SET x = x + 1; END";

        assertThat(SqlScanner.split(trigger + "; SELECT 1")).containsExactly(trigger, "SELECT 1");
    }

    @Test
    void shouldKeepTemporaryTriggerIfNotExistsInOneStatement() throws StatementException {
        String trigger = "CREATE TEMP TRIGGER IF NOT EXISTS tr BEFORE DELETE ON a BEGIN SELECT 1; SELECT 2; END";

        assertThat(SqlScanner.split(trigger + ";")).containsExactly(trigger);
    }

    @Test
    void shouldNumberParametersLikeSqlite() throws StatementException {
        ScannedStatement st = SqlScanner.scanOne("SELECT ?, ?, ?5, ?, :a, @b, :a, $c, ?2");

        assertThat(indexes(st)).containsExactly(1, 2, 5, 6, 7, 8, 7, 9, 2);
        assertThat(st.paramCount()).isEqualTo(9);
        assertThat(st.paramNames()).containsExactly(null, "?2", null, null, "?5", null, ":a", "@b", "$c");
    }

    @Test
    void shouldGiveRepeatedNamedParameterOneSlot() throws StatementException {
        ScannedStatement st = SqlScanner.scanOne("SELECT :a, :b, :a, :b");

        assertThat(st.paramCount()).isEqualTo(2);
        assertThat(indexes(st)).containsExactly(1, 2, 1, 2);
    }

    @Test
    void shouldTreatSameNameWithDifferentPrefixesAsDifferentParameters() throws StatementException {
        ScannedStatement st = SqlScanner.scanOne("SELECT :a, @a, $a");

        assertThat(st.paramCount()).isEqualTo(3);
        assertThat(st.paramNames()).containsExactly(":a", "@a", "$a");
    }

    @Test
    void shouldIgnoreParameterLookalikesInLiteralsAndComments() throws StatementException {
        ScannedStatement st = SqlScanner.scanOne("SELECT '?', 'it''s :a', \"?\", [@b], `$c`, x'3F' /* ? */ -- :d\n, ?");

        assertThat(st.paramCount()).isEqualTo(1);
        assertThat(st.paramNames()).containsExactly((String) null);
    }

    @Test
    void shouldRecordParameterPositionsInText() throws StatementException {
        String sql = "SELECT :name, ?";
        ScannedStatement st = SqlScanner.scanOne(sql);

        assertThat(sql.substring(st.params().get(0).start(), st.params().get(0).end())).isEqualTo(":name");
        assertThat(sql.substring(st.params().get(1).start(), st.params().get(1).end())).isEqualTo("?");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT ?0", "SELECT ?32767", "SELECT ?99999999999", "SELECT :", "SELECT @ + 1", "SELECT $"})
    void shouldRejectBadParameterAsParseError(String sql) throws StatementException {
        assertThat(codeOf(sql)).isEqualTo(ErrorCode.SQL_PARSE_ERROR);
    }

    @Test
    void shouldAcceptLargestParameterNumber() throws StatementException {
        assertThat(SqlScanner.scanOne("SELECT ?32766").paramCount()).isEqualTo(SqlScanner.MAX_PARAMETER_INDEX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 'open", "SELECT \"open", "SELECT [open", "SELECT `open", "SELECT x'AB"})
    void shouldRejectUnterminatedLiteralAsParseError(String sql) throws StatementException {
        assertThat(codeOf(sql)).isEqualTo(ErrorCode.SQL_PARSE_ERROR);
    }

    @Test
    void shouldAcceptUnterminatedBlockCommentAtEndAsSqliteDoes() throws StatementException {
        assertThat(SqlScanner.scanOne("SELECT 1 /* trailing").kind()).isEqualTo(StatementKind.READ);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n\t", ";", ";;", "-- c", "/* c */ ;"})
    void shouldRejectEmptyTextAsNoStatement(String sql) throws StatementException {
        assertThat(codeOf(sql)).isEqualTo(ErrorCode.SQL_NO_STATEMENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1; SELECT 2", "SELECT 1;SELECT 2;", "BEGIN; COMMIT"})
    void shouldRejectSeveralStatementsAsManyStatements(String sql) throws StatementException {
        assertThat(codeOf(sql)).isEqualTo(ErrorCode.SQL_MANY_STATEMENTS);
    }

    @Test
    void shouldAcceptTrailingSemicolonsAndComments() throws StatementException {
        assertThat(SqlScanner.scanOne("SELECT 1;  ; -- done").kind()).isEqualTo(StatementKind.READ);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "SELECT 1 | READ",
            "select * from t | READ",
            "VALUES (1) | READ",
            "(SELECT 1) | READ",
            "WITH x AS (SELECT 1) SELECT * FROM x | READ",
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x | WRITE",
            "INSERT INTO t VALUES (1) | INSERT",
            "INSERT OR REPLACE INTO t VALUES (1) | INSERT",
            "REPLACE INTO t VALUES (1) | INSERT",
            "UPDATE t SET a = 1 | WRITE",
            "DELETE FROM t | WRITE",
            "CREATE TABLE t(a) | DDL",
            "DROP TABLE t | DDL",
            "ALTER TABLE t ADD b | DDL",
            "EXPLAIN SELECT 1 | EXPLAIN",
            "EXPLAIN QUERY PLAN SELECT 1 | EXPLAIN",
            "PRAGMA foreign_keys=off | PRAGMA",
            "BEGIN | BEGIN",
            "BEGIN  | BEGIN",
            "begin deferred | BEGIN",
            "BEGIN TRANSACTION | BEGIN",
            "BEGIN IMMEDIATE | BEGIN_WRITE",
            "BEGIN EXCLUSIVE TRANSACTION | BEGIN_WRITE",
            "BEGIN TRANSACTION READONLY | BEGIN_READONLY",
            "begin transaction readonly | BEGIN_READONLY",
            "COMMIT | COMMIT",
            "END TRANSACTION | COMMIT",
            "ROLLBACK | ROLLBACK",
            "ROLLBACK TRANSACTION | ROLLBACK",
            "ROLLBACK TO sp | SAVEPOINT_CONTROL",
            "ROLLBACK TRANSACTION TO SAVEPOINT sp | SAVEPOINT_CONTROL",
            "SAVEPOINT sp | SAVEPOINT_CONTROL",
            "RELEASE sp | SAVEPOINT_CONTROL",
    })
    void shouldClassifyStatements(String sql, StatementKind kind) throws StatementException {
        assertThat(SqlScanner.scanOne(sql).kind()).isEqualTo(kind);
    }

    @Test
    void shouldClassifyLeadingCommentsAway() throws StatementException {
        assertThat(SqlScanner.scanOne("-- why\n/* how */ INSERT INTO t VALUES (1)").kind()).isEqualTo(StatementKind.INSERT);
    }

    @Test
    void shouldMatchNamedArgumentWithOrWithoutPrefix() throws StatementException {
        ScannedStatement st = SqlScanner.scanOne("SELECT ?, :a, @b, $c, ?5");

        assertThat(Arrays.asList(st.slotOf("a"), st.slotOf(":a"), st.slotOf("b"), st.slotOf("@b"), st.slotOf("c"), st.slotOf("$c")))
                .containsExactly(2, 2, 3, 3, 4, 4);
        assertThat(st.slotOf("?5")).isEqualTo(5);
        assertThat(st.slotOf("5")).as("a number is not a name").isZero();
        assertThat(st.slotOf("@a")).as("another prefix is another parameter").isZero();
        assertThat(st.slotOf("zz")).isZero();
        assertThat(st.slotOf("")).isZero();
    }

    @Test
    void shouldReportStatementTextUnchanged() throws StatementException {
        String sql = "  SELECT :a -- x\n";

        assertThat(SqlScanner.scanOne(sql).sql()).isEqualTo(sql);
    }

    @Test
    void shouldTakeTheStatementBehindEmptyStatementsAsTheEnginesDo() throws StatementException {
        ScannedStatement st = SqlScanner.scanOne(";; /* ; */ ;\n PRAGMA journal_mode = ?");

        assertThat(st.kind()).isEqualTo(StatementKind.PRAGMA);
        assertThat(st.sql()).isEqualTo("\n PRAGMA journal_mode = ?");
        assertThat(st.sql().substring(st.params().get(0).start(), st.params().get(0).end())).isEqualTo("?");
        assertThat(SqlScanner.scanOne("; BEGIN IMMEDIATE", SqlScanner.Syntax.POSTGRESQL).sql()).isEqualTo(" BEGIN IMMEDIATE");
    }

    @Test
    void shouldHandOutOneScanPerTextAndSyntaxAndNeverKeepAFailure() throws StatementException {
        String sql = "SHOW search_path";

        assertThat(SqlScanner.scanOne(sql, SqlScanner.Syntax.POSTGRESQL)).isSameAs(SqlScanner.scanOne(sql, SqlScanner.Syntax.POSTGRESQL));
        assertThat(SqlScanner.scanOne(sql, SqlScanner.Syntax.POSTGRESQL).kind()).isEqualTo(StatementKind.READ);
        assertThat(SqlScanner.scanOne(sql, SqlScanner.Syntax.SQLITE).kind()).isEqualTo(StatementKind.DDL);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> SqlScanner.scanOne("SELECT 'open")).isInstanceOf(StatementException.class);
        }
        for (int i = 0; i < 2_000; i++) { // more distinct texts than are kept: each still scans as itself
            assertThat(SqlScanner.scanOne("SELECT ?" + (i % 900 + 1)).paramCount()).isEqualTo(i % 900 + 1);
        }
    }

    @Test
    void shouldNotMistakeStringContentForStatementEnd() throws StatementException {
        assertThatThrownBy(() -> SqlScanner.scanOne("SELECT 'a'; SELECT ';'"))
                .isInstanceOf(StatementException.class);
        assertThat(SqlScanner.scanOne("SELECT 'a; SELECT 2'").paramCount()).isZero();
    }

    @Test
    void shouldRefuseSqlContainingANulCharacterBecauseSqliteWouldStopReadingThere() {
        assertThatThrownBy(() -> SqlScanner.scanOne("\u0000"))
                .isInstanceOf(StatementException.class)
                .satisfies(e -> assertThat(((StatementException) e).code()).isEqualTo("SQL_PARSE_ERROR"));
        assertThatThrownBy(() -> SqlScanner.scanOne("SELECT 1\u0000; DROP TABLE t"))
                .isInstanceOf(StatementException.class);
    }
}
