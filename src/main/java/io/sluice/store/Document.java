package io.sluice.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one document the store holds, with a typed view per tenant. On disk (or in a ConfigMap's
 * {@code data}) it is string keys and values, the same format as ever:
 *
 * <pre>
 * ENABLE_CONNECTION_POOL: "enabled=true rollout=25"   # flags: any key no other tenant owns
 * killswitch: "active=true\nreason=...\nby=...\nat=..." # the killswitch (absent = off)
 * settings.properties: component.key=value lines       # runtime settings overriding configuration
 * migration.json: the rollout feature's migration state
 * audit.jsonl: one JSON object per line, newest last    # bounded; written by the store on every change
 * </pre>
 *
 * Immutable; a change is a {@link Draft} handed to {@link StoreService#write}.
 */
public final class Document {
    public static final String KILLSWITCH = "killswitch";
    public static final String AUDIT = "audit.jsonl";
    public static final String SETTINGS = "settings.properties";
    public static final String MIGRATION = "migration.json";
    static final Document EMPTY = new Document(Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SortedMap<String, String> entries;

    Document(Map<String, String> entries) {
        this.entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** Whether a key belongs to a tenant other than the flags (or is hidden, as {@code ..data} is). */
    public static boolean isReserved(String key) {
        return key.equals(KILLSWITCH) || key.equals(AUDIT) || key.equals(SETTINGS) || key.equals(MIGRATION) || key.startsWith(".");
    }

    /** Every key and value as stored (what a backup exports, what the flag codec reads). */
    public SortedMap<String, String> entries() {
        return entries;
    }

    /** The flags tenant: a flag's stored value ({@code enabled=true rollout=25}), empty when absent. */
    public Optional<String> flag(String name) {
        return isReserved(name) ? Optional.empty() : Optional.ofNullable(entries.get(name));
    }

    /** The killswitch's stored text, empty when absent (off). */
    public Optional<String> killswitch() {
        return Optional.ofNullable(entries.get(KILLSWITCH));
    }

    /**
     * The runtime-settings tenant: overrides by {@code component.key}.
     *
     * @throws StoreFormatException the key is not a properties text
     */
    public Map<String, String> settings() {
        return parseSettings(entries.get(SETTINGS));
    }

    /** The rollout tenant: the migration state's JSON, empty when there never was a migration. */
    public Optional<String> migration() {
        String text = entries.get(MIGRATION);
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    /** The audit tenant: the bounded log kept in the document, oldest first; a line mangled by hand is skipped. */
    public List<AuditEntry> audit() {
        return decodeAudit(entries.get(AUDIT));
    }

    static Map<String, String> parseSettings(String text) {
        Map<String, String> out = new TreeMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new StoreFormatException(SETTINGS, "key 'settings.properties' is not a properties text: " + e.getMessage());
        }
        p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    static String encodeSettings(Map<String, String> overrides) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(overrides).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    static List<AuditEntry> decodeAudit(String text) {
        List<AuditEntry> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                out.add(new AuditEntry(Instant.parse(n.path("at").asText()), n.path("who").asText(), n.path("action").asText(),
                        n.path("target").asText(), n.path("before").asText(), n.path("after").asText(), n.path("why").asText()));
            } catch (JsonProcessingException | DateTimeParseException e) {
                // an audit line someone mangled by hand is skipped, never fatal: it does not decide anything
            }
        }
        return out;
    }

    static String encodeAudit(List<AuditEntry> entries) {
        StringBuilder sb = new StringBuilder();
        for (AuditEntry e : entries) {
            ObjectNode n = JSON.createObjectNode();
            n.put("at", e.at().toString()).put("who", e.who()).put("action", e.action()).put("target", e.target())
                    .put("before", e.before()).put("after", e.after()).put("why", e.why());
            sb.append(n.toString()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Document d && entries.equals(d.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "Document" + entries.keySet();
    }

    /**
     * One change of the document, built by a writer inside {@link StoreService#write}: each tenant's part
     * set through its typed setter, and what changed recorded with {@link #audit}; the store appends the
     * entries to the audit tenant in the same write. A write that lost the race is built again on the
     * newer document, so a writer must not keep anything from an earlier attempt.
     */
    public static final class Draft {
        private final Document before;
        private final TreeMap<String, String> next;
        private final List<AuditEntry> audited = new ArrayList<>();
        private final Clock clock;

        Draft(Document before, Clock clock) {
            this.before = before;
            this.next = new TreeMap<>(before.entries);
            this.clock = clock;
        }

        /** The document this change starts from. */
        public Document before() {
            return before;
        }

        /** Sets a flag's stored value; {@code null} removes the key (the flag returns to its configured default). */
        public Draft flag(String name, String value) {
            if (isReserved(name)) {
                throw new StoreFormatException(name, "'" + name + "' is not a flag");
            }
            return put(name, value);
        }

        public Draft killswitch(String text) {
            return put(KILLSWITCH, text);
        }

        public Draft settings(Map<String, String> overrides) {
            return put(SETTINGS, encodeSettings(overrides));
        }

        public Draft migration(String json) {
            return put(MIGRATION, json);
        }

        private Draft put(String key, String value) {
            if (value == null) {
                next.remove(key);
            } else {
                next.put(key, value);
            }
            return this;
        }

        /** Records one change made by this draft; the store writes it to the audit tenant with the change. */
        public Draft audit(String action, String target, String who, String before, String after, String why) {
            audited.add(new AuditEntry(clock.instant(), principal(who), action, target, before, after, why == null ? "" : why));
            return this;
        }

        List<AuditEntry> audited() {
            return audited;
        }

        /** The entries to store: the tenants' changes and the audit log with this draft's entries, bounded to {@code auditSize}. */
        Map<String, String> entries(int auditSize) {
            if (!audited.isEmpty()) {
                List<AuditEntry> log = new ArrayList<>(decodeAudit(next.get(AUDIT)));
                log.addAll(audited);
                int max = Math.max(1, auditSize);
                if (log.size() > max) {
                    log = log.subList(log.size() - max, log.size());
                }
                next.put(AUDIT, encodeAudit(log));
            }
            return next;
        }
    }

    /** Who made a change as the audit shows it: one line, {@code unknown} when nobody said. */
    public static String principal(String who) {
        return who == null || who.isBlank() ? "unknown" : oneLine(who.strip());
    }

    public static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
    }
}
