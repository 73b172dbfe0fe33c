package io.sluice.cli;

import io.sluice.auth.Access;
import io.sluice.auth.TokenMinter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code sluice} command. {@code serve} is handled by the main class before picocli. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = SluiceCommand.Version.class,
        description = "Sluice: a libSQL (Hrana over HTTP) gateway. Run with no arguments or 'serve' to start the server.")
public final class SluiceCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Every subcommand, in the order {@code sluice --help} lists them. Registered in code rather than in the
     * {@code @Command} annotation so that a command line only builds the model of the command it runs.
     */
    static final List<Class<?>> COMMANDS = List.of(Keygen.class, Token.class, ConnectionCommands.Monitor.class,
            ConnectionCommands.Debug.class, ConnectionCommands.Breaker.class, MonitorCommands.Health.class, MonitorCommands.Metrics.class,
            MonitorCommands.Performance.class,
            FlagCommands.Show.class, FlagCommands.Enable.class, FlagCommands.Disable.class, FlagCommands.Rollout.class,
            FlagCommands.Define.class, FlagCommands.Delete.class, FlagCommands.Audit.class,
            FlagCommands.Killswitch.class, ConfigCommands.Show.class, ConfigCommands.Update.class, ConfigCommands.Validate.class,
            ConfigCommands.Export.class, HealthCheckCommand.class, MigrateCommand.class, DeployCommands.Status.class,
            DeployCommands.Rollback.class, MaintCommands.Cleanup.class,
            MaintCommands.Optimize.class, MaintCommands.Backup.class, MaintCommands.DeprecatedBackup.class,
            MaintCommands.BackupData.class, LogCommands.Logs.class, SqlShellCommand.class, Completion.class,
            io.sluice.bench.BenchCommand.class,
            CommandLine.HelpCommand.class);

    /** Parses and runs a client command, returning its exit code; output goes to the given writers. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /**
     * The command line for these arguments: when the first names a command that acts on itself
     * alone, only that command is registered, so picocli reflects over one command class instead of all of
     * them (most of a client command's start-up, before it does any network work). {@code sluice -V}, help,
     * completion, an unknown command or none get the whole tree, exactly as before.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new SluiceCommand());
        String first = args.length == 0 ? null : args[0];
        Class<?> only = first == null || first.startsWith("-") ? null : named(first);
        if (only != null && only != Completion.class && only != CommandLine.HelpCommand.class) {
            cl.addSubcommand(only);
        } else if (!(args.length == 1 && (first.equals("-V") || first.equals("--version")))) {
            COMMANDS.forEach(cl::addSubcommand);
        }
        // after the subcommands exist: registering on the root reaches every one of them
        cl.registerConverter(Duration.class, new DurationConverter());
        return cl;
    }

    private static Class<?> named(String name) {
        for (Class<?> c : COMMANDS) {
            Command command = c.getAnnotation(Command.class);
            if (command.name().equals(name) || Arrays.asList(command.aliases()).contains(name)) {
                return c;
            }
        }
        return null;
    }

    public static int run(String... args) {
        return run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code sluice serve --help}: serve is not a picocli command (it boots Quarkus), so its help is this text. */
    public static String serveUsage() {
        return String.join(System.lineSeparator(),
                "Usage: sluice [serve]",
                "Start the Sluice server: the Hrana data API and admin API on port 8080 (QUARKUS_HTTP_PORT), probes and",
                "metrics on 9000 (QUARKUS_MANAGEMENT_PORT). Configuration comes from the environment, e.g.:",
                "  SLUICE_DATA_DIR              embedded SQLite directory (default ./data)",
                "  SLUICE_DATABASE_URL          a JDBC URL selects PostgreSQL instead",
                "  SLUICE_AUTH_JWT_PUBLIC_KEYS  Ed25519 public keys for data API tokens (auth:keygen)",
                "  SLUICE_ADMIN_TOKEN           bearer token of the admin API",
                "  SLUICE_SHUTDOWN_GRACE        how long streams may finish after SIGTERM (default 20s)",
                "Every setting: the README's configuration reference. Other commands: sluice --help", "");
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
            description = "Print a bash/zsh completion script for every sluice command and option.",
            footer = {"%nThe script completes the command 'sluice'; define it first, e.g.%n"
                    + "  alias sluice='java -jar target/quarkus-app/quarkus-run.jar'%n%nExamples:%n"
                    + "  source <(sluice completion)                       # this shell (bash, or zsh)%n"
                    + "  sluice completion > /etc/bash_completion.d/sluice  # every new shell"})
    static final class Completion implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String script = picocli.AutoComplete.bash("sluice", spec.root().commandLine());
            // Sluice's command names contain ':', which bash otherwise treats as a word break, so that
            // "debug:l<TAB>" would complete "l" alone; npm's completion script does the same for '=' and '@'.
            out.print(script.replace("\ncomplete -F _complete_sluice", "\nCOMP_WORDBREAKS=${COMP_WORDBREAKS//:}\ncomplete -F _complete_sluice"));
            out.flush();
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {VersionLine.text()};
        }
    }

    @Command(name = "auth:keygen", mixinStandardHelpOptions = true,
            description = "Generate an Ed25519 key pair for data API tokens. Writes the private key to a file and prints the "
                    + "public key for SLUICE_AUTH_JWT_PUBLIC_KEYS (with --public-key, writes it to a file instead).")
    static final class Keygen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--private-key", defaultValue = "sluice-jwt.key",
                description = "File to write the private key (PEM) to; default ${DEFAULT-VALUE}")
        Path privateKey;

        @Option(names = "--public-key", paramLabel = "FILE",
                description = "Also write the public key (base64url, the value of SLUICE_AUTH_JWT_PUBLIC_KEYS) to this file")
        Path publicKey;

        @Override
        public Integer call() throws IOException {
            for (Path p : publicKey == null ? java.util.List.of(privateKey) : java.util.List.of(privateKey, publicKey)) {
                if (Files.exists(p)) {
                    spec.commandLine().getErr().println("refusing to overwrite " + p);
                    return 1;
                }
            }
            TokenMinter.KeyMaterial keys = TokenMinter.generateKeyPair();
            Files.writeString(privateKey, keys.privateKeyPem());
            try {
                Files.setPosixFilePermissions(privateKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; the file keeps the default permissions
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("private key written to " + privateKey);
            if (publicKey != null) {
                Files.writeString(publicKey, keys.publicKeyBase64Url() + "\n");
                out.println("public key written to " + publicKey + " (set SLUICE_AUTH_JWT_PUBLIC_KEYS to its content)");
            } else {
                out.println("public key (set SLUICE_AUTH_JWT_PUBLIC_KEYS to it):");
                out.println(keys.publicKeyBase64Url());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "auth:token", mixinStandardHelpOptions = true,
            description = "Mint a data API token (JWT, EdDSA) signed with a private key from auth:keygen; "
                    + "--admin adds the admin role, which the admin API accepts as well as the data API.",
            footer = {"%nExamples:%n  sluice auth:token --access ro --subject reports --ttl 7d%n"
                    + "  sluice auth:token --admin --subject ops --ttl 1h%n"
                    + "  sluice monitor:health --token \"$(sluice auth:token --admin --ttl 10m)\""})
    static final class Token implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--private-key", defaultValue = "sluice-jwt.key", description = "Private key file (PEM); default ${DEFAULT-VALUE}")
        Path privateKey;

        @Option(names = "--access", defaultValue = "rw", description = "ro or rw; default ${DEFAULT-VALUE}")
        String access;

        @Option(names = "--subject", description = "Token subject (sub claim)")
        String subject;

        @Option(names = "--ttl", paramLabel = "DURATION", description = "Lifetime, e.g. 10m, 1h, 7d or PT1H; default: no expiry")
        Duration ttl;

        @Option(names = "--admin", description = "Add the admin role (\"roles\": [\"admin\"]): the token then also opens the admin API")
        boolean admin;

        @Override
        public Integer call() throws IOException {
            Access a;
            try {
                a = Access.fromClaim(access);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("--access must be ro or rw");
                return 2;
            }
            if (!Files.isReadable(privateKey)) {
                spec.commandLine().getErr().println("cannot read the private key file " + privateKey + " (create one with auth:keygen)");
                return 2;
            }
            try {
                TokenMinter minter = TokenMinter.fromPrivateKeyPem(Files.readString(privateKey), Clock.systemUTC());
                spec.commandLine().getOut().println(minter.mint(a, subject, ttl, admin));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
