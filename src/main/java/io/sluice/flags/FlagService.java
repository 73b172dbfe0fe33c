package io.sluice.flags;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.micrometer.core.instrument.Gauge;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Flag changes and the store: enable, disable, rollout, define, delete, killswitch and restore are written to
 * the store (so every replica converges), applied here at once, and audited — in the store's bounded
 * audit log and in one structured log line each. Content written by anyone else arrives through the
 * store's watch; a content that cannot be parsed changes nothing and is reported in {@link #storeStatus()}.
 */
@ApplicationScoped
public class FlagService {
    private static final Logger LOG = Logger.getLogger(FlagService.class);
    private static final Logger AUDIT_LOG = Logger.getLogger("io.sluice.audit");

    private final SluiceConfig config;
    private final FlagDecisions decisions;
    private final Instance<KubernetesClient> kubernetes;
    private final FlagSet defaults;
    private final List<Consumer<Map<String, String>>> contentListeners = new CopyOnWriteArrayList<>();
    private final Clock clock = Clock.systemUTC();
    private volatile FlagStore store = new MemoryFlagStore();
    private volatile Map<String, String> lastContent = Map.of();
    private volatile StoreStatus status;
    /** The durable audit history of the file store; null for the other stores. */
    private volatile AuditHistory history;

    FlagService(SluiceConfig config, FlagDecisions decisions, Instance<KubernetesClient> kubernetes, SluiceMetrics metrics) {
        Gauge.builder(Meters.FLAGS_STORE_STALE, this, f -> f.isStale() ? 1 : 0)
                .description("1 while the flag store is stale (last read failed, keys unparsed, or older than stale-after)")
                .register(metrics.registry());
        Gauge.builder(Meters.FLAGS_STORE_INVALID_KEYS, this, f -> f.storeStatus().invalidKeys().size())
                .description("Keys of the flag store that do not parse (each keeps its last good value)").register(metrics.registry());
        Gauge.builder(Meters.FLAGS_KILLSWITCH, decisions, d -> d.current().killswitch().active() ? 1 : 0)
                .description("1 while the killswitch is active").register(metrics.registry());
        this.config = config;
        this.decisions = decisions;
        this.kubernetes = kubernetes;
        this.defaults = FlagDecisions.defaults(config);
        this.status = StoreStatus.fresh("none", "memory");
    }

    /** Before other start-up observers: runtime settings subscribe to the store this opens. */
    void onStart(@Observes @Priority(100) StartupEvent ev) {
        FlagStore created = createStore();
        if (created instanceof FileFlagStore file) {
            Path dir = Path.of(file.location());
            history = new AuditHistory(config.flags().auditLog().orElseGet(() -> dir.resolveSibling(dir.getFileName() + "-audit.jsonl")),
                    config.flags().auditLogFileBytes(), config.flags().auditLogFiles());
        }
        open(created);
    }

    /** Keeps the audit history in {@code h} from now on (tests; start-up picks the file store's own). */
    void useHistory(AuditHistory h) {
        history = h;
    }

    void onStop(@Observes ShutdownEvent ev) {
        store.close();
    }

    private FlagStore createStore() {
        SluiceConfig.Flags f = config.flags();
        SluiceConfig.Flags.StoreKind kind = f.store().orElseGet(() -> System.getenv("KUBERNETES_SERVICE_HOST") != null
                ? SluiceConfig.Flags.StoreKind.KUBERNETES
                : SluiceConfig.Flags.StoreKind.FILE);
        return switch (kind) {
            case NONE -> new MemoryFlagStore();
            case FILE -> new FileFlagStore(f.dir().orElseGet(() -> config.dataDir().resolve("flags")), f.pollInterval());
            case KUBERNETES -> new KubernetesFlagStore(kubernetes.get(), f.namespace().orElse(null), f.configmap(),
                    f.pollInterval().multipliedBy(30), f.writeRetries());
        };
    }

    /**
     * Switches to {@code next}: reads it once, then watches it. A store that does not exist yet is a fresh
     * install: it is created (empty) at once, so it is never reported stale. Any other failure keeps the
     * defaults and is reported.
     */
    void open(FlagStore next) {
        FlagStore previous = store;
        store = next;
        status = StoreStatus.fresh(next.kind(), next.location());
        try {
            Map<String, String> content;
            try {
                content = next.read();
            } catch (StoreMissingException missing) {
                try {
                    content = next.create(Map.of());
                    LOG.infof("flag store %s did not exist: created it (a fresh install)", next.location());
                } catch (FlagStore.StoreExistsException raced) {
                    content = next.read(); // another replica created it first
                }
            }
            onContent(content);
        } catch (IOException | RuntimeException e) {
            onError(e);
        }
        next.watch(this::onContent, this::onError);
        if (previous != next) {
            previous.close();
        }
        LOG.infof("flags from the %s store at %s: %s", next.kind(), next.location(), decisions.current());
    }

    private void onError(Exception e) {
        StoreStatus s = status;
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (s.lastLoadOk() || !Objects.equals(s.lastError(), why)) {
            LOG.warnf("flag store %s unusable, deciding with the last good state: %s", s.location(), why);
        }
        status = s.failed(why);
    }

    /**
     * Applies a store content: every key that parses, the killswitch first; a key that does not keeps its
     * last good value (at start its default; an unreadable killswitch is held on) and is reported in
     * {@link #storeStatus()}.
     */
    synchronized void onContent(Map<String, String> content) {
        StoreStatus s = status;
        Instant now = clock.instant();
        if (content.equals(lastContent) && s.lastLoadedAt() != null) {
            status = new StoreStatus(s.kind(), s.location(), s.invalidKeys().isEmpty(), problems(s.invalidKeys()), now, s.lastAppliedAt(),
                    s.invalidKeys(), s.killswitchUnreadable());
            return;
        }
        FlagCodec.Lenient decoded = FlagCodec.decodeLenient(content, defaults, s.lastLoadedAt() != null ? decisions.current() : null, now);
        FlagSet next = decoded.set();
        List<String> invalid = List.copyOf(decoded.invalid().keySet());
        if (!invalid.isEmpty()) {
            LOG.warnf("flag store %s: applied every key that parses; these do not and keep their last good value: %s",
                    s.location(), String.join("; ", decoded.invalid().values()));
            if (decoded.killswitchUnreadable()) {
                LOG.errorf("flag store %s: the killswitch key is unreadable; holding %s and reporting not ready until it is fixed",
                        s.location(), next.killswitch().active() ? "the killswitch ON" : "the killswitch off (its last good state)");
            }
        } else if (!s.lastLoadOk()) {
            LOG.infof("flag store %s usable again", s.location());
        }
        lastContent = Map.copyOf(content);
        FlagSet before = decisions.current();
        decisions.set(next);
        status = new StoreStatus(s.kind(), s.location(), invalid.isEmpty(), invalid.isEmpty() ? null : String.join("; ", decoded.invalid().values()),
                now, now, invalid, decoded.killswitchUnreadable());
        if (!before.equals(next)) {
            LOG.infof("flags changed in the store: %s", next);
        }
        for (Consumer<Map<String, String>> l : contentListeners) {
            try {
                l.accept(lastContent);
            } catch (RuntimeException e) {
                LOG.warnf(e, "store content listener failed");
            }
        }
    }

    /** The snapshot in force. */
    public FlagSet current() {
        return decisions.current();
    }

    public StoreStatus storeStatus() {
        return status;
    }

    /**
     * Whether this replica's flags may be out of date: the last read failed or left keys unparsed, or the
     * last good read is older than {@code sluice.flags.stale-after}. Readiness and the
     * {@code sluice_flags_store_stale} gauge both say this.
     */
    public boolean isStale() {
        StoreStatus s = status;
        if (s.kind().equals("none")) {
            return false;
        }
        Instant loaded = s.lastLoadedAt();
        return !s.lastLoadOk() || loaded == null || Duration.between(loaded, clock.instant()).compareTo(config.flags().staleAfter()) > 0;
    }

    private static String problems(List<String> invalidKeys) {
        return invalidKeys.isEmpty() ? null : "keys that do not parse: " + String.join(", ", invalidKeys);
    }

    /** The audit log kept in the store, oldest first. */
    public List<AuditEntry> audit() {
        return FlagCodec.decodeAudit(lastContent.get(FlagCodec.AUDIT));
    }

    /**
     * One page of the audit history, newest first: from the file store's durable history when there is one,
     * else from the store's bounded log (the Kubernetes store: older entries are in the {@code io.sluice.audit}
     * log lines only).
     *
     * @param source {@code file:<path>} or {@code store}
     */
    public record AuditPage(String source, int offset, int limit, List<AuditEntry> entries, boolean more) {
    }

    /** @throws FlagException field {@code offset}/{@code limit} when out of range */
    public AuditPage auditPage(int offset, int limit) {
        if (offset < 0) {
            throw new FlagException("offset", "offset must be >= 0 but was " + offset);
        }
        if (limit < 1 || limit > 1000) {
            throw new FlagException("limit", "limit must be 1..1000 but was " + limit);
        }
        AuditHistory h = history;
        if (h != null) {
            AuditHistory.Page p = h.page(offset, limit);
            return new AuditPage("file:" + h.file().toAbsolutePath(), offset, limit, p.entries(), p.more());
        }
        List<AuditEntry> all = new ArrayList<>(audit());
        java.util.Collections.reverse(all);
        int from = Math.min(offset, all.size());
        int to = Math.min(all.size(), from + limit);
        return new AuditPage("store", offset, limit, List.copyOf(all.subList(from, to)), to < all.size());
    }

    public FlagSet enable(String flag, String who, String why) {
        return changeFlag(flag, "enable", who, why, f -> f.withEnabled(true));
    }

    public FlagSet disable(String flag, String who, String why) {
        return changeFlag(flag, "disable", who, why, f -> f.withEnabled(false));
    }

    /** @throws FlagException field {@code rollout} when {@code percentage} is outside 0..100, {@code flag} when unknown */
    public FlagSet rollout(String flag, int percentage, String who, String why) {
        Flag.validateRollout(percentage);
        return changeFlag(flag, "rollout", who, why, f -> f.withRollout(percentage));
    }

    /** Creates or replaces an operator-defined flag (a known flag's name is refused: use enable/disable/rollout). */
    public FlagSet define(String flag, boolean enabled, int rollout, String who, String why) {
        Flag created = new Flag(flag, enabled, rollout);
        if (KnownFlag.byName(flag).isPresent() || FlagCodec.isReserved(flag)) {
            throw new FlagException("flag", "'" + flag + "' is a built-in name; use enable, disable or rollout");
        }
        return write("define", flag, who, why, set -> set.with(created));
    }

    /**
     * Removes an operator-defined flag from the store (every replica stops applying it). The five known
     * flags and the killswitch cannot be deleted: disable a flag, or release the killswitch, instead.
     *
     * @throws UnknownFlagException no such flag
     */
    public FlagSet delete(String flag, String who, String why) {
        if (flag != null && flag.equals(FlagCodec.KILLSWITCH)) {
            throw new FlagException("flag", "the killswitch cannot be deleted; release it with 'flags:killswitch --off'");
        }
        if (flag != null && KnownFlag.byName(flag).isPresent()) {
            throw new FlagException("flag", "'" + flag + "' is a built-in flag and cannot be deleted; disable it instead");
        }
        if (flag == null || FlagCodec.isReserved(flag) || !current().flags().containsKey(flag)) {
            throw new UnknownFlagException("unknown flag '" + flag + "'");
        }
        return write("delete", flag, who, why, set -> {
            if (set.flag(flag).isEmpty()) {
                throw new UnknownFlagException("unknown flag '" + flag + "' (deleted meanwhile)");
            }
            return set.without(flag);
        });
    }

    /** Turns pool, state machine and breaker off for everyone until {@link #restore}; survives restarts. */
    public FlagSet killswitch(String reason, String who) {
        if (reason == null || reason.isBlank()) {
            throw new FlagException("reason", "the killswitch needs a reason");
        }
        Killswitch on = new Killswitch(true, reason.strip(), principal(who), clock.instant());
        return write("killswitch", FlagCodec.KILLSWITCH, who, reason, set -> set.with(on));
    }

    public FlagSet restore(String who, String why) {
        Killswitch off = new Killswitch(false, "", principal(who), clock.instant());
        return write("restore", FlagCodec.KILLSWITCH, who, why, set -> set.with(off));
    }

    /**
     * Sets several flags' store values in one store write, together with {@code alongside}'s change of
     * other keys (the rollout feature keeps its migration state in the same write, so flags and state
     * never disagree). A {@code null} value removes the key: the flag returns to its configured default.
     * Each changed flag is audited. {@code alongside} sees the content before the flags are applied and
     * may throw to abandon the write; it is called again when the write is retried.
     *
     * @param values flag name to store value ({@code enabled=true rollout=25}) or {@code null}
     * @throws FlagException a value that does not parse, naming its key; nothing is written
     */
    public FlagSet writeFlags(Map<String, String> values, String action, String who, String why,
            UnaryOperator<Map<String, String>> alongside) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() != null) {
                FlagCodec.decodeFlag(e.getKey(), e.getValue(), null);
            } else if (FlagCodec.isReserved(e.getKey())) {
                throw new FlagException("flag", "'" + e.getKey() + "' is not a flag");
            }
        }
        List<AuditEntry> entries = new ArrayList<>();
        Map<String, String> written = updateStore(data -> {
            entries.clear();
            Map<String, String> base = alongside.apply(data);
            TreeMap<String, String> next = new TreeMap<>(base);
            for (Map.Entry<String, String> e : values.entrySet()) {
                String before = data.getOrDefault(e.getKey(), "absent");
                String after = e.getValue() == null ? "absent" : e.getValue();
                if (before.equals(after)) {
                    continue;
                }
                if (e.getValue() == null) {
                    next.remove(e.getKey());
                } else {
                    next.put(e.getKey(), e.getValue());
                }
                AuditEntry entry = new AuditEntry(clock.instant(), principal(who), action, e.getKey(), before, after, why == null ? "" : why);
                appendAudit(next, entry);
                entries.add(entry);
            }
            return next; // keys that do not parse elsewhere in the store stay as they are, reported, never block a write
        });
        for (AuditEntry e : entries) {
            logAudit(e);
        }
        onContent(written);
        return current();
    }

    /** The store's raw content as last applied (the rollout feature reads its state from it). */
    public Map<String, String> content() {
        return lastContent;
    }

    /** Reads the store now, bypassing the watch (the rollout feature's view across replicas). */
    public Map<String, String> readStore() {
        try {
            return store.read();
        } catch (IOException e) {
            throw new FlagStoreException("flag store " + store.location() + " could not be read: " + e.getMessage(), e);
        }
    }

    private FlagSet changeFlag(String flag, String action, String who, String why, UnaryOperator<Flag> change) {
        if (flag == null || !current().flags().containsKey(flag)) {
            throw new UnknownFlagException("unknown flag '" + flag + "'; known: " + String.join(", ", current().flags().keySet()));
        }
        return write(action, flag, who, why, set -> {
            Flag f = set.flag(flag).orElseThrow(() -> new UnknownFlagException("flag '" + flag + "' was removed from the store"));
            return set.with(change.apply(f));
        });
    }

    private FlagSet write(String action, String target, String who, String why, UnaryOperator<FlagSet> change) {
        AuditEntry[] entry = new AuditEntry[1];
        Map<String, String> written = updateStore(data -> {
            // other keys that do not parse keep their last good value here and stay untouched in the store:
            // a corrupt flag never stops an operator from pulling (or restoring) the killswitch
            FlagSet before = FlagCodec.decodeLenient(data, defaults, decisions.current(), clock.instant()).set();
            FlagSet after = change.apply(before);
            TreeMap<String, String> next = new TreeMap<>(data);
            String beforeText = describe(before, target);
            String afterText = describe(after, target);
            if (target.equals(FlagCodec.KILLSWITCH)) {
                next.put(FlagCodec.KILLSWITCH, FlagCodec.encodeKillswitch(after.killswitch()));
            } else if (after.flags().containsKey(target)) {
                next.put(target, after.flags().get(target).encode());
            } else {
                next.remove(target);
            }
            entry[0] = new AuditEntry(clock.instant(), principal(who), action, target, beforeText, afterText, why == null ? "" : why);
            appendAudit(next, entry[0]);
            return next;
        });
        AuditEntry e = entry[0];
        logAudit(e);
        onContent(written);
        return current();
    }

    /** Appends to the store's audit log, dropping the oldest entries beyond {@code sluice.flags.audit-size}. */
    void appendAudit(Map<String, String> data, AuditEntry e) {
        List<AuditEntry> log = new ArrayList<>(FlagCodec.decodeAudit(data.get(FlagCodec.AUDIT)));
        log.add(e);
        int max = Math.max(1, config.flags().auditSize());
        if (log.size() > max) {
            log = log.subList(log.size() - max, log.size());
        }
        data.put(FlagCodec.AUDIT, FlagCodec.encodeAudit(log));
    }

    /** Audits a change made elsewhere (runtime settings) in the same log. */
    public void audit(Map<String, String> data, String action, String target, String who, String before, String after, String why) {
        AuditEntry e = new AuditEntry(clock.instant(), principal(who), action, target, before, after, why == null ? "" : why);
        appendAudit(data, e);
        logAudit(e);
    }

    /**
     * Read-modify-write of the whole store with optimistic concurrency, applied locally once written.
     *
     * @throws FlagStoreException the store is unreachable; {@link ConcurrentChangeException} the retries ran out
     */
    public Map<String, String> updateStore(UnaryOperator<Map<String, String>> change) {
        FlagStore target = store;
        try {
            try {
                return target.update(change);
            } catch (StoreMissingException missing) {
                return restoreMissingStore(target, change, missing);
            }
        } catch (IOException e) {
            throw new FlagStoreException("flag store " + target.location() + " could not be written: " + e.getMessage(), e);
        }
    }

    /**
     * A store that went missing under a running replica is never recreated from empty (that would reset
     * the killswitch, every rollout and the audit history): it is recreated from the last good content
     * this replica applied, plus the change, with the restore audited. Without a last good content the
     * write is refused.
     */
    private Map<String, String> restoreMissingStore(FlagStore target, UnaryOperator<Map<String, String>> change, StoreMissingException missing)
            throws IOException {
        StoreStatus s = status;
        if (s.lastLoadedAt() == null) {
            throw new FlagStoreException("flag store " + target.location() + " is missing and this replica has no last good state to "
                    + "restore it from; nothing written (recreate it, or restart a replica to create a fresh one)", missing);
        }
        TreeMap<String, String> restored = new TreeMap<>(lastContent);
        AuditEntry entry = new AuditEntry(clock.instant(), "sluice", "restore-store", target.location(), "missing",
                "last good state read at " + s.lastLoadedAt(), "the store was missing when a change was written");
        appendAudit(restored, entry);
        try {
            Map<String, String> written = target.create(change.apply(restored));
            LOG.warnf("flag store %s was missing: recreated it from the last good state (read at %s) plus this change",
                    target.location(), s.lastLoadedAt());
            logAudit(entry);
            return written;
        } catch (FlagStore.StoreExistsException raced) {
            return target.update(change); // another replica restored it first: write on top of theirs
        }
    }

    /** Applies a content just written (this replica's own change) without waiting for the watch. */
    public void applyWritten(Map<String, String> written) {
        onContent(written);
    }

    /** Called with the whole store content whenever a new valid content is applied (runtime settings use this). */
    public void addContentListener(Consumer<Map<String, String>> listener) {
        contentListeners.add(listener);
        listener.accept(lastContent);
    }

    /**
     * One structured audit log line, and the entry appended to the durable history when the store has one.
     * Every field is quoted and escaped (quotes, backslashes, control
     * characters), so a reason or operator name can never forge fields or lines of its own.
     */
    private void logAudit(AuditEntry e) {
        AuditHistory h = history;
        if (h != null) {
            try {
                h.append(e);
            } catch (IOException | RuntimeException ex) {
                LOG.warnf("audit history %s not written (the entry is in the store and the log line): %s", h.file(), ex.getMessage());
            }
        }
        AUDIT_LOG.infof("audit action=%s target=%s who=%s before=%s after=%s why=%s", quote(e.action()), quote(e.target()), quote(e.who()),
                quote(e.before()), quote(e.after()), quote(e.why()));
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : (s == null ? "" : s).toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String describe(FlagSet set, String target) {
        if (target.equals(FlagCodec.KILLSWITCH)) {
            Killswitch k = set.killswitch();
            return k.active() ? "on (" + k.reason() + ")" : "off";
        }
        Flag f = set.flags().get(target);
        return f == null ? "absent" : f.encode();
    }

    private static String principal(String who) {
        return who == null || who.isBlank() ? "unknown" : FlagCodec.oneLine(who.strip());
    }
}
