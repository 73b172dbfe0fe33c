package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** One duration syntax for every CLI option that is a duration. */
class DurationOptionsTest {

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "5s, PT5S", "2m, PT2M", "1h, PT1H", "7d, PT168H", "PT5S, PT5S", "pt90s, PT1M30S", "P7D, PT168H", "0, PT0S"})
    void shouldAcceptShortFormsAndIso8601(String given, String expected) {
        assertThat(DurationConverter.parse(given)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "300000 | '300000' has no unit; expected a duration like 500ms, 5s, 2m, 1h or PT5S (e.g. 300000ms or 300000s)",
            "-5     | '-5' has no unit",
            "-PT1S  | '-PT1S' is negative",
            "5 s    | '5 s' is not a duration",
            "soon   | 'soon' is not a duration like 500ms, 5s, 2m, 1h or PT5S"})
    void shouldRefuseAmbiguousOrMalformedDurationsSayingWhatIsExpected(String given, String message) {
        assertThatThrownBy(() -> DurationConverter.parse(given)).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining(message);
    }

    /** Every Duration option of every command, found by walking the tree: each reads all four spellings. */
    @Test
    void shouldParseEverySpellingOnEveryDurationOptionOfEveryCommand() {
        List<String> checked = new ArrayList<>();
        for (CommandLine sub : SluiceCommand.commandLine().getSubcommands().values()) {
            for (OptionSpec o : sub.getCommandSpec().options()) {
                if (o.type() != Duration.class) {
                    continue;
                }
                for (String v : List.of("5s", "2m", "500ms", "PT5S")) {
                    CommandLine root = SluiceCommand.commandLine();
                    try {
                        root.parseArgs(sub.getCommandName(), o.longestName() + "=" + v);
                    } catch (CommandLine.MissingParameterException e) {
                        // a required positional (bench's workload) is checked after the options were converted
                    }
                    CommandLine fresh = root.getSubcommands().get(sub.getCommandName());
                    assertThat(fresh.getCommandSpec().findOption(o.longestName()).<Duration>getValue())
                            .as(sub.getCommandName() + " " + o.longestName() + "=" + v).isEqualTo(DurationConverter.parse(v));
                }
                checked.add(sub.getCommandName() + " " + o.longestName());
            }
        }
        assertThat(checked).contains("migrate --soak", "migrate --poll-interval", "migrate --timeout", "health-check --duration",
                "health-check --interval", "health-check --timeout", "auth:token --ttl", "bench --duration", "bench --warmup");
    }

    /** A duration declared as a bare number of some unit would dodge the converter: no option may take one. */
    @Test
    void shouldDeclareNoOptionAsANumberOfMillisecondsOrSeconds() {
        for (CommandLine sub : SluiceCommand.commandLine().getSubcommands().values()) {
            for (OptionSpec o : sub.getCommandSpec().options()) {
                String text = String.join(" ", o.description()) + " " + o.paramLabel();
                assertThat(text).as(sub.getCommandName() + " " + o.longestName())
                        .doesNotContainPattern("\\bMS\\b|, ms\\b|\\bmilliseconds\\b|\\bin seconds\\b");
            }
        }
    }

    @Test
    void shouldExitWithUsageErrorNamingTheOptionForADurationWithoutUnit() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = SluiceCommand.run(new String[] {"health-check", "--timeout", "30000", "--url", "http://127.0.0.1:9"},
                new PrintWriter(out), new PrintWriter(err));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--timeout': '30000' has no unit");
    }
}
