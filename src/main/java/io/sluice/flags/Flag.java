package io.sluice.flags;

/**
 * One flag: applies to a rollout key when {@code enabled} and the key's bucket is at most {@code rollout}.
 *
 * @param name a known flag's name or an operator-defined one ({@code [A-Za-z0-9_.-]+})
 * @param enabled the flag's master switch
 * @param rollout percentage of rollout keys it applies to, 0..100
 */
public record Flag(String name, boolean enabled, int rollout) {

    public Flag {
        validateName(name);
        validateRollout(rollout);
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9_.-]+") || name.length() > 200) {
            throw new FlagException("flag", "flag name must be 1-200 characters of A-Z a-z 0-9 _ . - but was '" + name + "'");
        }
    }

    static void validateRollout(int rollout) {
        if (rollout < 0 || rollout > 100) {
            throw new FlagException("rollout", "rollout must be a percentage 0..100 but was " + rollout);
        }
    }

    Flag withEnabled(boolean on) {
        return new Flag(name, on, rollout);
    }

    Flag withRollout(int pct) {
        return new Flag(name, enabled, pct);
    }

    /** The human-editable form kept in the store: {@code enabled=true rollout=25}. */
    public String encode() {
        return "enabled=" + enabled + " rollout=" + rollout;
    }
}
