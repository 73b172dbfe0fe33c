package io.sluice.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive side of {@code sluice sql}: JLine line editing, a bounded history file in the user's home, and
 * multi-line statements: Enter on a statement that no {@code ;} ends yet opens a continuation line, so a
 * statement is edited and recalled from history as one entry.
 */
final class SqlShellTerminal {
    static final String HISTORY_FILE = ".sluice_sql_history";
    /** Idle time after which an open transaction's stream is renewed: well under the server's 10 s default. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(3);

    private SqlShellTerminal() {
    }

    static int interactive(SqlShellCommand shell) throws IOException, AdminClient.Unreachable {
        ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-sql-keepalive");
            t.setDaemon(true);
            return t;
        });
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = reader(terminal, shell, Path.of(System.getProperty("user.home"), HISTORY_FILE));
            keepAlive.scheduleWithFixedDelay(() -> {
                try {
                    String warning = shell.keepAlive(KEEP_ALIVE);
                    if (warning != null) {
                        reader.printAbove(warning);
                    }
                } catch (RuntimeException e) {
                    // a failed renewal is reported by the next statement's error; the schedule must survive it
                }
            }, 1, 1, TimeUnit.SECONDS);
            terminal.writer().println("Connected to Sluice. Statements end with ';'. .help for commands, .quit or Ctrl-D to leave.");
            terminal.flush();
            StringBuilder buffer = new StringBuilder();
            while (!shell.quitRequested()) {
                String text;
                try {
                    text = reader.readLine(shell.inTransaction() ? "sluice*> " : "sluice> ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C drops the statement being typed
                } catch (EndOfFileException e) {
                    break;
                }
                if (text.strip().startsWith(".")) {
                    shell.dotCommand(text.strip());
                } else {
                    buffer.setLength(0);
                    buffer.append(text).append('\n');
                    shell.runComplete(buffer);
                }
                shell.clearFailure();
            }
            reader.getHistory().save();
            return 0;
        } finally {
            keepAlive.shutdownNow();
        }
    }

    static LineReader reader(Terminal terminal, SqlShellCommand shell, Path history) {
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("sluice-sql").parser(new StatementParser(shell))
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "   ...> ")
                .variable(LineReader.HISTORY_SIZE, SqlShellCommand.historyLines())
                .variable(LineReader.HISTORY_FILE_SIZE, SqlShellCommand.historyLines())
                // '!' is SQL (<>, !=), not a history event
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, true);
        if (ownerOnly(history)) {
            b.variable(LineReader.HISTORY_FILE, history);
        }
        return b.build();
    }

    /** Creates the history file readable by its owner only (it holds the statements typed); false if it cannot be used. */
    private static boolean ownerOnly(Path history) {
        try {
            Files.createFile(history, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return true;
        } catch (FileAlreadyExistsException e) {
            return Files.isWritable(history);
        } catch (UnsupportedOperationException e) {
            try {
                Files.createFile(history);
                return true;
            } catch (IOException ex) {
                return Files.isWritable(history);
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Accepts a line only when every statement in it is ended by a ';' (or it is a dot command). */
    static final class StatementParser implements Parser {
        private final SqlShellCommand shell;

        StatementParser(SqlShellCommand shell) {
            this.shell = shell;
        }

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && shell.incomplete(line)) {
                throw new EOFError(-1, -1, "statement not ended by ';'", ";");
            }
            return new Whole(line, cursor);
        }
    }

    /** The line as one word: the shell completes nothing, it only needs to know when a statement ends. */
    private record Whole(String line, int cursor) implements ParsedLine {
        @Override
        public String word() {
            return line;
        }

        @Override
        public int wordCursor() {
            return cursor;
        }

        @Override
        public int wordIndex() {
            return 0;
        }

        @Override
        public List<String> words() {
            return List.of(line);
        }
    }
}
