package io.sluice.flags;

import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3, x86 32-bit variant, as Unleash uses it for rollout buckets. Written to hash a fixed
 * prefix ({@code "<FLAG>:"}) followed by a key without concatenating them: the prefix's whole 4-byte
 * blocks are mixed once, up front, into a {@link Prefix}; each decision then mixes only the key's
 * bytes, allocating nothing for ASCII keys.
 */
final class Murmur3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Murmur3() {
    }

    /** Hash state after a prefix: h1 over its whole blocks, plus the 0–3 trailing bytes not yet mixed. */
    record Prefix(int h1, int pending, int pendingBytes, int length) {
    }

    static Prefix prefix(String text, int seed) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int h1 = seed;
        int k = 0;
        int n = 0;
        for (byte b : bytes) {
            k |= (b & 0xff) << (n << 3);
            if (++n == 4) {
                h1 = mixH1(h1, k);
                k = 0;
                n = 0;
            }
        }
        return new Prefix(h1, k, n, bytes.length);
    }

    /** murmur3_x86_32 of the whole byte array. */
    static int hash32(byte[] data, int seed) {
        Prefix empty = new Prefix(seed, 0, 0, 0);
        return finish(empty, data);
    }

    /** murmur3_x86_32 of {@code prefix} followed by the UTF-8 bytes of {@code key}. */
    static int hash32(Prefix prefix, String key) {
        int len = key.length();
        int h1 = prefix.h1;
        int k = prefix.pending;
        int n = prefix.pendingBytes;
        int i = 0;
        // complete the prefix's partial block first, then take the key four characters at a time
        while (n != 0 && i < len) {
            char c = key.charAt(i++);
            if (c >= 0x80) {
                return finish(prefix, key.getBytes(StandardCharsets.UTF_8));
            }
            k |= c << (n << 3);
            if (++n == 4) {
                h1 = mixH1(h1, k);
                k = 0;
                n = 0;
            }
        }
        int blocksEnd = i + ((len - i) & ~3);
        for (; i < blocksEnd; i += 4) {
            char c0 = key.charAt(i);
            char c1 = key.charAt(i + 1);
            char c2 = key.charAt(i + 2);
            char c3 = key.charAt(i + 3);
            if ((c0 | c1 | c2 | c3) >= 0x80) {
                return finish(prefix, key.getBytes(StandardCharsets.UTF_8));
            }
            h1 = mixH1(h1, c0 | c1 << 8 | c2 << 16 | c3 << 24);
        }
        for (; i < len; i++) {
            char c = key.charAt(i);
            if (c >= 0x80) {
                return finish(prefix, key.getBytes(StandardCharsets.UTF_8));
            }
            k |= c << (n << 3);
            n++;
        }
        return tail(h1, k, n, prefix.length + len);
    }

    private static int finish(Prefix prefix, byte[] data) {
        int h1 = prefix.h1;
        int k = prefix.pending;
        int n = prefix.pendingBytes;
        for (byte b : data) {
            k |= (b & 0xff) << (n << 3);
            if (++n == 4) {
                h1 = mixH1(h1, k);
                k = 0;
                n = 0;
            }
        }
        return tail(h1, k, n, prefix.length + data.length);
    }

    private static int tail(int h1, int k, int n, int length) {
        if (n > 0) {
            h1 ^= mixK1(k);
        }
        h1 ^= length;
        return fmix(h1);
    }

    private static int mixK1(int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        return k1 * C2;
    }

    private static int mixH1(int h1, int k) {
        h1 ^= mixK1(k);
        h1 = Integer.rotateLeft(h1, 13);
        return h1 * 5 + 0xe6546b64;
    }

    private static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
