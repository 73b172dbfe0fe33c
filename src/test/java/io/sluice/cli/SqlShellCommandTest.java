package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.Cli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice sql} in its non-interactive mode (a file or standard input) against a running test server. */
@QuarkusTest
class SqlShellCommandTest {

    @TestHTTPResource("/")
    URL server;

    @TempDir
    Path dir;

    private String t;

    @BeforeEach
    void table() {
        t = "shell_t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        Cli.Run created = stdin("CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL);\n");
        assertThat(created.exit()).as(created.err()).isZero();
    }

    private Cli.Run file(String script, String... options) throws IOException {
        Path f = dir.resolve("script.sql");
        Files.writeString(f, script);
        String[] args = new String[options.length + 3];
        args[0] = "sql";
        args[1] = "--file";
        args[2] = f.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        return Cli.run(server, args);
    }

    private Cli.Run stdin(String script, String... options) {
        InputStream previous = System.in;
        System.setIn(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
        try {
            String[] args = new String[options.length + 1];
            args[0] = "sql";
            System.arraycopy(options, 0, args, 1, options.length);
            return Cli.run(server, args);
        } finally {
            System.setIn(previous);
        }
    }

    private String count() {
        Cli.Run r = stdin("SELECT count(*) FROM " + t + ";", "--mode", "csv");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().split("\r\n")[1];
    }

    @Test
    void shouldPrintAlignedTablesWhenAFileIsRun() throws IOException {
        Cli.Run r = file("INSERT INTO " + t + " VALUES (1, 'ada', 2.5), (22, 'grace hopper', NULL);\n"
                + "SELECT id, name, score, x'00ff' AS b FROM " + t + " ORDER BY id;\n");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().lines().toList()).containsExactly(
                "id | name         | score | b",
                "---+--------------+-------+--------",
                " 1 | ada          |   2.5 | x'00ff'",
                "22 | grace hopper |  NULL | x'00ff'",
                "(2 rows)");
    }

    @Test
    void shouldEndStatementsOnlyAtSemicolonsOutsideStringsAndComments() {
        Cli.Run r = stdin("INSERT INTO " + t + " (id, name)\n"
                + "  -- a comment; not the end\n"
                + "  VALUES (1, 'semi;colon\n"
                + "second line;'); /* a block comment; still nothing\n"
                + "   ; */ INSERT INTO " + t + " (id, name) VALUES (2, \"two\"\n"
                + ");\n"
                + "SELECT name FROM " + t + " ORDER BY id;", "--mode", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("[{\"name\":\"semi;colon\\nsecond line;\"},{\"name\":\"two\"}]");
    }

    @Test
    void shouldKeepOneTransactionAcrossLinesAndRollItBackWhenTheInputEndsInside() {
        Cli.Run open = stdin("BEGIN;\nINSERT INTO " + t + " VALUES (1, 'in tx', NULL);\n"
                + "SELECT count(*) AS n FROM " + t + ";\n", "--mode", "csv");

        assertThat(open.exit()).as(open.err()).isZero();
        assertThat(open.out()).isEqualTo("n\r\n1\r\n");
        assertThat(open.err()).contains("the open transaction was rolled back");
        assertThat(count()).isEqualTo("0");

        Cli.Run committed = stdin("BEGIN IMMEDIATE;\nINSERT INTO " + t + " VALUES (1, 'a', NULL);\n"
                + "INSERT INTO " + t + " VALUES (1, 'duplicate', NULL);\n"
                + "INSERT INTO " + t + " VALUES (2, 'b', NULL);\nCOMMIT;\n", "--continue");

        assertThat(committed.exit()).isEqualTo(1);
        assertThat(committed.err()).contains("error SQLITE_CONSTRAINT: UNIQUE constraint failed: " + t + ".id")
                .doesNotContain("rolled back");
        // the failed statement did not end the transaction: both good rows were committed together
        assertThat(count()).isEqualTo("2");
    }

    @Test
    void shouldStopAtTheFirstErrorWithItsCodeUnlessToldToContinue() throws IOException {
        String script = "INSERT INTO " + t + " VALUES (1, 'a', NULL);\n"
                + "INSERT INTO " + t + " VALUES (1, 'again', NULL);\n"
                + "INSERT INTO " + t + " VALUES (3, 'after', NULL);\n";

        Cli.Run stopped = file(script);

        assertThat(stopped.exit()).isEqualTo(1);
        assertThat(stopped.err().strip()).isEqualTo("error SQLITE_CONSTRAINT: UNIQUE constraint failed: " + t + ".id");
        assertThat(count()).isEqualTo("1");

        stdin("DELETE FROM " + t + ";");
        Cli.Run continued = file(script, "--continue");

        assertThat(continued.exit()).isEqualTo(1);
        assertThat(continued.err()).contains("error SQLITE_CONSTRAINT");
        assertThat(count()).isEqualTo("2");

        Cli.Run syntax = stdin("SELEC 1;\nSELECT 2;");
        assertThat(syntax.exit()).isEqualTo(1);
        assertThat(syntax.err()).startsWith("error SQL").contains("syntax error");
        assertThat(syntax.out()).isEmpty();
    }

    @Test
    void shouldRunTheLastStatementWithoutItsSemicolonAndReportAnUnterminatedString() {
        Cli.Run last = stdin("SELECT 41 + 1 AS answer", "--mode", "csv");
        Cli.Run unterminated = stdin("SELECT 'never closed");

        assertThat(last.exit()).as(last.err()).isZero();
        assertThat(last.out()).isEqualTo("answer\r\n42\r\n");
        assertThat(unterminated.exit()).isEqualTo(1);
        assertThat(unterminated.err().strip()).isEqualTo("error SQL_PARSE_ERROR: unterminated literal, identifier or comment");
    }

    @Test
    void shouldListTablesShowTheSchemaAndSwitchModes() throws Exception {
        Cli.Run r = stdin(".tables\n.schema " + t + "\nINSERT INTO " + t + " VALUES (1, 'x,\"y\"', 0.5);\n"
                + ".mode csv\nSELECT name, score FROM " + t + ";\n"
                + ".mode json\nSELECT id, name, score FROM " + t + ";\n.quit\nSELECT 'not reached';\n");

        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).contains(t);
        assertThat(r.out()).contains("CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL);")
                .contains("name,score\r\n\"x,\"\"y\"\"\",0.5\r\n")
                .doesNotContain("not reached");
        JsonNode json = Cli.JSON.readTree(lines[lines.length - 1]);
        assertThat(json.get(0).get("id").isIntegralNumber()).isTrue();
        assertThat(json.get(0).get("id").asLong()).isEqualTo(1);
        assertThat(json.get(0).get("name").asText()).isEqualTo("x,\"y\"");
        assertThat(json.get(0).get("score").asDouble()).isEqualTo(0.5);
    }

    @Test
    void shouldFailOnUnknownDotCommandsAndMissingTables() {
        Cli.Run unknown = stdin(".frobnicate\nSELECT 1;");
        Cli.Run badMode = stdin(".mode xml\n");
        Cli.Run missing = stdin(".schema no_such_table_here\n");

        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown command .frobnicate");
        assertThat(unknown.out()).isEmpty();
        assertThat(badMode.exit()).isEqualTo(1);
        assertThat(badMode.err()).contains(".mode table|csv|json");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no table named no_such_table_here");
    }

    @Test
    void shouldEscapeControlCharactersInTablesSoStoredDataCannotDriveTheTerminal() {
        Cli.Run r = stdin("SELECT 'red' || char(27) || '[31m' || char(10) || 'x' AS v;");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("red\\u001b[31m\\nx").doesNotContain("\u001b");
    }

    @Test
    void shouldExitTwoWhenTheServerCannotBeReached() {
        Cli.Run r = stdin("SELECT 1;", "http://127.0.0.1:1");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("cannot reach Sluice");
    }
}
