package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A client command builds the model of that command only (its start-up cost), while everything that shows
 * the whole tree (help, completion, an unknown command) still sees every command.
 */
class CommandRegistrationTest {

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SluiceCommand.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    @Test
    void shouldRegisterOnlyTheNamedCommandWhenOneClientCommandRuns() {
        assertThat(SluiceCommand.commandLine("monitor:health", "--url", "http://127.0.0.1:1").getSubcommands())
                .containsOnlyKeys("monitor:health");
        assertThat(SluiceCommand.commandLine("bench", "select1").getSubcommands()).containsOnlyKeys("bench");
    }

    @Test
    void shouldRegisterNoCommandWhenOnlyTheVersionIsAsked() {
        Run r = run("-V");

        assertThat(SluiceCommand.commandLine("-V").getSubcommands()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("sluice ");
    }

    @Test
    void shouldListEveryCommandInTheHelpWhenNoCommandIsNamed() {
        Run help = run("--help");
        Run none = run();

        assertThat(help.exit()).isZero();
        for (Class<?> c : SluiceCommand.COMMANDS) {
            assertThat(help.out()).contains(name(c));
        }
        assertThat(none.out()).isEqualTo(help.out());
    }

    @Test
    void shouldRegisterTheWholeTreeForHelpAndCompletion() {
        for (String first : new String[] {"help", "completion", "--help", "no-such-command"}) {
            assertThat(SluiceCommand.commandLine(first).getSubcommands().keySet()).as(first)
                    .containsAll(SluiceCommand.COMMANDS.stream().map(CommandRegistrationTest::name).toList());
        }
        Run r = run("help", "flags:rollout");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("flags:rollout");
    }

    @Test
    void shouldStillSuggestCommandsWhenTheNameIsUnknown() {
        Run r = run("flags:shwo");

        assertThat(r.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(r.err()).contains("flags:shwo").contains("flags:show");
    }
}
