package io.sluice.config;

/** Another update of the runtime settings was in progress; nothing changed. Maps to 409 in the admin API. */
public class SettingsConflictException extends RuntimeException {
    public SettingsConflictException(String message) {
        super(message);
    }
}
