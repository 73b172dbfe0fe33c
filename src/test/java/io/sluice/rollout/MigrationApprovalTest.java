package io.sluice.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.flags.FlagService;
import io.sluice.testing.Cli;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The production approval gate: where approval is required (the prod profile sets
 * {@code sluice.rollout.require-approval=true}), a migration without {@code PRODUCTION_MIGRATION_APPROVED=true}
 * is refused with 403 and changes nothing. No database is needed for that: this runs on embedded SQLite.
 */
@QuarkusTest
@TestProfile(MigrationApprovalTest.ApprovalRequired.class)
class MigrationApprovalTest {

    public static class ApprovalRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.rollout.require-approval", "true", "sluice.production-migration-approved", "false",
                    "sluice.rollout.soak", "200ms");
        }
    }

    @TestHTTPResource("/")
    URL server;

    @Inject
    FlagService flags;

    @Inject
    io.sluice.store.StoreService store;

    @Inject
    MigrationService migrations;

    @Test
    void shouldRefuseAnUnapprovedMigrationWithForbiddenAndChangeNothing() {
        Map<String, String> before = store.read().entries();

        Cli.Run r = Cli.run(server, "migrate", "--target=canary");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("refuses a migration unless PRODUCTION_MIGRATION_APPROVED=true").contains("HTTP 403");
        assertThat(store.read().entries()).isEqualTo(before);
        assertThat(migrations.current()).isEmpty();
    }

    @Test
    void shouldSayADryRunWouldBeRefusedAndExitOne() {
        Cli.Run r = Cli.run(server, "migrate", "--dry-run");
        Cli.Run json = Cli.run(server, "migrate", "--dry-run", "--json");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("would be refused").contains("PRODUCTION_MIGRATION_APPROVED");
        assertThat(json.json().get("approvalRequired").asBoolean()).isTrue();
        assertThat(json.json().get("approved").asBoolean()).isFalse();
        assertThat(migrations.current()).isEmpty();
    }
}
