package io.sluice.config;

/**
 * A setting that keeps the server from starting: which key, the value it has (or that it is unset), and
 * what is expected. {@code serve} prints it as one line and exits non-zero ({@link StartupFailure}).
 */
public class ConfigurationProblem extends RuntimeException {
    private final String key;

    /**
     * @param key the {@code sluice.*} property at fault
     * @param value its value as given, {@code null} when unset; never a secret (pass a description instead)
     * @param expected what would be accepted, and why
     */
    public ConfigurationProblem(String key, String value, String expected) {
        // suppression on: a check that finds several wrong settings adds the others to the first (one line each)
        super(StartupFailure.line(key, value, expected), null, true, false);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
