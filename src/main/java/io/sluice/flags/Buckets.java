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
        return of(Murmur3.hash32(flagPrefix, rolloutKey));
    }

    /** The bucket of a key already encoded as UTF-8, for a caller that hashes it under several flags. */
    static int of(Murmur3.Prefix flagPrefix, byte[] rolloutKeyUtf8) {
        return of(Murmur3.hash32(flagPrefix, rolloutKeyUtf8));
    }

    /** The bucket of a murmur3 hash. */
    static int of(int hash) {
        // unsigned 32-bit value mod 100 without the 64-bit division
        return Integer.remainderUnsigned(hash, 100) + 1;
    }
}
