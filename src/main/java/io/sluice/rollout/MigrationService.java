package io.sluice.rollout;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sluice.config.SluiceConfig;
import io.sluice.flags.Flag;
import io.sluice.flags.FlagService;
import io.sluice.flags.FlagSet;
import io.sluice.flags.Killswitch;
import io.sluice.metrics.Meters;
import io.sluice.metrics.SluiceMetrics;
import io.sluice.store.Document;
import io.sluice.store.StoreService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Runs migrations on the server. The state lives in the flag store ({@code migration.json}) and every
 * change to it is one optimistic-concurrency store write together with the flags it implies, so flags
 * and state never disagree and two replicas cannot both start one. The replica that starts a migration
 * drives it (apply a step, soak, check, advance or roll back); a supervisor on every replica resumes a
 * RUNNING migration whose driver went quiet (a restart, a dead replica) by re-applying its current step.
 */
@ApplicationScoped
@RegisterForReflection(targets = {Migration.class, Migration.Event.class, MigrationPlan.class, MigrationPlan.Step.class})
public class MigrationService {
    private static final Logger LOG = Logger.getLogger(MigrationService.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final SluiceConfig config;
    private final FlagService flags;
    private final StoreService store;
    private final DeploymentCheck check;
    private final Clock clock = Clock.systemUTC();
    private final String replica = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicReference<String> driving = new AtomicReference<>();
    private ExecutorService driver;
    private ScheduledExecutorService supervisor;

    MigrationService(SluiceConfig config, FlagService flags, StoreService store, DeploymentCheck check, SluiceMetrics metrics) {
        this.config = config;
        this.flags = flags;
        this.store = store;
        this.check = check;
        // from the content this replica last applied, never a read of the store per scrape
        Gauge.builder(Meters.ROLLOUT_MIGRATION_PERCENT, this, m -> m.applied().map(x -> x.currentStep().percent()).orElse(0))
                .description("Rollout percentage of the migration's current step (0: no migration)").register(metrics.registry());
        Gauge.builder(Meters.ROLLOUT_MIGRATION_RUNNING, this, m -> m.applied().filter(x -> x.status() == MigrationStatus.RUNNING).isPresent() ? 1 : 0)
                .description("1 while a migration is running").register(metrics.registry());
    }

    /** The migration in the store content last applied here; empty when none, or when it cannot be read. */
    private Optional<Migration> applied() {
        try {
            return decode(store.document());
        } catch (MigrationConflictException e) {
            return Optional.empty();
        }
    }

    /** What a client asks for; unset figures come from {@code sluice.rollout.*}. */
    public record StartRequest(String target, Long soakMs, Integer canaryPercent, List<Integer> gradualSteps, String reason,
            Boolean dryRun) {
    }

    /** What a start (or a dry run) would do. */
    public record PlanView(boolean dryRun, String target, long soakMs, boolean approvalRequired, boolean approved, String refusal,
            String continues, List<MigrationPlan.Step> steps, Map<String, String> snapshot) {
    }

    /** The migration as the admin API shows it; {@code status} NONE and the rest null when there never was one. */
    /**
     * The migration as the admin API shows it.
     *
     * @param stepNumber the current step, 1-based, of {@code stepsToTarget}
     * @param soakUntil while the current step soaks: when its health check is due (null while checking, or not running)
     * @param lastCheck the latest health check's event (its score, passed or failed), null before the first
     */
    public record View(MigrationStatus status, boolean active, String id, String phase, String step, String target, Long elapsedMs,
            Integer lastScore, String outcome, String startedBy, Instant startedAt, String reason, String drivenBy, MigrationPlan plan,
            Map<String, String> snapshot, List<Migration.Event> history, Integer stepNumber, Integer stepsToTarget, Instant soakUntil,
            Migration.Event lastCheck) {
    }

    /** What a rollback did: the migration rolled back, or (none active) the killswitch pulled. */
    public record RollbackOutcome(String action, String reason, View migration, Killswitch killswitch, List<Flag> flags) {
    }

    void onStart(@Observes StartupEvent event) {
        driver = Executors.newSingleThreadExecutor(r -> daemon(r, "sluice-migration"));
        supervisor = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sluice-migration-supervisor"));
        supervisor.scheduleWithFixedDelay(this::supervise, 0, Math.max(100, Math.min(1000, config.rollout().takeoverAfter().toMillis() / 2)),
                TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (supervisor != null) {
            supervisor.shutdownNow();
            driver.shutdownNow();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The migration as the store holds it now (read through, so another replica's change is seen at once). */
    public Optional<Migration> current() {
        return decode(store.read());
    }

    public View view() {
        return view(current().orElse(null));
    }

    /**
     * Starts a migration towards the request's target (default full), continues a HELD one towards a later
     * target, or with {@code dryRun} only says what it would do.
     *
     * @throws IllegalArgumentException a figure out of range or an unknown target, naming it; nothing changed
     * @throws MigrationNotApprovedException approval required and not given
     * @throws MigrationConflictException another migration active, the killswitch on, or nothing to continue
     */
    public Object start(StartRequest request, String who) {
        StartRequest r = request == null ? new StartRequest(null, null, null, null, null, false) : request;
        Phase target = r.target() == null || r.target().isBlank() ? Phase.FULL : Phase.parseTarget(r.target());
        SluiceConfig.Rollout defaults = config.rollout();
        MigrationPlan plan = new MigrationPlan(r.soakMs() == null ? defaults.soak().toMillis() : r.soakMs(),
                r.canaryPercent() == null ? defaults.canaryPercent() : r.canaryPercent(),
                r.gradualSteps() == null ? defaults.gradualSteps() : r.gradualSteps());
        String reason = r.reason() == null ? "" : r.reason().strip();
        boolean required = defaults.requireApproval();
        boolean approved = config.productionMigrationApproved();
        String refusal = required && !approved
                ? "this environment (the prod profile) refuses a migration unless PRODUCTION_MIGRATION_APPROVED=true "
                        + "(sluice.production-migration-approved)"
                : null;
        Document data = store.read();
        Optional<Migration> previous = decode(data);
        boolean continuing = previous.isPresent() && previous.get().status() == MigrationStatus.HELD;
        if (Boolean.TRUE.equals(r.dryRun())) {
            return new PlanView(true, target.label(), plan.soakMs(), required, approved, refusal,
                    continuing ? previous.get().id() + " (held at " + previous.get().currentStep().label() + ")" : null,
                    plan.steps().subList(0, plan.lastStepOf(target) + 1), snapshotOf(data));
        }
        if (refusal != null) {
            throw new MigrationNotApprovedException(refusal);
        }
        if (flags.current().killswitch().active()) {
            throw new MigrationConflictException("the killswitch is on (" + flags.current().killswitch().reason()
                    + "); release it with flags:killswitch --off before migrating");
        }
        Migration[] started = new Migration[1];
        flags.writeFlags(Map.of(), "migrate", who, reason, draft -> {
            Migration prev = decode(draft.before()).orElse(null);
            Instant now = clock.instant();
            Migration next = prev != null && prev.status() == MigrationStatus.HELD
                    ? prev.onContinue(target, r.soakMs(), who, replica, now)
                    : Migration.start(prev, UUID.randomUUID().toString().substring(0, 8), plan, target, snapshotOf(draft.before()), who, reason,
                            replica, now);
            started[0] = next.trimmed(config.rollout().historySize());
            put(draft, started[0]);
        });
        LOG.infof("migration %s started by %s towards %s", started[0].id(), who, target.label());
        drive(started[0].id());
        return view(started[0]);
    }

    /**
     * Restores the snapshot of an active (or completed) migration in one store write.
     *
     * @throws MigrationConflictException when there is no migration that can be rolled back
     */
    public View rollback(String who, String why) {
        Migration m = current().orElseThrow(() -> new MigrationConflictException("there is no migration to roll back"));
        if (!m.status().canMoveTo(MigrationStatus.ROLLED_BACK)) {
            throw new MigrationConflictException("migration " + m.id() + " is " + m.status() + "; there is nothing to roll back");
        }
        Migration[] done = new Migration[1];
        flags.writeFlags(m.snapshot(), "rollback", who, why, draft -> {
            Migration now = decode(draft.before()).orElseThrow(() -> new MigrationConflictException("the migration state vanished"));
            if (!now.id().equals(m.id())) {
                throw new MigrationConflictException("another migration (" + now.id() + ") started meanwhile; nothing rolled back");
            }
            done[0] = now.onRollback(who, why, clock.instant()).trimmed(config.rollout().historySize());
            put(draft, done[0]);
        });
        LOG.infof("migration %s rolled back by %s: %s", m.id(), who, why);
        return view(done[0]);
    }

    /**
     * Holds the running migration where it is, mid-step: the step's flags (traffic) stay as they are, its soak,
     * check and advance stop until {@link #resume}. Audited ({@code hold}, target {@code migration}).
     *
     * @throws MigrationConflictException when no migration is running
     */
    public View hold(String who, String why) {
        Migration done = change("hold", who, why, (m, now) -> m.onHold(who, why, now));
        LOG.infof("migration %s held by %s at %s", done.id(), who, done.currentStep().label());
        return view(done);
    }

    /**
     * Resumes a held migration at its step, driven by this replica: the step soaks and is checked again from its start.
     * Audited ({@code resume}, target {@code migration}).
     *
     * @throws MigrationConflictException when no migration is held mid-step
     */
    public View resume(String who, String why) {
        Migration done = change("resume", who, why, (m, now) -> m.onResume(who, replica, now));
        LOG.infof("migration %s resumed by %s at %s", done.id(), who, done.currentStep().label());
        drive(done.id());
        return view(done);
    }

    /** One operator change of the migration's state, in one store write with its audit entry. */
    private Migration change(String action, String who, String why, java.util.function.BiFunction<Migration, Instant, Migration> event) {
        Migration[] done = new Migration[1];
        store.write(draft -> {
            Migration m = decode(draft.before()).orElseThrow(() -> new MigrationConflictException("there is no migration to " + action));
            done[0] = event.apply(m, clock.instant()).trimmed(config.rollout().historySize());
            put(draft, done[0]);
            draft.audit(action, "migration", who, m.status() + " at " + m.currentStep().label(),
                    done[0].status() + " at " + done[0].currentStep().label(), why);
            return null;
        });
        return done[0];
    }

    /**
     * The one rollback rule ({@code deploy:rollback}, {@code health-check --enable-rollback}): roll back the
     * active migration when there is one, otherwise pull the killswitch; the reason is recorded either way.
     */
    public RollbackOutcome rollbackOrKillswitch(String who, String reason) {
        String why = reason == null || reason.isBlank() ? "rollback requested by " + who : reason.strip();
        Optional<Migration> m = current();
        if (m.isPresent() && m.get().status().active()) {
            View v = rollback(who, why);
            FlagSet now = flags.current();
            return new RollbackOutcome("migration-rolled-back", why, v, now.killswitch(), List.copyOf(now.flags().values()));
        }
        FlagSet killed = flags.killswitch(why, who);
        return new RollbackOutcome("killswitch", why, view(m.orElse(null)), killed.killswitch(), List.copyOf(killed.flags().values()));
    }

    /** Resumes a RUNNING migration whose driver has gone quiet; runs on every replica. */
    void supervise() {
        try {
            Optional<Migration> found = decode(store.document());
            if (found.isEmpty() || found.get().status() != MigrationStatus.RUNNING) {
                return;
            }
            Migration m = found.get();
            boolean mine = replica.equals(m.owner()) && m.id().equals(driving.get());
            if (mine || !m.stale(clock.instant(), config.rollout().takeoverAfter())) {
                return;
            }
            Migration[] claimed = new Migration[1];
            flags.writeFlags(Map.of(), "migrate", "rollout:" + replica, "resume", draft -> {
                Migration now = decode(draft.before()).orElseThrow(Abandoned::new);
                if (!now.id().equals(m.id()) || !now.stale(clock.instant(), config.rollout().takeoverAfter())) {
                    throw new Abandoned();
                }
                claimed[0] = now.onTakeover(replica, clock.instant()).trimmed(config.rollout().historySize());
                put(draft, claimed[0]);
            });
            LOG.infof("resuming migration %s at %s (its driver went quiet)", m.id(), claimed[0].currentStep().label());
            drive(m.id());
        } catch (Abandoned e) {
            // someone else claimed it first
        } catch (RuntimeException e) {
            LOG.warnf("migration supervisor: %s", e.getMessage());
        }
    }

    private void drive(String id) {
        driving.set(id);
        driver.execute(() -> {
            try {
                run(id);
            } catch (RuntimeException e) {
                LOG.errorf(e, "migration %s: the driver stopped; another replica (or a restart) resumes it", id);
            } finally {
                driving.compareAndSet(id, null);
            }
        });
    }

    /** Apply, soak, check, advance — until the migration is no longer RUNNING on this replica. */
    private void run(String id) {
        while (!Thread.currentThread().isInterrupted()) {
            Migration m = decode(store.document()).orElse(null);
            if (m == null || !mine(m, id)) {
                return;
            }
            int step = m.stepIndex();
            MigrationPlan.Step s = m.currentStep();
            String who = "rollout:" + m.startedBy();
            Migration applied = transition(id, step, null, s.flags(), "migrate", who, "migration " + id + ": " + s.label(),
                    x -> x.onStepApplied(clock.instant()));
            if (applied == null) {
                return;
            }
            if (!soak(applied, m.plan().soakMs())) {
                return;
            }
            DeploymentCheck.Result result = check.run();
            // a hold (and a resume) since the step was applied changes updatedAt: this check no longer decides anything
            Instant since = applied.updatedAt();
            if (result.passed()) {
                transition(id, step, since, Map.of(), "migrate", who, "passed", x -> x.onStepPassed(result.score(), clock.instant()));
            } else {
                LOG.warnf("migration %s: health check failed at %s, rolling back: %s", id, s.label(), result.failures());
                transition(id, step, since, m.snapshot(), "rollback", who, "health check failed at " + s.label() + ": "
                        + String.join("; ", result.failures()), x -> x.onCheckFailed(result.failures(), result.score(), clock.instant()));
                return;
            }
        }
    }

    private boolean mine(Migration m, String id) {
        return m.id().equals(id) && m.status() == MigrationStatus.RUNNING && replica.equals(m.owner());
    }

    /**
     * Sleeps through a soak, giving up as soon as the migration stops being this replica's running one or changes at
     * all (a hold and a resume: the resumed step soaks again on a new run).
     */
    private boolean soak(Migration applied, long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                Migration m = decode(store.document()).orElse(null);
                if (m == null || !mine(m, applied.id()) || !m.updatedAt().equals(applied.updatedAt())) {
                    return false;
                }
                if (left <= 0) {
                    return true;
                }
                Thread.sleep(Math.min(left, 200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * One guarded write: only while the migration is still this replica's, RUNNING, at {@code step}, and (when
     * {@code since} is given) unchanged since then; null otherwise.
     */
    private Migration transition(String id, int step, Instant since, Map<String, String> flagValues, String action, String who,
            String why, UnaryOperator<Migration> event) {
        Migration[] out = new Migration[1];
        try {
            flags.writeFlags(flagValues, action, who, why, draft -> {
                Migration m = decode(draft.before()).orElseThrow(Abandoned::new);
                if (!mine(m, id) || m.stepIndex() != step || (since != null && !since.equals(m.updatedAt()))) {
                    throw new Abandoned();
                }
                out[0] = event.apply(m).trimmed(config.rollout().historySize());
                put(draft, out[0]);
            });
            return out[0];
        } catch (Abandoned e) {
            return null;
        }
    }

    /** The migrated flags' store values now; absent keys as null (restoring removes them, back to defaults). */
    private static Map<String, String> snapshotOf(Document document) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String f : MigrationPlan.FLAGS) {
            out.put(f, document.flag(f).orElse(null));
        }
        return out;
    }

    private static void put(Document.Draft draft, Migration m) {
        draft.migration(encode(m));
    }

    View view(Migration m) {
        if (m == null) {
            return new View(MigrationStatus.NONE, false, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    List.of(), null, null, null, null);
        }
        Instant end = m.status() == MigrationStatus.RUNNING ? clock.instant() : m.updatedAt();
        MigrationPlan.Step s = m.currentStep();
        return new View(m.status(), m.status().active(), m.id(), s.phase().label(), s.label(), m.target().label(),
                Duration.between(m.startedAt(), end).toMillis(), m.lastScore(), m.outcome(), m.startedBy(), m.startedAt(), m.reason(),
                m.status() == MigrationStatus.RUNNING ? m.owner() : null, m.plan(), m.snapshot(), m.history(), s.index() + 1,
                m.plan().lastStepOf(m.target()) + 1, soakUntil(m, s), lastCheck(m.history()));
    }

    /** The soak of the current step ends here: its latest event is "applied" (the check has not begun). */
    private static Instant soakUntil(Migration m, MigrationPlan.Step s) {
        if (m.status() != MigrationStatus.RUNNING || m.history().isEmpty()) {
            return null;
        }
        Migration.Event last = m.history().get(m.history().size() - 1);
        boolean soaking = last.status() == MigrationStatus.RUNNING && s.label().equals(last.step()) && last.score() == null
                && last.detail() != null && last.detail().startsWith("applied");
        return soaking ? last.at().plusMillis(m.plan().soakMs()) : null;
    }

    private static Migration.Event lastCheck(List<Migration.Event> history) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).score() != null) {
                return history.get(i);
            }
        }
        return null;
    }

    static String encode(Migration m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the migration state", e);
        }
    }

    /** @throws MigrationConflictException when the document's migration state cannot be read (edited by hand?) */
    static Optional<Migration> decode(Document document) {
        return decode(document.migration().orElse(null));
    }

    /** @throws MigrationConflictException when {@code text} is not a migration state */
    static Optional<Migration> decode(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(text, Migration.class));
        } catch (IOException | RuntimeException e) {
            throw new MigrationConflictException("the store's " + Document.MIGRATION + " cannot be read; fix or remove it: "
                    + e.getClass().getSimpleName());
        }
    }

    /** The migration moved on under a guarded write; the write is abandoned and nothing changes. */
    private static final class Abandoned extends RuntimeException {
        Abandoned() {
            super(null, null, false, false);
        }
    }
}
