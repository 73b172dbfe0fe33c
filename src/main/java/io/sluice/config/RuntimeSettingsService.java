package io.sluice.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The live {@link RuntimeSettings}: seeded from configuration, overridden by what the store holds.
 * An update validates, persists (so every replica converges), applies feature by feature through the
 * {@link SettingsApplier} beans, and swaps the snapshot; a second update while one is in flight gets
 * {@link SettingsConflictException} (409).
 */
@ApplicationScoped
public class RuntimeSettingsService {
    private static final Logger LOG = Logger.getLogger(RuntimeSettingsService.class);

    private final RuntimeSettings seed;
    private final SluiceConfig config;
    private final Iterable<SettingsApplier> appliers;
    private final SettingsStore store;
    private final AtomicReference<RuntimeSettings> current;
    /** Held by an update from validation to swap; a second update fails fast instead of waiting (409). */
    private final ReentrantLock updating = new ReentrantLock();
    /** Serialises applying to features; taken last, never held while taking another lock. */
    private final Object applying = new Object();

    @Inject
    RuntimeSettingsService(SluiceConfig config, Instance<SettingsApplier> appliers, Instance<SettingsStore> stores) {
        this(config, (Iterable<SettingsApplier>) appliers, stores.isResolvable() ? stores.get() : null);
    }

    /** @param store null: changes live in this process only */
    RuntimeSettingsService(SluiceConfig config, Iterable<SettingsApplier> appliers, SettingsStore store) {
        this.config = config;
        this.seed = RuntimeSettings.from(config);
        this.appliers = appliers;
        this.store = store;
        this.current = new AtomicReference<>(seed);
    }

    /**
     * Observed first of all start-up work so that this bean, whose construction checks every live setting's
     * start-up value against its declared bounds ({@link RuntimeSettings#from}), fails start-up with the
     * one-line configuration error before any feature builds itself from a value out of range.
     */
    void validateEarly(@Observes @Priority(1) StartupEvent ev) {
        // constructing this bean did the work
    }

    void onStart(@Observes StartupEvent ev) {
        if (store != null) {
            store.subscribe(this::onStoredOverrides);
        }
    }

    /** The snapshot in force. */
    public RuntimeSettings current() {
        return current.get();
    }

    /** What configuration alone says, before any runtime change. */
    public RuntimeSettings seed() {
        return seed;
    }

    /**
     * Changes one key everywhere: {@code config:update <component> <key> <value>}.
     *
     * @return the snapshot after the change
     * @throws SettingsException naming the field when invalid; {@link SettingsConflictException} when another update is in flight
     */
    public RuntimeSettings update(String component, String key, String value, String who, String why) {
        return update(Map.of(component + "." + key, value == null ? "" : value), who, why);
    }

    /**
     * Changes several keys everywhere as one validated, audited change (e.g. the pool's minimum, maximum
     * and acquire timeout together, which one key at a time could not always pass through valid states).
     *
     * @param changes {@code component.key} → value
     * @return the snapshot after the change
     * @throws SettingsException naming every invalid field; {@link SettingsConflictException} when another update is in flight
     */
    public RuntimeSettings update(Map<String, String> changes, String who, String why) {
        if (!updating.tryLock()) {
            throw new SettingsConflictException("another runtime settings update is in progress; retry");
        }
        try {
            RuntimeSettings before = current.get();
            RuntimeSettings next = before.with(changes);
            Map<String, String> beforeText = before.toProperties();
            Map<String, String> nextText = next.toProperties();
            Map<String, String> oldValues = new TreeMap<>();
            Map<String, String> newValues = new TreeMap<>();
            changes.keySet().forEach(k -> {
                oldValues.put(k, beforeText.get(k));
                newValues.put(k, nextText.get(k));
            });
            String target = newValues.size() == 1 ? newValues.keySet().iterator().next() : String.join(",", newValues.keySet());
            applyThenPersist(before, next, o -> {
                Map<String, String> out = new TreeMap<>(o);
                out.putAll(newValues);
                return out;
            }, target, newValues.size() == 1 ? oldValues.values().iterator().next() : oldValues.toString(),
                    newValues.size() == 1 ? newValues.values().iterator().next() : newValues.toString(), who, why);
            return current.get();
        } finally {
            updating.unlock();
        }
    }

    /** Restores a backup ({@code component.key} properties, e.g. an export): every key validated, written as one change. */
    public RuntimeSettings restore(Map<String, String> backup, String who, String why) {
        if (!updating.tryLock()) {
            throw new SettingsConflictException("another runtime settings update is in progress; retry");
        }
        try {
            Map<String, String> props = current.get().toProperties();
            for (Map.Entry<String, String> e : backup.entrySet()) {
                String k = e.getKey().startsWith("sluice.runtime.") ? e.getKey().substring("sluice.runtime.".length()) : e.getKey();
                if (props.containsKey(k)) {
                    props.put(k, e.getValue());
                }
            }
            RuntimeSettings next = RuntimeSettings.fromProperties(props);
            Map<String, String> overrides = overridesOf(next);
            applyThenPersist(current.get(), next, o -> overrides, "runtimeSettings", overridesOf(current.get()).toString(),
                    overrides.toString(), who, why);
            return current.get();
        } finally {
            updating.unlock();
        }
    }

    /** The keys of {@code s} that differ from configuration. */
    Map<String, String> overridesOf(RuntimeSettings s) {
        Map<String, String> base = seed.toProperties();
        Map<String, String> out = new TreeMap<>();
        s.toProperties().forEach((k, v) -> {
            if (!Objects.equals(base.get(k), v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Another replica (or a hand edit) changed the stored overrides. An invalid set is logged and ignored. */
    void onStoredOverrides(Map<String, String> overrides) {
        // never takes the update lock: the store calls this while an update holds it (lock order)
        try {
            Map<String, String> props = new LinkedHashMap<>(seed.toProperties());
            overrides.forEach((k, v) -> {
                if (props.containsKey(k)) {
                    props.put(k, v);
                } else {
                    LOG.warnf("stored runtime setting '%s' is not a known key; ignored", k);
                }
            });
            RuntimeSettings next;
            try {
                next = RuntimeSettings.fromProperties(props);
            } catch (SettingsException e) {
                LOG.warnf("stored runtime settings are invalid, keeping the current ones: %s", e.getMessage());
                return;
            }
            apply(next);
        } catch (IllegalArgumentException e) {
            LOG.warnf("stored runtime settings refused by a feature, keeping the current ones: %s", e.getMessage());
        }
    }

    /**
     * Features first (a refusal changes nothing anywhere), then the store; if the store cannot be
     * written the features are put back, so this replica never runs settings the others do not know.
     */
    private void applyThenPersist(RuntimeSettings before, RuntimeSettings next, java.util.function.UnaryOperator<Map<String, String>> change,
            String target, String oldText, String newText, String who, String why) {
        apply(next);
        if (store == null) {
            return;
        }
        try {
            store.write(change, target, oldText, newText, who, why);
        } catch (RuntimeException e) {
            apply(before);
            throw e;
        }
    }

    private void apply(RuntimeSettings next) {
        synchronized (applying) {
            RuntimeSettings before = current.get();
            if (before.equals(next)) {
                return;
            }
            List<SettingsApplier> done = new java.util.ArrayList<>();
            try {
                for (SettingsApplier a : appliers) {
                    a.apply(before, next);
                    done.add(a);
                }
            } catch (RuntimeException e) {
                for (SettingsApplier a : done) {
                    try {
                        a.apply(next, before);
                    } catch (RuntimeException again) {
                        LOG.warnf("could not put back runtime settings after a refusal: %s", again.getMessage());
                    }
                }
                throw e;
            }
            current.set(next);
        }
        LOG.infof("runtime settings applied; overrides of configuration: %s", overridesOf(next));
    }

    /** The active environment: the Quarkus profiles in force, most specific first (e.g. {@code [prod]}). */
    public List<String> environment() {
        return io.quarkus.runtime.configuration.ConfigUtils.getProfiles();
    }

    /** Components, in display order. */
    public List<String> components() {
        return RuntimeSettings.COMPONENTS;
    }

    /**
     * {@code config:export}: current settings plus static ones, secrets redacted.
     *
     * @param extraStatic further static settings to show (e.g. {@code admin.token}); secret-looking keys are redacted
     */
    public String export(SettingsExport.Format format, Map<String, String> extraStatic) {
        return SettingsExport.export(current.get(), config, extraStatic, format);
    }
}
