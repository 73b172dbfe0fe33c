package io.sluice.flags;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3, x86 32-bit variant, as Unleash uses it for rollout buckets. Written to hash a fixed
 * prefix ({@code "<FLAG>:"}) followed by a key without concatenating them: the prefix's whole 4-byte
 * blocks are mixed once, up front, into a {@link Prefix}; each decision then mixes only the key's
 * bytes, which are encoded once per decision however many flags hash them.
 */
final class Murmur3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

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
        return hash32(new Prefix(seed, 0, 0, 0), data);
    }

    /** murmur3_x86_32 of {@code prefix} followed by the UTF-8 bytes of {@code key}. */
    static int hash32(Prefix prefix, String key) {
        return hash32(prefix, key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * murmur3_x86_32 of {@code prefix} followed by {@code key}. The key's bytes are read four at a time with
     * one little-endian load, so a caller hashing one key under several prefixes encodes it once.
     */
    static int hash32(Prefix prefix, byte[] key) {
        int len = key.length;
        int h1 = prefix.h1;
        int k = prefix.pending;
        int n = prefix.pendingBytes;
        int i = 0;
        if (n != 0) {
            // complete the prefix's partial block with the key's first bytes
            int take = Math.min(4 - n, len);
            for (; i < take; i++) {
                k |= (key[i] & 0xff) << ((n + i) << 3);
            }
            n += take;
            if (n == 4) {
                h1 = mixH1(h1, k);
                k = 0;
                n = 0;
            }
        }
        int blocksEnd = i + ((len - i) & ~3);
        for (; i < blocksEnd; i += 4) {
            h1 = mixH1(h1, (int) INT_LE.get(key, i));
        }
        for (; i < len; i++) {
            k |= (key[i] & 0xff) << (n << 3);
            n++;
        }
        return tail(h1, k, n, prefix.length + len);
    }

    /**
     * {@link #hash32(Prefix, byte[])} of one key under three prefixes at once, into {@code out[0..2]}, for keys
     * of at least four bytes ({@link #hash32(Prefix, byte[])} for shorter ones). Murmur3 is one long chain of
     * dependent multiplications per hash; three chains advanced in the same loop run side by side in the
     * processor instead of one after the other, so three hashes cost little more than one.
     *
     * <p>Each prefix leaves {@code n} bytes of an unfinished block, so its key blocks start at byte
     * {@code (4 - n) & 3} of the key: every block, the head and the tail are single unaligned little-endian
     * loads from the key, masked or shifted, never byte loops.
     */
    static void hash3(Prefix a, Prefix b, Prefix c, byte[] key, int[] out) {
        int len = key.length;
        int first = (int) INT_LE.get(key, 0);
        int last = (int) INT_LE.get(key, len - 4);
        int oa = (4 - a.pendingBytes) & 3;
        int ob = (4 - b.pendingBytes) & 3;
        int oc = (4 - c.pendingBytes) & 3;
        int ha = head(a, first);
        int hb = head(b, first);
        int hc = head(c, first);
        int na = (len - oa) >>> 2;
        int nb = (len - ob) >>> 2;
        int nc = (len - oc) >>> 2;
        int common = Math.min(na, Math.min(nb, nc));
        for (int j = 0; j < common; j++) {
            int at = j << 2;
            ha = mixH1(ha, (int) INT_LE.get(key, oa + at));
            hb = mixH1(hb, (int) INT_LE.get(key, ob + at));
            hc = mixH1(hc, (int) INT_LE.get(key, oc + at));
        }
        // the lanes' block counts differ by at most one
        if (na > common) {
            ha = mixH1(ha, (int) INT_LE.get(key, oa + (common << 2)));
        }
        if (nb > common) {
            hb = mixH1(hb, (int) INT_LE.get(key, ob + (common << 2)));
        }
        if (nc > common) {
            hc = mixH1(hc, (int) INT_LE.get(key, oc + (common << 2)));
        }
        out[0] = finish(ha, a, len, oa, last);
        out[1] = finish(hb, b, len, ob, last);
        out[2] = finish(hc, c, len, oc, last);
    }

    /** The prefix's state with its unfinished block completed from the key's first bytes ({@code first}). */
    private static int head(Prefix p, int first) {
        int n = p.pendingBytes;
        if (n == 0) {
            return p.h1;
        }
        int taken = first & (-1 >>> (n << 3)); // the key's first 4 - n bytes
        return mixH1(p.h1, p.pending | taken << (n << 3));
    }

    /** The 0–3 key bytes after the last whole block (read from {@code last}, the key's last four bytes), then the finalisation. */
    private static int finish(int h1, Prefix p, int len, int offset, int last) {
        int rest = (len - offset) & 3;
        if (rest > 0) {
            h1 ^= mixK1(last >>> ((4 - rest) << 3));
        }
        h1 ^= p.length + len;
        return fmix(h1);
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
