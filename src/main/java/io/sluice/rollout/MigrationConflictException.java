package io.sluice.rollout;

/** A migration request that conflicts with the migration's state (another one running, nothing to roll back); 409. */
public class MigrationConflictException extends IllegalStateException {
    public MigrationConflictException(String message) {
        super(message);
    }
}
