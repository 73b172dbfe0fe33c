package io.sluice.flags;

/** A request to change flags that cannot be honoured; {@link #field()} names the offending input. */
public class FlagException extends IllegalArgumentException {
    private final String field;

    public FlagException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The input at fault: {@code flag}, {@code rollout}, {@code reason}, ... */
    public String field() {
        return field;
    }
}
