package io.sluice.flags;

/**
 * Unleash-compatible rollout buckets: {@code bucket = murmur3_x86_32("<FLAG>:<key>", 0) unsigned % 100 + 1},
 * so a user's bucket here equals their bucket in Unleash. A rollout of {@code p} percent applies to a
 * key when {@code bucket <= p}; raising {@code p} therefore only ever adds keys.
 */
public final class Buckets {
    private Buckets() {
    }

    /** The bucket, 1..100, of {@code rolloutKey} for {@code flag}. */
    public static int bucket(String flag, String rolloutKey) {
        return of(Murmur3.prefix(flag + ":", 0), rolloutKey);
    }

    static int of(Murmur3.Prefix flagPrefix, String rolloutKey) {
        return (int) (Integer.toUnsignedLong(Murmur3.hash32(flagPrefix, rolloutKey)) % 100) + 1;
    }
}
