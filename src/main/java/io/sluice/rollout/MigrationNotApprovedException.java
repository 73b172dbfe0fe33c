package io.sluice.rollout;

/** A migration in an environment that requires approval ({@code prod}) without {@code PRODUCTION_MIGRATION_APPROVED=true}; 403. */
public class MigrationNotApprovedException extends RuntimeException {
    public MigrationNotApprovedException(String message) {
        super(message);
    }
}
