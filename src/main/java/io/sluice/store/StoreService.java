package io.sluice.store;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The persistent store of Sluice's shared state: one {@link Document} (flags, the killswitch, runtime
 * settings, migration state and the audit log) in a ConfigMap, a mounted directory or memory, watched by
 * every replica so they converge. A change is one {@link #write}: the writer edits a {@link Document.Draft},
 * and the store appends its audit entries, writes with optimistic concurrency (the ConfigMap's
 * resourceVersion, the directory's lock; a lost race builds the draft again on the newer document), logs
 * the audit and applies the document here — so no writer can forget the audit or the apply.
 *
 * <p>A document read from the store is handed to every {@link Tenant} in subscription order (the flags
 * first, so the killswitch is in force before anything else reacts); what a tenant cannot read is
 * reported in {@link #status()}. A store that cannot be read keeps the last good document in force: a
 * missing store is never read as an empty one, which would silently reset the killswitch.
 */
@ApplicationScoped
public class StoreService {
    private static final Logger LOG = Logger.getLogger(StoreService.class);
    private static final Logger AUDIT_LOG = Logger.getLogger("io.sluice.audit");

    /** A feature keeping its state in the document. */
    @FunctionalInterface
    public interface Tenant {
        /**
         * Applies a document read from the store or just written.
         *
         * @return the keys it could not read, key to why (each keeps its last good value); empty when all is well
         */
        Map<String, String> apply(Document document);
    }

    private final SluiceConfig config;
    private final Instance<KubernetesClient> kubernetes;
    private final List<Tenant> tenants = new CopyOnWriteArrayList<>();
    private final Clock clock = Clock.systemUTC();
    private volatile Store store = new MemoryStore();
    private volatile Document applied = Document.EMPTY;
    /** Why keys of {@link #applied} did not parse, each with its reason (null: every key did), as reported when it was applied. */
    private String appliedProblems;
    private volatile StoreStatus status = StoreStatus.fresh("none", "memory");
    /** The durable audit history of the file store; null for the other stores. */
    private volatile AuditHistory history;

    public StoreService(SluiceConfig config, Instance<KubernetesClient> kubernetes, SluiceMetrics metrics) {
        this.config = config;
        this.kubernetes = kubernetes;
        Gauge.builder(Meters.FLAGS_STORE_STALE, this, s -> s.isStale() ? 1 : 0)
                .description("1 while the flag store is stale (last read failed, keys unparsed, or older than stale-after)")
                .register(metrics.registry());
        Gauge.builder(Meters.FLAGS_STORE_INVALID_KEYS, this, s -> s.status().invalidKeys().size())
                .description("Keys of the flag store that do not parse (each keeps its last good value)").register(metrics.registry());
    }

    /** Before other start-up observers but after the flags subscribed: runtime settings subscribe to the store this opens. */
    void onStart(@Observes @Priority(100) StartupEvent ev) {
        Store created = createStore();
        if (created instanceof FileStore file) {
            Path dir = Path.of(file.location());
            history = new AuditHistory(config.flags().auditLog().orElseGet(() -> dir.resolveSibling(dir.getFileName() + "-audit.jsonl")),
                    config.flags().auditLogFileBytes(), config.flags().auditLogFiles());
        }
        open(created);
    }

    void onStop(@Observes ShutdownEvent ev) {
        close();
    }

    /** Stops watching the store. */
    public void close() {
        store.close();
    }

    private Store createStore() {
        SluiceConfig.Flags f = config.flags();
        SluiceConfig.Flags.StoreKind kind = f.store().orElseGet(() -> System.getenv("KUBERNETES_SERVICE_HOST") != null
                ? SluiceConfig.Flags.StoreKind.KUBERNETES
                : SluiceConfig.Flags.StoreKind.FILE);
        return switch (kind) {
            case NONE -> new MemoryStore();
            case FILE -> new FileStore(f.dir().orElseGet(() -> config.dataDir().resolve("flags")), f.pollInterval());
            case KUBERNETES -> new KubernetesStore(kubernetes.get(), f.namespace().orElse(null), f.configmap(),
                    f.pollInterval().multipliedBy(30), f.writeRetries());
        };
    }

    /**
     * Switches to {@code next}: reads it once, then watches it. A store that does not exist yet is a fresh
     * install: it is created (empty) at once, so it is never reported stale. Any other failure keeps the
     * last good document (at start: every tenant's defaults) and is reported.
     */
    public void open(Store next) {
        Store previous = store;
        store = next;
        status = StoreStatus.fresh(next.kind(), next.location());
        try {
            Map<String, String> content;
            try {
                content = next.read();
            } catch (StoreMissingException missing) {
                try {
                    content = next.create(Map.of());
                    LOG.infof("created an empty store at %s (fresh install)", next.location());
                } catch (Store.StoreExistsException raced) {
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
        LOG.infof("shared state from the %s store at %s", next.kind(), next.location());
    }

    private void onError(Exception e) {
        StoreStatus s = status;
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (s.lastLoadOk() || !Objects.equals(s.lastError(), why)) {
            LOG.warnf("store %s unusable, deciding with the last good state: %s", s.location(), why);
        }
        status = s.failed(why);
    }

    /**
     * Applies a document read from the store: each tenant in turn; a key a tenant cannot read keeps its last
     * good value and is reported in {@link #status()}.
     */
    synchronized void onContent(Map<String, String> content) {
        StoreStatus s = status;
        Instant now = clock.instant();
        Document document = new Document(content);
        if (document.equals(applied) && s.lastLoadedAt() != null) {
            // the same document read again: the same keys do not parse, for the same reasons
            status = new StoreStatus(s.kind(), s.location(), s.invalidKeys().isEmpty(), appliedProblems, now, s.lastAppliedAt(),
                    s.invalidKeys(), s.killswitchUnreadable());
            return;
        }
        TreeMap<String, String> invalid = new TreeMap<>();
        applied = document;
        for (Tenant t : tenants) {
            try {
                invalid.putAll(t.apply(document));
            } catch (RuntimeException e) {
                LOG.warnf(e, "a tenant of the store failed to apply the document");
            }
        }
        if (invalid.isEmpty() && !s.lastLoadOk()) {
            LOG.infof("store %s usable again", s.location());
        }
        appliedProblems = invalid.isEmpty() ? null : String.join("; ", invalid.values());
        status = new StoreStatus(s.kind(), s.location(), invalid.isEmpty(), appliedProblems, now, now, List.copyOf(invalid.keySet()),
                invalid.containsKey(Document.KILLSWITCH));
    }

    /**
     * Subscribes a tenant: it gets the document in force now, then every new one, in subscription order.
     */
    public void subscribe(Tenant tenant) {
        tenants.add(tenant);
        tenant.apply(applied);
    }

    /** The document in force here (as last read or written): no I/O, for decisions and gauges. */
    public Document document() {
        return applied;
    }

    /** Whether a document has been read from the store (false at start, before the first good read). */
    public boolean loaded() {
        return status.lastLoadedAt() != null;
    }

    /**
     * Reads the store now, bypassing the watch (the rollout feature's view across replicas).
     *
     * @throws StoreException the store cannot be read
     */
    public Document read() {
        Store s = store;
        try {
            return new Document(s.read());
        } catch (IOException e) {
            throw new StoreException("store " + s.location() + " could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * One change of the document, with optimistic concurrency: {@code change} edits a draft of the current
     * document (it is called again on the newer one when another writer won the race, and may throw to
     * abandon the write); its audit entries are appended in the same write; once written, the audit is
     * logged and the document applied here.
     *
     * @return what {@code change} returned on the attempt that was written
     * @throws StoreException the store is unreachable; {@link ConcurrentChangeException} the retries ran out
     */
    public <R> R write(Function<Document.Draft, R> change) {
        List<Object> result = new ArrayList<>(1);
        List<AuditEntry> audited = new ArrayList<>();
        int auditSize = config.flags().auditSize();
        Store target = store;
        Map<String, String> written;
        try {
            java.util.function.UnaryOperator<Map<String, String>> edit = data -> {
                Document.Draft draft = new Document.Draft(new Document(data), clock);
                result.clear();
                result.add(change.apply(draft));
                audited.clear();
                audited.addAll(draft.audited());
                return draft.entries(auditSize);
            };
            try {
                written = target.update(edit);
            } catch (StoreMissingException missing) {
                written = restoreMissingStore(target, edit, missing);
            }
        } catch (IOException e) {
            throw new StoreException("store " + target.location() + " could not be written: " + e.getMessage(), e);
        }
        for (AuditEntry e : audited) {
            logAudit(e);
        }
        onContent(written);
        @SuppressWarnings("unchecked")
        R out = (R) result.get(0);
        return out;
    }

    /**
     * A store that went missing under a running replica is never recreated from empty (that would reset
     * the killswitch, every rollout and the audit history): it is recreated from the last good document
     * this replica applied, plus the change, with the restore audited. Without a last good document the
     * write is refused.
     */
    private Map<String, String> restoreMissingStore(Store target, java.util.function.UnaryOperator<Map<String, String>> edit,
            StoreMissingException missing) throws IOException {
        StoreStatus s = status;
        if (s.lastLoadedAt() == null) {
            throw new StoreException("store " + target.location() + " is missing and this replica has no last good state to "
                    + "restore it from; nothing written (recreate it, or restart a replica to create a fresh one)", missing);
        }
        Document.Draft restored = new Document.Draft(applied, clock);
        restored.audit("restore-store", target.location(), "sluice", "missing", "last good state read at " + s.lastLoadedAt(),
                "the store was missing when a change was written");
        AuditEntry entry = restored.audited().get(0);
        try {
            Map<String, String> written = target.create(edit.apply(restored.entries(config.flags().auditSize())));
            LOG.warnf("store %s was missing: recreated it from the last good state (read at %s) plus this change",
                    target.location(), s.lastLoadedAt());
            logAudit(entry);
            return written;
        } catch (Store.StoreExistsException raced) {
            return target.update(edit); // another replica restored it first: write on top of theirs
        }
    }

    /** How fresh the document in force is. */
    public StoreStatus status() {
        return status;
    }

    /**
     * Whether this replica's state may be out of date: the last read failed or left keys unparsed, or the
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

    /**
     * One page of the audit history, newest first: from the file store's durable history when there is one,
     * else from the document's bounded log (the Kubernetes store: older entries are in the {@code io.sluice.audit}
     * log lines only).
     *
     * @param source {@code file:<path>} or {@code store}
     */
    public record AuditPage(String source, int offset, int limit, List<AuditEntry> entries, boolean more) {
    }

    /** @throws StoreFormatException naming {@code offset}/{@code limit} when out of range */
    public AuditPage auditPage(int offset, int limit) {
        if (offset < 0) {
            throw new StoreFormatException("offset", "offset must be >= 0 but was " + offset);
        }
        if (limit < 1 || limit > 1000) {
            throw new StoreFormatException("limit", "limit must be 1..1000 but was " + limit);
        }
        AuditHistory h = history;
        if (h != null) {
            AuditHistory.Page p = h.page(offset, limit);
            return new AuditPage("file:" + h.file().toAbsolutePath(), offset, limit, p.entries(), p.more());
        }
        List<AuditEntry> all = new ArrayList<>(applied.audit());
        Collections.reverse(all);
        int from = Math.min(offset, all.size());
        int to = Math.min(all.size(), from + limit);
        return new AuditPage("store", offset, limit, List.copyOf(all.subList(from, to)), to < all.size());
    }

    /**
     * Audits a change that could not be written to the store (it is unreachable): the log line and the
     * durable history only.
     */
    public void auditUnstored(String action, String target, String who, String before, String after, String why) {
        logAudit(new AuditEntry(clock.instant(), Document.principal(who), action, target, before, after, why == null ? "" : why));
    }

    /**
     * One structured audit log line, and the entry appended to the durable history when the store has one.
     * Every field is quoted and escaped (quotes, backslashes, control characters), so a reason or operator
     * name can never forge fields or lines of its own.
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
}
