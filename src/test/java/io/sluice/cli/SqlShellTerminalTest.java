package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive reader over a scripted terminal: continuation lines until a ';' ends the statement, and its history. */
class SqlShellTerminalTest {

    @TempDir
    Path dir;

    @Test
    void shouldAcceptAStatementOnlyWhenASemicolonOutsideStringsAndCommentsEndsIt() throws Exception {
        String typed = "SELECT 'a;\rb' -- not; yet\r/* nor ; here */\r;\r.tables\rSELECT 1 != 2;\r";
        Path history = dir.resolve("history");
        try (Terminal terminal = new ExternalTerminal("test", "xterm", new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), StandardCharsets.UTF_8)) {
            LineReader reader = SqlShellTerminal.reader(terminal, new SqlShellCommand(), history);

            assertThat(reader.readLine("sluice> ")).isEqualTo("SELECT 'a;\nb' -- not; yet\n/* nor ; here */\n;");
            assertThat(reader.readLine("sluice> ")).isEqualTo(".tables");
            // '!' is SQL, not a history event
            assertThat(reader.readLine("sluice> ")).isEqualTo("SELECT 1 != 2;");
            reader.getHistory().save();
        }

        assertThat(Files.readString(history)).contains("SELECT 'a;").contains(".tables").contains("SELECT 1 != 2;");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history))).isEqualTo("rw-------");
    }
}
