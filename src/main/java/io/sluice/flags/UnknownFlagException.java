package io.sluice.flags;

/** The named flag does not exist (the admin API answers 404). */
public class UnknownFlagException extends FlagException {
    public UnknownFlagException(String message) {
        super("flag", message);
    }
}
