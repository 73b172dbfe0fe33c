package io.sluice.flags;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of every flag and the killswitch. Decisions read one snapshot; a change builds
 * a new one and swaps it in whole, so a request never sees half a change.
 *
 * <p>Per-decision cost is kept to hashing the key once per partially rolled-out known flag: flags at
 * 0 % or 100 % (or disabled, or killed) are folded into a constant bit set when the snapshot is built,
 * and the result is one of 32 preallocated {@link Features} values.
 */
public final class FlagSet {
    private static final KnownFlag[] KNOWN = KnownFlag.values();
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
    }

    /** What applies to requests with this rollout key. */
    public Features decide(String rolloutKey) {
        int bits = constantBits;
        if (partialIndex.length > 0) {
            String key = rolloutKey == null ? "" : rolloutKey;
            for (int i = 0; i < partialIndex.length; i++) {
                if (Buckets.of(partialPrefix[i], key) <= partialRollout[i]) {
                    bits |= 1 << partialIndex[i];
                }
            }
        }
        return TABLE[bits];
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
