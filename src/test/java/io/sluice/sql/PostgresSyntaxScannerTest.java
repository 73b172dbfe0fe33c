package io.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.sluice.sql.SqlScanner.Syntax;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresSyntaxScannerTest {

    private static ScannedStatement pg(String sql) throws StatementException {
        return SqlScanner.scanOne(sql, Syntax.POSTGRESQL);
    }

    /** The text of each parameter occurrence, in order. */
    private static List<String> occurrences(ScannedStatement st) {
        return st.params().stream().map(p -> st.sql().substring(p.start(), p.end())).toList();
    }

    private static List<Integer> slots(ScannedStatement st) {
        return st.params().stream().map(ScannedStatement.Param::index).toList();
    }

    @Nested
    class SqliteSyntaxIsUnchanged {

        @Test
        void shouldNumberParametersAsSqliteDoes() throws StatementException {
            ScannedStatement st = SqlScanner.scanOne("SELECT ?, :a, ?5, :a, ?, @b, $c");
            assertThat(slots(st)).containsExactly(1, 2, 5, 2, 6, 7, 8);
            assertThat(st.paramCount()).isEqualTo(8);
            assertThat(st.paramNames()).containsExactly(null, ":a", null, null, "?5", null, "@b", "$c");
        }

        @Test
        void shouldKeepDollarInSqliteParameterNames() throws StatementException {
            ScannedStatement st = SqlScanner.scanOne("SELECT $a$, $1");
            assertThat(occurrences(st)).containsExactly("$a$", "$1");
            assertThat(st.paramNames()).containsExactly("$a$", "$1");
        }

        @Test
        void shouldTreatBracketsAndBackticksAsIdentifierQuotes() throws StatementException {
            assertThat(SqlScanner.scanOne("SELECT [a?b], `c?d` FROM t").params()).isEmpty();
        }

        @Test
        void shouldStillRejectACastLikeColon() {
            assertThatThrownBy(() -> SqlScanner.scanOne("SELECT x::int"))
                    .isInstanceOfSatisfying(StatementException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR));
        }

        @Test
        void shouldSplitTriggerBodies() {
            assertThat(SqlScanner.split("CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); END; SELECT 1"))
                    .hasSize(2);
        }
    }

    @Nested
    class PostgresSyntax {

        @Test
        void shouldNotTakeACastForAParameter() throws StatementException {
            ScannedStatement st = pg("SELECT x::int, :a::text, '1'::numeric(10,2)");
            assertThat(occurrences(st)).containsExactly(":a");
            assertThat(st.paramNames()).containsExactly(":a");
        }

        @Test
        void shouldNumberDollarParametersLikeQuestionMarkNumbers() throws StatementException {
            ScannedStatement st = pg("SELECT $2, $1, $2");
            assertThat(slots(st)).containsExactly(2, 1, 2);
            assertThat(st.paramNames()).containsExactly("$1", "$2");
            assertThat(st.slotOf("2")).isEqualTo(2);
        }

        static Stream<Arguments> literalsAndOperators() {
            return Stream.of(
                    arguments("SELECT $$a ? :b @c $d$$, ?", List.of("?")),
                    arguments("SELECT $fn$ it's ? $$ $fn$, :x", List.of(":x")),
                    arguments("SELECT $a$ ? $b$ ? $a$, @y", List.of("@y")),
                    arguments("SELECT E'it\\'s ?', ?", List.of("?")),
                    arguments("SELECT e'\\\\', ?", List.of("?")),
                    arguments("SELECT 'it''s ?', ?", List.of("?")),
                    arguments("SELECT \"col?\", ?", List.of("?")),
                    arguments("SELECT /* outer /* inner ? */ still ? */ ?", List.of("?")),
                    arguments("SELECT 1 -- ? :a\n, ?", List.of("?")),
                    arguments("SELECT ARRAY[?, $z]", List.of("?", "$z")),
                    arguments("SELECT a[1:2], f(x := 1), ?", List.of("?")),
                    arguments("SELECT '{1}'::int[] @> ARRAY[@v]", List.of("@v")),
                    arguments("SELECT j ?? 'k', j ??| ARRAY['k'], ?", List.of("?")),
                    arguments("SELECT `a` , :b", List.of(":b")));
        }

        @ParameterizedTest
        @MethodSource("literalsAndOperators")
        void shouldFindOnlyTheRealParameters(String sql, List<String> expected) throws StatementException {
            assertThat(occurrences(pg(sql))).containsExactlyElementsOf(expected);
        }

        @Test
        void shouldGiveOccurrenceSpansThatCoverTheParameterText() throws StatementException {
            ScannedStatement st = pg("SELECT :name::int + $1");
            assertThat(st.params()).extracting(ScannedStatement.Param::start, ScannedStatement.Param::end)
                    .containsExactly(tuple(7, 12), tuple(20, 22));
        }

        @ParameterizedTest
        @ValueSource(strings = {"SELECT $$ never closed", "SELECT $t$ never closed $$", "SELECT E'never closed\\'", "SELECT 1 /* /* */"})
        void shouldRejectUnterminatedLiterals(String sql) {
            assertThatThrownBy(() -> pg(sql))
                    .isInstanceOfSatisfying(StatementException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR));
        }

        @Test
        void shouldRejectAPrefixWithoutAName() {
            assertThatThrownBy(() -> pg("SELECT $ 1"))
                    .isInstanceOfSatisfying(StatementException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_PARSE_ERROR));
        }

        @Test
        void shouldNotSplitInsideDollarQuotesOrAtomicBodies() {
            String script = """
                    CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
                    CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
                    SELECT f(); SELECT E'a;b';""";
            assertThat(SqlScanner.split(script, Syntax.POSTGRESQL)).hasSize(4);
        }

        static Stream<Arguments> kinds() {
            return Stream.of(
                    arguments("START TRANSACTION ISOLATION LEVEL SERIALIZABLE", StatementKind.BEGIN),
                    arguments("BEGIN TRANSACTION READONLY", StatementKind.BEGIN_READONLY),
                    arguments("BEGIN IMMEDIATE", StatementKind.BEGIN_WRITE),
                    arguments("ABORT", StatementKind.ROLLBACK),
                    arguments("END", StatementKind.COMMIT),
                    arguments("COMMIT PREPARED 'x'", StatementKind.OTHER),
                    arguments("ROLLBACK TO SAVEPOINT a", StatementKind.SAVEPOINT_CONTROL),
                    arguments("SHOW search_path", StatementKind.READ),
                    arguments("TABLE t", StatementKind.READ),
                    arguments("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", StatementKind.WRITE),
                    arguments("WITH x AS (SELECT replace(a, 'b', 'c') AS r FROM t) SELECT r FROM x", StatementKind.READ),
                    arguments("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", StatementKind.WRITE));
        }

        @ParameterizedTest
        @MethodSource("kinds")
        void shouldClassifyPostgresStatements(String sql, StatementKind kind) throws StatementException {
            assertThat(pg(sql).kind()).isEqualTo(kind);
        }
    }
}
