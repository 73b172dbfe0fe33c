package io.sluice.auth;

/**
 * What a token lets its bearer do, as carried by the {@code a} claim of libSQL tokens.
 */
public enum Access {
    /** {@code "ro"}: reads only; statements that write are refused. */
    READ_ONLY("ro"),
    /** {@code "rw"}: reads and writes; also what a token without an {@code a} claim grants. */
    READ_WRITE("rw");

    private final String claim;

    Access(String claim) {
        this.claim = claim;
    }

    /**
     * Returns the value of the {@code a} claim that stands for this access.
     *
     * @return {@code "ro"} or {@code "rw"}
     */
    public String claim() {
        return claim;
    }

    /**
     * Parses a claim value exactly as sqld does: lower case only, so a token accepted here means the
     * same to every other libSQL server.
     *
     * @param value {@code "ro"} or {@code "rw"}
     * @return the access the value stands for
     * @throws IllegalArgumentException if the value is neither
     */
    public static Access fromClaim(String value) {
        for (Access access : values()) {
            if (access.claim.equals(value)) {
                return access;
            }
        }
        throw new IllegalArgumentException("access must be \"ro\" or \"rw\"");
    }
}
