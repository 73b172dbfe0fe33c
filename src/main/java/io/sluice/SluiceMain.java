package io.sluice;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.sluice.cli.SluiceCommand;
import io.sluice.config.StartupFailure;
import java.util.List;

/**
 * The one binary: {@code sluice serve} (the default) boots the server; every other command is parsed
 * by picocli before Quarkus starts and never boots it.
 */
@QuarkusMain
public final class SluiceMain {

    SluiceMain() {
    }

    public static void main(String... args) {
        if (args.length > 1 && args[0].equals("serve") && (args[1].equals("--help") || args[1].equals("-h"))) {
            System.out.print(SluiceCommand.serveUsage());
            return;
        }
        if (args.length == 0 || args[0].equals("serve")) {
            Quarkus.run(null, SluiceMain::exit, args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length == 1 && (args[0].equals("-V") || args[0].equals("--version"))) {
            // the same line picocli's version provider prints, without loading picocli
            System.out.println(io.sluice.cli.VersionLine.text());
            return;
        }
        // picocli asks System.console() whether to colour its output; from JDK 22 on that loads the JLine-based
        // console of jdk.internal.le (tens of milliseconds for a command that lives well under a second) unless
        // the plain java.base console is chosen. An explicit -Djdk.console still wins.
        if (System.getProperty("jdk.console") == null) {
            System.setProperty("jdk.console", "java.base");
        }
        int code = SluiceCommand.run(args);
        System.exit(code);
    }

    /**
     * How {@code serve} ends. A start that failed on configuration prints one line per wrong setting (what
     * Quarkus would print as a stack trace); anything else keeps Quarkus' own report.
     */
    private static void exit(int code, Throwable failure) {
        if (failure != null) {
            List<String> problems = StartupFailure.describe(failure);
            if (problems.isEmpty()) {
                org.jboss.logging.Logger.getLogger(SluiceMain.class).error("Failed to start Sluice", failure);
            } else {
                problems.forEach(System.err::println);
            }
        }
        System.exit(code == 0 && failure != null ? 1 : code);
    }
}
