package io.sluice.cli;

import io.sluice.sql.SqlScanner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice sql}: an SQL shell over the data API. Interactive with line editing and history on a terminal;
 * otherwise it runs a file ({@code --file}) or standard input and stops at the first error.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "An SQL shell against a running Sluice over the data API (/v3/pipeline). On a terminal it is "
                + "interactive (line editing, history in ~/.sluice_sql_history); otherwise it runs --file or standard "
                + "input. A statement ends at a ';' outside strings and comments. BEGIN ... COMMIT spans lines: the "
                + "transaction's stream is kept until it ends, and closed (rolled back) on exit.",
        footer = {"%nCommands: .tables  .schema [TABLE]  .mode table|csv|json  .help  .quit%n",
                "Exit codes: 0 done, 1 a statement failed (the first one stops the run unless --continue), "
                        + "2 the server could not be reached.%n",
                "Examples:%n  sluice sql http://localhost:8080%n  SLUICE_TOKEN=\"$(sluice auth:token)\" sluice sql --file seed.sql%n"
                        + "  echo 'SELECT count(*) FROM users;' | sluice sql --mode csv"})
final class SqlShellCommand implements Callable<Integer> {
    static final int FAILED = 1;
    static final int UNREACHABLE = 2;
    private static final int HISTORY_LINES = 1000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "URL",
            description = "Sluice base URL; default --url, else env SLUICE_URL, else http://localhost:8080")
    String positionalUrl;

    @Option(names = "--url", defaultValue = "${env:SLUICE_URL:-http://localhost:8080}", description = "Sluice base URL (env SLUICE_URL)")
    String url;

    @Option(names = "--token", defaultValue = "${env:SLUICE_TOKEN}", description = "Data API token (env SLUICE_TOKEN); never put it in the URL")
    String token;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Run the statements of this file and exit")
    Path file;

    @Option(names = "--continue", description = "Do not stop at the first failed statement (the exit code is still 1)")
    boolean keepGoing;

    @Option(names = "--mode", defaultValue = "table", paramLabel = "MODE", description = "table, csv or json; default ${DEFAULT-VALUE}")
    String mode;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long one statement may take; default ${DEFAULT-VALUE}")
    Duration timeout;

    @Option(names = "--postgres-syntax", description = "Split statements by PostgreSQL's lexical rules ($$ quotes, nested comments)")
    boolean postgresSyntax;

    private PrintWriter out;
    private PrintWriter err;
    private ResultPrinter.Mode outputMode;
    private SqlScanner.Syntax syntax = SqlScanner.Syntax.SQLITE;
    private DataClient client;
    private boolean failed;
    private boolean quit;
    private boolean postgresCatalog;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        outputMode = ResultPrinter.Mode.parse(mode);
        if (outputMode == null) {
            err.println("--mode must be table, csv or json");
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        if (timeout.isNegative() || timeout.isZero()) {
            err.println("--timeout must be positive");
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        syntax = postgresSyntax ? SqlScanner.Syntax.POSTGRESQL : SqlScanner.Syntax.SQLITE;
        try {
            client = new DataClient(positionalUrl != null ? positionalUrl : url, token, timeout);
            if (file != null) {
                if (!Files.isReadable(file)) {
                    err.println("cannot read " + file);
                    return CommandLine.ExitCode.USAGE;
                }
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    return script(in);
                }
            }
            if (System.console() != null) {
                keepGoing = true; // a person at the keyboard decides after each error
                return SqlShellTerminal.interactive(this);
            }
            return script(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        } catch (AdminClient.Unreachable e) {
            err.println("error: " + e.getMessage());
            return UNREACHABLE;
        } catch (IOException e) {
            err.println("error: cannot read the input: " + e.getMessage());
            return FAILED;
        } finally {
            if (client != null) {
                if (client.inTransaction()) {
                    err.println("warning: the open transaction was rolled back");
                }
                client.close();
            }
            out.flush();
            err.flush();
        }
    }

    /** The non-interactive run: statements as they complete, dot commands on lines of their own. */
    private int script(BufferedReader in) throws IOException, AdminClient.Unreachable {
        StringBuilder buffer = new StringBuilder();
        String line;
        while (!quit && (line = in.readLine()) != null) {
            if (buffer.length() == 0 && line.strip().startsWith(".")) {
                dotCommand(line.strip());
            } else {
                buffer.append(line).append('\n');
                // only a line with a ';' can end a statement: a long statement is not re-scanned per line
                if (line.indexOf(';') >= 0) {
                    runComplete(buffer);
                }
            }
            if (failed && !keepGoing) {
                return FAILED;
            }
        }
        if (!quit) {
            // a last statement without its ';' still runs, as in sqlite3
            // (an unterminated string or comment goes to the server too, which names the parse error)
            for (String sql : SqlScanner.split(buffer.toString(), syntax)) {
                if (!statement(sql) && !keepGoing) {
                    return FAILED;
                }
            }
        }
        return failed ? FAILED : 0;
    }

    /** Runs the complete statements at the start of the buffer and leaves the unfinished rest in it. */
    void runComplete(StringBuilder buffer) throws AdminClient.Unreachable {
        SqlScanner.Terminated t = SqlScanner.splitTerminated(buffer.toString(), syntax);
        buffer.setLength(0);
        for (int i = 0; i < t.statements().size(); i++) {
            if (!statement(t.statements().get(i)) && !keepGoing) {
                return;
            }
        }
        buffer.append(t.rest());
    }

    /** True when the text holds a statement that a ';' does not yet end (the shell waits for more lines). */
    boolean incomplete(String text) {
        return !text.strip().startsWith(".") && !SqlScanner.splitTerminated(text, syntax).rest().isEmpty();
    }

    /** Runs one statement and prints its result or its error; false when it failed. */
    boolean statement(String sql) throws AdminClient.Unreachable {
        try {
            ResultPrinter.print(out, outputMode, client.execute(sql));
            return true;
        } catch (DataClient.HranaError e) {
            failed = true;
            out.flush();
            err.println(e.line());
            err.flush();
            return false;
        }
    }

    /** A dot command; false when it failed. */
    boolean dotCommand(String line) throws AdminClient.Unreachable {
        String[] words = line.split("\\s+");
        String arg = words.length > 1 ? words[1] : null;
        if (words.length > 2) {
            return usage("too many arguments: " + line);
        }
        switch (words[0]) {
            case ".quit", ".exit" -> {
                quit = true;
                return true;
            }
            case ".help" -> {
                out.println(String.join(System.lineSeparator(),
                        "SQL statements end with ';' and may span lines. BEGIN ... COMMIT keeps one transaction across lines.",
                        ".tables                 list tables and views",
                        ".schema [TABLE]         show the CREATE statements (of one table)",
                        ".mode table|csv|json    how results are printed (now: " + outputMode.name().toLowerCase() + ")",
                        ".help                   this text",
                        ".quit                   leave (an open transaction is rolled back)"));
                out.flush();
                return true;
            }
            case ".mode" -> {
                ResultPrinter.Mode m = arg == null ? null : ResultPrinter.Mode.parse(arg);
                if (m == null) {
                    return usage(".mode table|csv|json (now: " + outputMode.name().toLowerCase() + ")");
                }
                outputMode = m;
                return true;
            }
            case ".tables" -> {
                return arg == null ? tables() : usage(".tables takes no argument");
            }
            case ".schema" -> {
                return schema(arg);
            }
            default -> {
                return usage("unknown command " + words[0] + " (.help lists them)");
            }
        }
    }

    private boolean usage(String message) {
        failed = true;
        err.println("error: " + message);
        err.flush();
        return false;
    }

    private boolean tables() throws AdminClient.Unreachable {
        DataClient.Result r =
                catalog("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name");
        if (r == null) {
            return false;
        }
        for (var row : r.rows()) {
            out.println(ResultPrinter.printable(ResultPrinter.text(row.get(0), "")));
        }
        out.flush();
        return true;
    }

    private boolean schema(String table) throws AdminClient.Unreachable {
        String[] args = table == null ? new String[0] : new String[] {table};
        String filter = table == null ? "" : " AND tbl_name = ?";
        String pgFilter = table == null ? "" : " AND table_name = ?";
        DataClient.Result r = catalog(
                "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'" + filter + " ORDER BY rowid",
                "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()"
                        + pgFilter + " ORDER BY table_name, ordinal_position",
                args);
        if (r == null) {
            return false;
        }
        if (r.columns().size() == 1) {
            for (var row : r.rows()) {
                out.println(ResultPrinter.text(row.get(0), "") + ";");
            }
        } else {
            // PostgreSQL keeps no CREATE text: the columns are shown as a table definition
            String current = null;
            for (var row : r.rows()) {
                String name = ResultPrinter.text(row.get(0), "");
                if (!name.equals(current)) {
                    out.print(current == null ? "" : "\n);\n");
                    out.print("CREATE TABLE " + name + " (");
                    current = name;
                } else {
                    out.print(",");
                }
                out.print("\n  " + ResultPrinter.text(row.get(1), "") + " " + ResultPrinter.text(row.get(2), "")
                        + ("NO".equals(ResultPrinter.text(row.get(3), "")) ? " NOT NULL" : ""));
            }
            out.print(current == null ? "" : "\n);\n");
        }
        if (table != null && r.rows().isEmpty()) {
            return usage("no table named " + table);
        }
        out.flush();
        return true;
    }

    /** Runs the SQLite catalogue query, or the PostgreSQL one where SQLite's catalogue does not exist. */
    private DataClient.Result catalog(String sqlite, String postgres, String... args) throws AdminClient.Unreachable {
        try {
            return client.execute(postgresCatalog ? postgres : sqlite, args);
        } catch (DataClient.HranaError sqliteFailed) {
            if (postgresCatalog) {
                failed = true;
                err.println(sqliteFailed.line());
                err.flush();
                return null;
            }
            try {
                DataClient.Result r = client.execute(postgres, args);
                postgresCatalog = true; // the server is PostgreSQL: ask its catalogue first from now on
                return r;
            } catch (DataClient.HranaError e) {
                failed = true;
                err.println(sqliteFailed.line());
                err.flush();
                return null;
            }
        }
    }

    boolean quitRequested() {
        return quit;
    }

    boolean inTransaction() {
        return client.inTransaction();
    }

    /** See {@link DataClient#keepAlive}. */
    String keepAlive(Duration idle) {
        return client.keepAlive(idle);
    }

    void clearFailure() {
        failed = false;
    }

    PrintWriter err() {
        return err;
    }

    static int historyLines() {
        return HISTORY_LINES;
    }
}
