package io.sluice.cli;

/**
 * The one line {@code sluice -V} prints. Its own small class so that the main class can answer {@code -V}
 * without loading picocli (most of what the command would otherwise cost).
 */
public final class VersionLine {
    private VersionLine() {
    }

    /** {@code sluice <version>} from the jar's manifest, {@code sluice dev} when run from classes. */
    public static String text() {
        String v = VersionLine.class.getPackage().getImplementationVersion();
        return "sluice " + (v == null ? "dev" : v);
    }
}
