package io.sluice.flags;

import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.store.Document;
import io.sluice.store.StoreService;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Flag changes: enable, disable, rollout, define, delete, killswitch and restore are one audited write of
 * the store's document each (so every replica converges), applied here at once. The flags are the store's
 * first tenant: a document written by anyone else is decoded here, every key that parses applied (the
 * killswitch first), and a key that does not keeps its last good value and is reported in the store's status.
 */
@ApplicationScoped
public class FlagService {
    private static final Logger LOG = Logger.getLogger(FlagService.class);

    private final FlagDecisions decisions;
    private final StoreService store;
    private final FlagSet defaults;
    private final Clock clock = Clock.systemUTC();

    FlagService(SluiceConfig config, FlagDecisions decisions, StoreService store, SluiceMetrics metrics) {
        Gauge.builder(Meters.FLAGS_KILLSWITCH, decisions, d -> d.current().killswitch().active() ? 1 : 0)
                .description("1 while the killswitch is active").register(metrics.registry());
        this.decisions = decisions;
        this.store = store;
        this.defaults = FlagDecisions.defaults(config);
        store.subscribe(this::apply); // the first tenant: the killswitch is in force before any other tenant reacts
    }

    /** Created before the store opens (its observer has priority 100), so the flags apply the first document read. */
    void onStart(@Observes @Priority(90) StartupEvent ev) {
        LOG.debugf("flags subscribed to the store");
    }

    /**
     * Applies a document: every flag key that parses, the killswitch first; a key that does not keeps its
     * last good value (at start its default; an unreadable killswitch is held on).
     *
     * @return the keys that do not parse, each with why
     */
    private Map<String, String> apply(Document document) {
        FlagCodec.Lenient decoded = FlagCodec.decodeLenient(document.entries(), defaults, store.loaded() ? decisions.current() : null,
                clock.instant());
        FlagSet next = decoded.set();
        if (!decoded.invalid().isEmpty()) {
            LOG.warnf("flag store: applied every key that parses; these do not and keep their last good value: %s",
                    String.join("; ", decoded.invalid().values()));
            if (decoded.killswitchUnreadable()) {
                LOG.errorf("flag store: the killswitch key is unreadable; holding %s and reporting not ready until it is fixed",
                        next.killswitch().active() ? "the killswitch ON" : "the killswitch off (its last good state)");
            }
        }
        FlagSet before = decisions.current();
        decisions.set(next);
        if (!before.equals(next)) {
            LOG.infof("flags changed in the store: %s", next);
        }
        return decoded.invalid();
    }

    /** The snapshot in force. */
    public FlagSet current() {
        return decisions.current();
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
        Killswitch on = new Killswitch(true, reason.strip(), Document.principal(who), clock.instant());
        return write("killswitch", FlagCodec.KILLSWITCH, who, reason, set -> set.with(on));
    }

    public FlagSet restore(String who, String why) {
        Killswitch off = new Killswitch(false, "", Document.principal(who), clock.instant());
        return write("restore", FlagCodec.KILLSWITCH, who, why, set -> set.with(off));
    }

    /**
     * Sets several flags' store values in one store write, together with {@code alongside}'s change of
     * other keys (the rollout feature keeps its migration state in the same write, so flags and state
     * never disagree). A {@code null} value removes the key: the flag returns to its configured default.
     * Each changed flag is audited. {@code alongside} edits the draft before the flags are set and may throw
     * to abandon the write; it is called again on a fresh draft when the write is retried.
     *
     * @param values flag name to store value ({@code enabled=true rollout=25}) or {@code null}
     * @throws FlagException a value that does not parse, naming its key; nothing is written
     */
    public FlagSet writeFlags(Map<String, String> values, String action, String who, String why, Consumer<Document.Draft> alongside) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() != null) {
                FlagCodec.decodeFlag(e.getKey(), e.getValue(), null);
            } else if (FlagCodec.isReserved(e.getKey())) {
                throw new FlagException("flag", "'" + e.getKey() + "' is not a flag");
            }
        }
        store.write(draft -> {
            alongside.accept(draft);
            for (Map.Entry<String, String> e : values.entrySet()) {
                String before = draft.before().flag(e.getKey()).orElse("absent");
                String after = e.getValue() == null ? "absent" : e.getValue();
                if (!before.equals(after)) {
                    draft.flag(e.getKey(), e.getValue()).audit(action, e.getKey(), who, before, after, why);
                }
            }
            return draft; // keys that do not parse elsewhere in the store stay as they are, reported, never block a write
        });
        return current();
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
        store.write(draft -> {
            // other keys that do not parse keep their last good value here and stay untouched in the store:
            // a corrupt flag never stops an operator from pulling (or restoring) the killswitch
            FlagSet before = FlagCodec.decodeLenient(draft.before().entries(), defaults, decisions.current(), clock.instant()).set();
            FlagSet after = change.apply(before);
            if (target.equals(FlagCodec.KILLSWITCH)) {
                draft.killswitch(FlagCodec.encodeKillswitch(after.killswitch()));
            } else {
                draft.flag(target, after.flags().containsKey(target) ? after.flags().get(target).encode() : null);
            }
            return draft.audit(action, target, who, describe(before, target), describe(after, target), why);
        });
        return current();
    }

    private static String describe(FlagSet set, String target) {
        if (target.equals(FlagCodec.KILLSWITCH)) {
            Killswitch k = set.killswitch();
            return k.active() ? "on (" + k.reason() + ")" : "off";
        }
        Flag f = set.flags().get(target);
        return f == null ? "absent" : f.encode();
    }
}
