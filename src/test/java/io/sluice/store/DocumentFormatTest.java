package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.flags.FlagService;
import io.sluice.flags.FlagsFixture;
import io.sluice.flags.TestConfig;
import io.sluice.metrics.SluiceMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The document's format on disk and in a ConfigMap stays what earlier versions wrote: their stores still load. */
class DocumentFormatTest {
    @TempDir
    Path dir;

    /** A store directory as the flag store of the previous release wrote it (one plain file per key). */
    private void writtenByThePreviousRelease() throws Exception {
        Map<String, String> files = Map.of(
                "ENABLE_CONNECTION_POOL", "enabled=true rollout=25",
                "checkout-v2", "enabled=false rollout=100",
                "killswitch", "active=true\nreason=postgres failover\nby=alice\nat=2026-11-28T03:00:00Z\n",
                "settings.properties", "connectionPool.maxConnections=7\ncircuitBreaker.failureThreshold=3\n",
                "migration.json", "{\"id\":\"m1\",\"status\":\"HELD\"}",
                "audit.jsonl", "{\"at\":\"2026-11-28T03:00:00Z\",\"who\":\"alice\",\"action\":\"killswitch\",\"target\":\"killswitch\","
                        + "\"before\":\"off\",\"after\":\"on (postgres failover)\",\"why\":\"postgres failover\"}\n");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : files.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldReadEveryTenantOfAStoreWrittenInTheEarlierFormat() throws Exception {
        writtenByThePreviousRelease();

        Document d = new Document(new FileStore(dir, Duration.ofSeconds(1)).read());

        assertThat(d.flag("ENABLE_CONNECTION_POOL")).contains("enabled=true rollout=25");
        assertThat(d.flag("checkout-v2")).contains("enabled=false rollout=100");
        assertThat(d.flag("killswitch")).as("not a flag").isEmpty();
        assertThat(d.killswitch().orElseThrow()).contains("active=true").contains("reason=postgres failover");
        assertThat(d.settings()).containsEntry("connectionPool.maxConnections", "7").containsEntry("circuitBreaker.failureThreshold", "3");
        assertThat(d.migration()).contains("{\"id\":\"m1\",\"status\":\"HELD\"}");
        assertThat(d.audit()).singleElement().extracting(AuditEntry::who, AuditEntry::action, AuditEntry::at)
                .containsExactly("alice", "killswitch", Instant.parse("2026-11-28T03:00:00Z"));
    }

    @Test
    void shouldStartAReplicaOnAnEarlierStoreWithItsKillswitchOnAndKeepEveryOtherKeyOnWrite() throws Exception {
        writtenByThePreviousRelease();
        StoreService store = new StoreService(TestConfig.with(), null, new SluiceMetrics(new SimpleMeterRegistry()));
        FlagService flags = FlagsFixture.flags(TestConfig.with(), store);
        try {
            store.open(new FileStore(dir, Duration.ofSeconds(1)));

            assertThat(flags.current().killswitch().active()).isTrue();
            assertThat(flags.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(25);
            assertThat(store.status().invalidKeys()).isEmpty();

            flags.restore("bob", "failover done");

            assertThat(Files.readString(dir.resolve("killswitch"))).contains("active=false");
            assertThat(Files.readString(dir.resolve("settings.properties"))).contains("connectionPool.maxConnections=7");
            assertThat(Files.readString(dir.resolve("migration.json"))).isEqualTo("{\"id\":\"m1\",\"status\":\"HELD\"}");
            assertThat(Files.readString(dir.resolve("audit.jsonl")).lines()).hasSize(2);
        } finally {
            store.close();
        }
    }

    @Test
    void shouldAppendADraftsAuditEntriesBoundedAndKeepTenantsApart() {
        Document before = new Document(Map.of(Document.AUDIT, Document.encodeAudit(java.util.List.of(
                new AuditEntry(Instant.EPOCH, "old", "enable", "X", "a", "b", "")))));
        Document.Draft draft = new Document.Draft(before, Clock.systemUTC());

        draft.settings(Map.of("gateway.maxStreams", "9")).migration("{}").audit("update", "gateway.maxStreams", " carol\n", "8", "9", null);
        Document after = new Document(draft.entries(1));

        assertThat(after.settings()).containsExactly(Map.entry("gateway.maxStreams", "9"));
        assertThat(after.migration()).contains("{}");
        assertThat(after.audit()).singleElement().extracting(AuditEntry::who, AuditEntry::target).containsExactly("carol", "gateway.maxStreams");
        assertThatThrownBy(() -> draft.flag(Document.SETTINGS, "enabled=true")).isInstanceOf(StoreFormatException.class)
                .hasMessageContaining("not a flag");
    }
}
