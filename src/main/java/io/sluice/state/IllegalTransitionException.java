package io.sluice.state;

/** A transition that the state machine's table does not allow; the message names both states. */
public final class IllegalTransitionException extends IllegalStateException {
    private final Enum<?> from;
    private final Enum<?> to;

    IllegalTransitionException(String machine, Enum<?> from, Enum<?> to) {
        super(machine + ": illegal transition " + from + " -> " + to);
        this.from = from;
        this.to = to;
    }

    public Enum<?> from() {
        return from;
    }

    public Enum<?> to() {
        return to;
    }
}
