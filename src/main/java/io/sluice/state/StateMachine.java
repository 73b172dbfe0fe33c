package io.sluice.state;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * An atomic state machine over an enum whose constants declare their allowed successors. Transitions
 * are compare-and-set: of two threads racing from the same state, exactly one wins and the other sees
 * the new state. Listeners run on the transitioning thread after the change; they must be quick.
 *
 * @param <S> the state enum, implementing {@link State}
 */
public final class StateMachine<S extends Enum<S> & StateMachine.State<S>> {
    private static final Logger LOG = Logger.getLogger(StateMachine.class);

    /** A state that knows which states may follow it (from its {@link Transitions} table). */
    public interface State<S> {
        boolean canMoveTo(S next);

        /**
         * Checks one transition of a state kept outside a {@code StateMachine} (in a stored record, or in a
         * snapshot swapped by compare-and-set).
         *
         * @param machine names the machine in the message, e.g. {@code "migration m1"}
         * @return {@code next}
         * @throws IllegalTransitionException naming both states when {@code this → next} is not allowed
         */
        default S requireMoveTo(S next, String machine) {
            if (!canMoveTo(next)) {
                throw new IllegalTransitionException(machine, (Enum<?>) this, (Enum<?>) next);
            }
            return next;
        }
    }

    /** One recorded transition. */
    public record Transition<S>(Instant at, S from, S to, String cause) {
    }

    /** Called after every successful transition. */
    public interface Listener<S> {
        void onTransition(Transition<S> transition);
    }

    private static final VarHandle STATE;
    private static final VarHandle ILLEGAL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(StateMachine.class, "state", Enum.class);
            ILLEGAL = lookup.findVarHandle(StateMachine.class, "illegal", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // fields rather than atomic wrappers: a machine is made per lease, so each allocation counts
    private final String name;
    private final Clock clock;
    private final Object[] history;
    private volatile S state;
    private volatile long illegal;
    /** Guarded by {@code history}. */
    private long recorded;
    @SuppressWarnings("rawtypes")
    private static final Listener[] NO_LISTENERS = new Listener[0];
    /** Shared by machines that keep no history (one per lease); never written, since its length is 0. */
    private static final Object[] NO_HISTORY = new Object[0];

    private volatile Listener<S>[] listeners = noListeners();

    /**
     * @param name for log lines (e.g. "backend", "lease 12")
     * @param historySize how many transitions to keep; 0 keeps none
     */
    public StateMachine(String name, S initial, int historySize, Clock clock) {
        this.name = name;
        this.state = initial;
        this.clock = clock;
        this.history = historySize == 0 ? NO_HISTORY : new Object[historySize];
    }

    public S current() {
        return state;
    }

    public synchronized void addListener(Listener<S> listener) {
        Listener<S>[] more = Arrays.copyOf(listeners, listeners.length + 1);
        more[listeners.length] = listener;
        listeners = more;
    }

    @SuppressWarnings("unchecked")
    private static <S> Listener<S>[] noListeners() {
        return (Listener<S>[]) NO_LISTENERS; // shared: a machine is made per lease, and addListener copies
    }

    private boolean cas(S from, S to) {
        return STATE.compareAndSet(this, from, to);
    }

    /**
     * Moves to {@code to} from whatever the current state is, if allowed.
     *
     * @throws IllegalTransitionException naming both states when the current state may not move to {@code to}
     */
    public S moveTo(S to, String cause) {
        while (true) {
            S from = state;
            if (!from.canMoveTo(to)) {
                throw refuse(from, to, cause);
            }
            if (cas(from, to)) {
                record(from, to, cause);
                return from;
            }
        }
    }

    /**
     * Moves from exactly {@code from} to {@code to}; false (and nothing changes) when the machine is no
     * longer in {@code from}, e.g. because another thread moved it first.
     *
     * @throws IllegalTransitionException when {@code from → to} is not an allowed transition at all
     */
    public boolean moveFrom(S from, S to, String cause) {
        if (!from.canMoveTo(to)) {
            throw refuse(from, to, cause);
        }
        if (cas(from, to)) {
            record(from, to, cause);
            return true;
        }
        return false;
    }

    /** Transitions refused since creation. */
    public long illegalTransitions() {
        return illegal;
    }

    /** The kept history, oldest first. */
    @SuppressWarnings("unchecked")
    public List<Transition<S>> history() {
        if (history.length == 0) {
            return List.of(); // and no lock on the shared empty array
        }
        synchronized (history) {
            long n = recorded;
            int size = (int) Math.min(n, history.length);
            List<Transition<S>> out = new ArrayList<>(size);
            for (long i = n - size; i < n; i++) {
                out.add((Transition<S>) history[(int) (i % history.length)]);
            }
            return out;
        }
    }

    private void record(S from, S to, String cause) {
        Listener<S>[] notify = listeners;
        if (history.length == 0 && notify.length == 0) {
            return;
        }
        Transition<S> t = new Transition<>(clock.instant(), from, to, cause);
        if (history.length > 0) {
            synchronized (history) {
                history[(int) (recorded++ % history.length)] = t;
            }
        }
        for (Listener<S> l : notify) {
            try {
                l.onTransition(t);
            } catch (RuntimeException e) {
                LOG.warnf(e, "%s: a state listener failed on %s -> %s", name, from, to);
            }
        }
    }

    private IllegalTransitionException refuse(S from, S to, String cause) {
        ILLEGAL.getAndAdd(this, 1L);
        LOG.warnf("%s: refused illegal transition %s -> %s (%s)", name, from, to, cause);
        return new IllegalTransitionException(name, from, to);
    }
}
