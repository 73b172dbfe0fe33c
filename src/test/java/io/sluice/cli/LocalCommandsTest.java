package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.auth.JwtVerifier;
import io.sluice.auth.Principal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands that never talk to a server: shell completion and admin token minting. */
class LocalCommandsTest {

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SluiceCommand.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldPrintACompletionScriptNamingEveryCommand() {
        Run r = run("completion");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_sluice")
                .contains("monitor:connections", "debug:logs", "flags:rollout", "config:update", "maint:backup",
                        "auth:token", "health-check", "completion")
                .contains("--admin").contains("--json").contains("COMP_WORDBREAKS=${COMP_WORDBREAKS//:}");
    }

    @Test
    void shouldShowExamplesInTheHelpOfCompletion() {
        Run r = run("completion", "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Examples:").contains("source <(sluice completion)");
    }

    @Test
    void shouldMintAnAdminTokenThatCarriesTheAdminRole(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.pem");
        Run keygen = run("auth:keygen", "--private-key", key.toString());
        assertThat(keygen.exit()).as(keygen.err()).isZero();
        String publicKey = keygen.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        JwtVerifier verifier = new JwtVerifier(List.of(publicKey), Clock.systemUTC());

        Run admin = run("auth:token", "--private-key", key.toString(), "--admin", "--subject", "ops", "--ttl", "PT5M");
        Run data = run("auth:token", "--private-key", key.toString(), "--subject", "app");

        assertThat(admin.exit()).as(admin.err()).isZero();
        Principal p = verifier.verify(admin.out().strip());
        assertThat(p.admin()).isTrue();
        assertThat(p.subject()).isEqualTo("ops");
        assertThat(verifier.verify(data.out().strip()).admin()).isFalse();
        assertThat(Files.exists(key)).isTrue();
    }

    @Test
    void shouldWriteThePublicKeyToAFileTheServerAccepts(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("sluice-jwt.key");
        Path pub = dir.resolve("jwt-public.key");
        Run keygen = run("auth:keygen", "--private-key", key.toString(), "--public-key", pub.toString());
        assertThat(keygen.exit()).as(keygen.err()).isZero();

        JwtVerifier verifier = new JwtVerifier(List.of(Files.readString(pub).strip()), Clock.systemUTC());
        Run token = run("auth:token", "--private-key", key.toString(), "--subject", "app");
        assertThat(verifier.verify(token.out().strip()).subject()).isEqualTo("app");
        assertThat(run("auth:keygen", "--private-key", dir.resolve("other.key").toString(), "--public-key", pub.toString()).exit())
                .as("never overwrites").isEqualTo(1);
    }

    @Test
    void shouldTakeTheRollbackReasonAsAnArgumentOnlyWithRollback() {
        Run wrong = run("migrate", "--target=canary", "p95 too high");
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.err()).contains("REASON argument goes only with --rollback");
        // parsed and sent: the unreachable server is the only failure left
        Run parsed = run("migrate", "--rollback", "p95 too high", "--url", "http://127.0.0.1:9", "--timeout", "0");
        assertThat(parsed.err()).doesNotContain("Unmatched argument").doesNotContain("REASON argument");
    }

    @Test
    void shouldPrintHelpWithPercentSignsAndNoFormatWarnings() {
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(stderr, true));
        Run health;
        Run flags;
        try {
            health = run("health-check", "--help");
            flags = run("flags:show", "--help");
        } finally {
            System.setErr(saved);
        }
        assertThat(health.out()).contains("error rate < 1 %").contains("50%").contains("default 50");
        assertThat(flags.out()).contains("rollout %)");
        assertThat(health.err() + flags.err() + stderr).doesNotContainIgnoringCase("warn").doesNotContain("format");
    }

    /** Every command's help (hidden aliases included) renders cleanly: a bare % in any text would warn or fail here. */
    @Test
    void shouldPrintEveryCommandsHelpWithoutWarnings() {
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(stderr, true));
        List<String> names = new java.util.ArrayList<>(SluiceCommand.commandLine().getSubcommands().keySet());
        try {
            for (String name : names) {
                Run help = run(name, "--help");
                assertThat(help.exit()).as(name).isZero();
                assertThat(help.out()).as(name).contains("Usage:");
                assertThat(help.err()).as(name).isEmpty();
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(names).contains("flags:define", "flags:delete", "flags:audit", "config:backup", "maint:backup", "maint:backup-data");
        assertThat(stderr.toString()).doesNotContainIgnoringCase("warn").doesNotContain("format");
    }

    @Test
    void shouldPrintServeHelpWithoutStartingTheServer() {
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        System.setOut(new java.io.PrintStream(stdout, true));
        try {
            io.sluice.SluiceMain.main("serve", "--help");
        } finally {
            System.setOut(saved);
        }
        assertThat(stdout.toString()).startsWith("Usage: sluice [serve]").contains("SLUICE_DATA_DIR");
    }
}
