package io.sluice.flags;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of every flag and the killswitch. Decisions read one snapshot; a change builds
 * a new one and swaps it in whole, so a request never sees half a change.
 *
 * <p>Per-decision cost: flags at 0 % or 100 % (or disabled, or killed) are folded into a constant bit set
 * when the snapshot is built, and the result is one of 32 preallocated {@link Features} values. Only
 * partially rolled-out flags need the key's buckets: a key seen before with this snapshot is answered from
 * a bounded cache; otherwise the key is encoded once and hashed under those flags, three at a time. A stream
 * decided by its own id ({@link #decide(long)}) skips the cache: its key never comes back.
 */
public final class FlagSet {
    private static final KnownFlag[] KNOWN = KnownFlag.values();
    /** Slots of the decision cache: a power of two. */
    private static final int DECISION_CACHE_SLOTS = 4096;
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Features[] TABLE = new Features[1 << KNOWN.length];

    static {
        for (int bits = 0; bits < TABLE.length; bits++) {
            TABLE[bits] = new Features((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0);
        }
    }

    private final Map<String, Flag> flags;
    private final Killswitch killswitch;
    private final int constantBits;
    private final int[] partialIndex;
    private final Murmur3.Prefix[] partialPrefix;
    private final int[] partialRollout;
    private final Map<String, Murmur3.Prefix> operatorPrefixes;
    /**
     * Decisions already made with this snapshot, two-way set-associative by the key's hash: a key's decision cannot
     * change while the snapshot lives, and a change builds a new snapshot with an empty cache. Bounded
     * whatever keys arrive; a slot is overwritten by the next key that maps to it. Entries are immutable,
     * so a racy read sees a whole one or none.
     */
    private final Decision[] decided;

    /** @param flags every flag by name; the five known flags must all be present */
    public FlagSet(Map<String, Flag> flags, Killswitch killswitch) {
        TreeMap<String, Flag> copy = new TreeMap<>(flags);
        for (KnownFlag k : KNOWN) {
            if (!copy.containsKey(k.name())) {
                throw new IllegalArgumentException("missing known flag " + k);
            }
        }
        this.flags = Collections.unmodifiableMap(copy);
        this.killswitch = killswitch == null ? Killswitch.OFF : killswitch;
        int constant = 0;
        int partial = 0;
        int[] idx = new int[KNOWN.length];
        Murmur3.Prefix[] pre = new Murmur3.Prefix[KNOWN.length];
        int[] pct = new int[KNOWN.length];
        for (KnownFlag k : KNOWN) {
            Flag f = copy.get(k.name());
            boolean killed = this.killswitch.active() && k.killedBySwitch();
            if (!f.enabled() || killed || f.rollout() == 0) {
                continue;
            }
            if (f.rollout() >= 100) {
                constant |= 1 << k.ordinal();
            } else {
                idx[partial] = k.ordinal();
                pre[partial] = Murmur3.prefix(k.name() + ":", 0);
                pct[partial] = f.rollout();
                partial++;
            }
        }
        this.constantBits = constant;
        this.partialIndex = java.util.Arrays.copyOf(idx, partial);
        this.partialPrefix = java.util.Arrays.copyOf(pre, partial);
        this.partialRollout = java.util.Arrays.copyOf(pct, partial);
        TreeMap<String, Murmur3.Prefix> ops = new TreeMap<>();
        copy.keySet().stream().filter(n -> KnownFlag.byName(n).isEmpty()).forEach(n -> ops.put(n, Murmur3.prefix(n + ":", 0)));
        this.operatorPrefixes = ops;
        this.decided = partial == 0 ? null : new Decision[DECISION_CACHE_SLOTS];
    }

    /** One cached decision. */
    private record Decision(String key, Features features) {
    }

    /** What applies to requests with this rollout key. */
    public Features decide(String rolloutKey) {
        if (partialIndex.length == 0) {
            return TABLE[constantBits];
        }
        String key = rolloutKey == null ? "" : rolloutKey;
        // a principal's key is the same String on every request (verified tokens are cached), so its hash
        // code is computed once and a repeat decision is a slot read and a reference comparison
        int h = spread(key.hashCode());
        int set = h & (DECISION_CACHE_SLOTS - 2); // two ways per set: two keys that share a set do not evict each other
        Decision first = decided[set];
        if (first != null && (first.key == key || first.key.equals(key))) {
            return first.features;
        }
        Decision second = decided[set + 1];
        if (second != null && (second.key == key || second.key.equals(key))) {
            return second.features;
        }
        Features f = compute(key);
        // an empty way first; with both taken, a bit of the hash the set index did not use picks the victim
        int way = first == null ? 0 : second == null ? 1 : (h >>> 31);
        decided[set + way] = new Decision(key, f);
        return f;
    }

    /**
     * What applies to a stream keyed by its own id: {@code decide(Long.toHexString(streamId))}, but its hex digits
     * are hashed straight from the number (no String) and the decision is not cached: a stream id is never
     * seen again, and caching it would only evict the decisions of keys that do come back.
     */
    public Features decide(long streamId) {
        if (partialIndex.length == 0) {
            return TABLE[constantBits];
        }
        return TABLE[constantBits | partialBits(hexDigits(streamId))];
    }

    /** The UTF-8 bytes of {@code Long.toHexString(v)}: lower-case digits, no leading zeros. */
    static byte[] hexDigits(long v) {
        byte[] digits = new byte[Math.max(1, (67 - Long.numberOfLeadingZeros(v)) >>> 2)];
        for (int i = digits.length - 1; i >= 0; i--, v >>>= 4) {
            digits[i] = HEX_DIGITS[(int) v & 15]; // a table, not a branch a random id would mispredict
        }
        return digits;
    }

    /** {@link #decide} without the cache: what a key seen for the first time costs. */
    Features compute(String key) {
        return TABLE[constantBits | partialBits(key.getBytes(StandardCharsets.UTF_8))];
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /**
     * The partially rolled-out flags that apply to a key, from its UTF-8 bytes (encoded once for all of
     * them); keys of four bytes or more are hashed three flags at a time ({@link Murmur3#hash3}).
     */
    private int partialBits(byte[] key) {
        int bits = 0;
        int n = partialIndex.length;
        int i = 0;
        if (key.length >= 4) {
            int[] hashes = new int[3];
            for (; i + 1 < n; i += 3) {
                // a group of two repeats its second flag: the same bit, computed twice
                int a = i;
                int b = i + 1;
                int c = Math.min(i + 2, n - 1);
                Murmur3.hash3(partialPrefix[a], partialPrefix[b], partialPrefix[c], key, hashes);
                bits |= Buckets.of(hashes[0]) <= partialRollout[a] ? 1 << partialIndex[a] : 0;
                bits |= Buckets.of(hashes[1]) <= partialRollout[b] ? 1 << partialIndex[b] : 0;
                bits |= Buckets.of(hashes[2]) <= partialRollout[c] ? 1 << partialIndex[c] : 0;
            }
        }
        for (; i < n; i++) {
            if (Buckets.of(partialPrefix[i], key) <= partialRollout[i]) {
                bits |= 1 << partialIndex[i];
            }
        }
        return bits;
    }

    /** Whether any flag (known or operator-defined) applies to this key; an unknown flag never does. */
    public boolean applies(String flag, String rolloutKey) {
        Flag f = flags.get(flag);
        if (f == null || !f.enabled() || f.rollout() == 0) {
            return false;
        }
        Optional<KnownFlag> known = KnownFlag.byName(flag);
        if (known.isPresent() && known.get().killedBySwitch() && killswitch.active()) {
            return false;
        }
        if (f.rollout() >= 100) {
            return true;
        }
        Murmur3.Prefix p = operatorPrefixes.get(flag);
        if (p == null) {
            p = Murmur3.prefix(flag + ":", 0);
        }
        return Buckets.of(p, rolloutKey == null ? "" : rolloutKey) <= f.rollout();
    }

    public Map<String, Flag> flags() {
        return flags;
    }

    public Optional<Flag> flag(String name) {
        return Optional.ofNullable(flags.get(name));
    }

    public Killswitch killswitch() {
        return killswitch;
    }

    FlagSet with(Flag f) {
        TreeMap<String, Flag> m = new TreeMap<>(flags);
        m.put(f.name(), f);
        return new FlagSet(m, killswitch);
    }

    /** Without an operator-defined flag (the known flags are always present). */
    FlagSet without(String name) {
        TreeMap<String, Flag> m = new TreeMap<>(flags);
        m.remove(name);
        return new FlagSet(m, killswitch);
    }

    FlagSet with(Killswitch k) {
        return new FlagSet(flags, k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlagSet other && flags.equals(other.flags) && killswitch.equals(other.killswitch);
    }

    @Override
    public int hashCode() {
        return flags.hashCode() * 31 + killswitch.hashCode();
    }

    @Override
    public String toString() {
        return "FlagSet" + flags.values() + (killswitch.active() ? " KILLSWITCH(" + killswitch.reason() + ")" : "");
    }
}
