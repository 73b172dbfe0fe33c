package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How progress reaches a terminal, a log and nobody, on a fake clock. */
class ProgressTest {
    private final StringWriter written = new StringWriter();
    private final AtomicLong clock = new AtomicLong(1_000);

    private Progress progress(Progress.Mode mode) {
        return new Progress(new PrintWriter(written), mode, Duration.ofSeconds(10), clock::get, 40);
    }

    private void after(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void shouldRewriteTheStatusInPlaceOnATerminalAndKeepLinesAboveIt() {
        Progress p = progress(Progress.Mode.LIVE);

        p.status("1 / 10 s: 900 operations/s");
        p.status("2 / 10 s: 950 operations/s");
        p.line("step 2 reached");
        p.status("3 / 10 s: 990 operations/s");
        p.clear();

        assertThat(written.toString()).isEqualTo("\r\033[K1 / 10 s: 900 operations/s\r\033[K2 / 10 s: 950 operations/s"
                + "\r\033[Kstep 2 reached" + System.lineSeparator() + "\r\033[K3 / 10 s: 990 operations/s\r\033[K");
    }

    @Test
    void shouldCutALiveStatusLongerThanTheTerminalSoItCanBeRewritten() {
        Progress p = progress(Progress.Mode.LIVE);

        p.status("x".repeat(100));

        assertThat(written.toString()).isEqualTo("\r\033[K" + "x".repeat(39) + "…");
    }

    @Test
    void shouldPrintPlainStatusLinesAtMostOncePerIntervalInALog() {
        Progress p = progress(Progress.Mode.LINES);

        p.status("too soon");
        after(Duration.ofSeconds(10));
        p.status("first");
        after(Duration.ofSeconds(1));
        p.status("one second later");
        p.line("a step");
        after(Duration.ofSeconds(9));
        p.status("nine seconds after the step");
        after(Duration.ofSeconds(1));
        p.status("ten seconds after the step");
        p.clear();

        assertThat(written.toString().lines()).containsExactly("first", "a step", "ten seconds after the step");
        assertThat(written.toString()).doesNotContain("\r").doesNotContain("\033");
    }

    @Test
    void shouldPrintNothingWhenOff() {
        Progress p = progress(Progress.Mode.OFF);

        p.line("started");
        after(Duration.ofMinutes(1));
        p.status("working");
        p.clear();

        assertThat(written.toString()).isEmpty();
    }
}
