package io.sluice.state;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A state enum's allowed transitions, written once as a {@code switch} from each state to its successors
 * and kept as one bit per successor, so a check on a hot path (every lease, every stream request) is a
 * shift and a mask. Every state machine of Sluice declares its table this way:
 *
 * <pre>{@code
 * private static final Transitions<LeaseState> TABLE = Transitions.of(LeaseState.class, s -> switch (s) {
 *     case IDLE -> EnumSet.of(LEASED);
 *     ...
 * });
 * }</pre>
 *
 * @param <S> the state enum (at most 64 constants)
 */
public final class Transitions<S extends Enum<S>> {
    private final long[] next;
    private final Map<S, Set<S>> successors;

    private Transitions(Class<S> type, Function<S, Set<S>> table) {
        S[] states = type.getEnumConstants();
        if (states.length > Long.SIZE) {
            throw new IllegalArgumentException(type.getSimpleName() + " has more than 64 states");
        }
        this.next = new long[states.length];
        this.successors = new EnumMap<>(type);
        for (S s : states) {
            Set<S> to = EnumSet.noneOf(type);
            to.addAll(table.apply(s));
            successors.put(s, Collections.unmodifiableSet(to));
            for (S n : to) {
                next[s.ordinal()] |= 1L << n.ordinal();
            }
        }
    }

    /** The table {@code table} describes: for each state, the states it may move to. */
    public static <S extends Enum<S>> Transitions<S> of(Class<S> type, Function<S, Set<S>> table) {
        return new Transitions<>(type, table);
    }

    /** Whether {@code from → to} is an allowed transition. */
    public boolean allows(S from, S to) {
        return (next[from.ordinal()] & (1L << to.ordinal())) != 0;
    }

    /** The states {@code from} may move to. */
    public Set<S> successors(S from) {
        return successors.get(from);
    }
}
