package io.sluice.store;

/** A part of the document does not parse, or a change names a key of the wrong tenant; nothing changed. Maps to 400. */
public class StoreFormatException extends IllegalArgumentException {
    private final String key;

    public StoreFormatException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The key at fault. */
    public String key() {
        return key;
    }
}
