package io.sluice.state;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

    /** A state that knows which states may follow it. */
    public interface State<S> {
        boolean canMoveTo(S next);
    }

    /** One recorded transition. */
    public record Transition<S>(Instant at, S from, S to, String cause) {
    }

    /** Called after every successful transition. */
    public interface Listener<S> {
        void onTransition(Transition<S> transition);
    }

    private final String name;
    private final AtomicReference<S> state;
    private final Clock clock;
    private final Object[] history;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong illegal = new AtomicLong();
    private final List<Listener<S>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param name for log lines (e.g. "backend", "lease 12")
     * @param historySize how many transitions to keep; 0 keeps none
     */
    public StateMachine(String name, S initial, int historySize, Clock clock) {
        this.name = name;
        this.state = new AtomicReference<>(initial);
        this.clock = clock;
        this.history = new Object[historySize];
    }

    public S current() {
        return state.get();
    }

    public void addListener(Listener<S> listener) {
        listeners.add(listener);
    }

    /**
     * Moves to {@code to} from whatever the current state is, if allowed.
     *
     * @throws IllegalTransitionException naming both states when the current state may not move to {@code to}
     */
    public S moveTo(S to, String cause) {
        while (true) {
            S from = state.get();
            if (!from.canMoveTo(to)) {
                throw refuse(from, to, cause);
            }
            if (state.compareAndSet(from, to)) {
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
        if (state.compareAndSet(from, to)) {
            record(from, to, cause);
            return true;
        }
        return false;
    }

    /** Transitions refused since creation. */
    public long illegalTransitions() {
        return illegal.get();
    }

    /** The kept history, oldest first. */
    @SuppressWarnings("unchecked")
    public List<Transition<S>> history() {
        synchronized (history) {
            long n = recorded.get();
            int size = (int) Math.min(n, history.length);
            List<Transition<S>> out = new ArrayList<>(size);
            for (long i = n - size; i < n; i++) {
                out.add((Transition<S>) history[(int) (i % history.length)]);
            }
            return out;
        }
    }

    private void record(S from, S to, String cause) {
        Transition<S> t = new Transition<>(clock.instant(), from, to, cause);
        if (history.length > 0) {
            synchronized (history) {
                history[(int) (recorded.getAndIncrement() % history.length)] = t;
            }
        }
        for (Listener<S> l : listeners) {
            try {
                l.onTransition(t);
            } catch (RuntimeException e) {
                LOG.warnf(e, "%s: a state listener failed on %s -> %s", name, from, to);
            }
        }
    }

    private IllegalTransitionException refuse(S from, S to, String cause) {
        illegal.incrementAndGet();
        LOG.warnf("%s: refused illegal transition %s -> %s (%s)", name, from, to, cause);
        return new IllegalTransitionException(name, from, to);
    }
}
