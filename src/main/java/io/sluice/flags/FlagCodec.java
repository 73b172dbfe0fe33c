package io.sluice.flags;

import io.sluice.store.Document;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The flags tenant of the store's {@link Document}, human-editable: one key per flag, as a ConfigMap's
 * {@code data} (or a mounted ConfigMap directory) holds it.
 *
 * <pre>
 * ENABLE_CONNECTION_POOL: "enabled=true rollout=25"     # tokens in any order; rollout optional (100)
 * MY_OPERATOR_FLAG:       "enabled=false"               # any other key is an operator-defined flag
 * killswitch: |                                          # absent = off
 *   active=true
 *   reason=postgres failover
 *   by=alice
 *   at=2026-11-28T03:00:00Z
 * audit.jsonl: one JSON object per line, newest last     # written by Sluice, bounded
 * settings.properties: component.key=value lines         # runtime settings overriding configuration
 * migration.json: the rollout feature's migration state   # written by Sluice
 * </pre>
 */
final class FlagCodec {
    static final String KILLSWITCH = Document.KILLSWITCH;

    private FlagCodec() {
    }

    static boolean isReserved(String key) {
        return Document.isReserved(key);
    }

    /**
     * The flag set the store describes: known flags it lacks keep their {@code defaults}.
     *
     * @throws FlagException naming the key when any value is malformed; the caller keeps its last good set
     */
    static FlagSet decode(Map<String, String> data, FlagSet defaults) {
        Lenient decoded = decodeLenient(data, defaults, null, null);
        if (!decoded.invalid().isEmpty()) {
            Map.Entry<String, String> first = decoded.invalid().firstEntry();
            throw new FlagException(first.getKey(), first.getValue());
        }
        return decoded.set();
    }

    /** What a store content decodes to when every key that parses is applied and the rest are reported. */
    record Lenient(FlagSet set, java.util.NavigableMap<String, String> invalid, boolean killswitchUnreadable) {
    }

    /** The safe state held while the killswitch key cannot be read and no good value of it was ever seen. */
    static Killswitch unreadableKillswitch(Instant now) {
        return new Killswitch(true, "killswitch key unreadable in the flag store: held on until an operator fixes it", "sluice", now);
    }

    /**
     * Decodes every key on its own, the killswitch first: a key that parses is applied, one that does not
     * keeps its value from {@code lastGood} (or, with no last good state, its default; an unreadable
     * killswitch is then held on, the safe state) and is reported in {@link Lenient#invalid()}.
     *
     * @param lastGood the set decided with until now, or null at start
     */
    static Lenient decodeLenient(Map<String, String> data, FlagSet defaults, FlagSet lastGood, Instant now) {
        TreeMap<String, String> invalid = new TreeMap<>();
        Killswitch ks = Killswitch.OFF;
        boolean ksUnreadable = false;
        if (data.containsKey(KILLSWITCH)) {
            try {
                ks = decodeKillswitch(data.get(KILLSWITCH));
            } catch (FlagException e) {
                invalid.put(KILLSWITCH, e.getMessage());
                ksUnreadable = true;
                ks = lastGood != null ? lastGood.killswitch() : unreadableKillswitch(now);
            }
        }
        TreeMap<String, Flag> flags = new TreeMap<>();
        for (KnownFlag k : KnownFlag.values()) {
            flags.put(k.name(), defaults.flags().get(k.name()));
        }
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (isReserved(e.getKey())) {
                continue;
            }
            try {
                flags.put(e.getKey(), decodeFlag(e.getKey(), e.getValue(), flags.get(e.getKey())));
            } catch (FlagException ex) {
                invalid.put(e.getKey(), ex.getMessage());
                Flag previous = lastGood == null ? null : lastGood.flags().get(e.getKey());
                if (previous != null) {
                    flags.put(e.getKey(), previous);
                }
            }
        }
        return new Lenient(new FlagSet(flags, ks), invalid, ksUnreadable);
    }

    static Flag decodeFlag(String name, String value, Flag base) {
        try {
            Flag.validateName(name);
        } catch (FlagException e) {
            throw new FlagException(name, "key '" + name + "': not a valid flag name");
        }
        boolean enabled = base == null || base.enabled();
        int rollout = base == null ? 100 : base.rollout();
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            throw new FlagException(name, "key '" + name + "': empty; expected e.g. 'enabled=true rollout=25'");
        }
        for (String token : v.split("[\\s,;]+")) {
            String t = token.toLowerCase(Locale.ROOT);
            int eq = t.indexOf('=');
            String k = eq < 0 ? "enabled" : t.substring(0, eq).trim();
            String val = eq < 0 ? t : t.substring(eq + 1).trim();
            switch (k) {
                case "enabled" -> enabled = parseBoolean(name, val);
                case "rollout" -> rollout = parsePercent(name, val);
                default -> throw new FlagException(name, "key '" + name + "': unknown setting '" + k + "'; expected enabled=, rollout=");
            }
        }
        return new Flag(name, enabled, rollout);
    }

    private static boolean parseBoolean(String key, String v) {
        return switch (v) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new FlagException(key, "key '" + key + "': enabled must be true or false but was '" + v + "'");
        };
    }

    private static int parsePercent(String key, String v) {
        String digits = v.endsWith("%") ? v.substring(0, v.length() - 1) : v;
        int pct;
        try {
            pct = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new FlagException(key, "key '" + key + "': rollout must be a whole number 0..100 but was '" + v + "'");
        }
        if (pct < 0 || pct > 100) {
            throw new FlagException(key, "key '" + key + "': rollout must be 0..100 but was " + pct);
        }
        return pct;
    }

    static Killswitch decodeKillswitch(String text) {
        Map<String, String> p = lines(KILLSWITCH, text);
        boolean active = parseBoolean(KILLSWITCH, p.getOrDefault("active", "false").toLowerCase(Locale.ROOT));
        Instant at = null;
        if (p.containsKey("at") && !p.get("at").isBlank()) {
            try {
                at = Instant.parse(p.get("at"));
            } catch (DateTimeParseException e) {
                throw new FlagException(KILLSWITCH, "key 'killswitch': at must be an ISO-8601 instant but was '" + p.get("at") + "'");
            }
        }
        return new Killswitch(active, p.getOrDefault("reason", ""), p.getOrDefault("by", ""), at);
    }

    static String encodeKillswitch(Killswitch k) {
        return "active=" + k.active() + "\nreason=" + Document.oneLine(k.reason()) + "\nby=" + Document.oneLine(k.by())
                + "\nat=" + (k.at() == null ? "" : k.at().toString()) + "\n";
    }

    /** {@code key=value} lines; blank lines and {@code #} comments ignored; the value is the rest of the line. */
    static Map<String, String> lines(String key, String text) {
        TreeMap<String, String> out = new TreeMap<>();
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new FlagException(key, "key '" + key + "': expected name=value lines but found '" + l + "'");
            }
            out.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
        }
        return out;
    }
}
