package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.flags.Features;
import io.sluice.flags.Flag;
import io.sluice.flags.FlagException;
import io.sluice.flags.FlagService;
import io.sluice.flags.TestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTest {
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        replicas.close();
    }

    private final Replicas replicas = new Replicas();

    private FlagService replicaWith(Store backend, String... props) {
        return replicas.on(backend, props);
    }

    private StoreService store(FlagService s) {
        return replicas.store(s);
    }

    private FlagService replica(String... props) {
        return replicaOn(dir, props);
    }

    private FlagService replicaOn(Path store, String... props) {
        return replicaWith(new FileStore(store, Duration.ofMillis(100)), props);
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(p)) {
                for (Path c : children.toList()) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    private boolean ready(FlagService s, String... props) {
        return new io.sluice.health.FlagStoreReadinessCheckProbe(s, store(s), TestConfig.with(props)).call().getStatus().name().equals("UP");
    }

    /** What the kubelet does when a mounted ConfigMap changes: a new version directory, then one atomic rename of ..data. */
    private void kubeletPublishes(Map<String, String> data) throws Exception {
        Path version = Files.createTempDirectory(dir, "..2026_");
        for (Map.Entry<String, String> e : data.entrySet()) {
            Files.writeString(version.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            Path link = dir.resolve(e.getKey());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("..data", e.getKey()));
            }
        }
        Path tmp = dir.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, version.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void shouldApplyAConfigMapSymlinkSwapWithinSeconds() throws Exception {
        kubeletPublishes(Map.of("ENABLE_CIRCUIT_BREAKER", "enabled=true"));
        FlagService s = replica();
        assertThat(s.current().decide("k").breaker()).isTrue();

        kubeletPublishes(Map.of("ENABLE_CIRCUIT_BREAKER", "enabled=false", "ENABLE_CONNECTION_POOL", "rollout=0"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(s.current().decide("k").breaker()).isFalse();
            assertThat(s.current().decide("k").pool()).isFalse();
        });
        assertThat(store(s).status().lastLoadOk()).isTrue();
    }

    @Test
    void shouldKeepTheLastGoodStateAndReportItWhenAFileIsCorrupt() throws Exception {
        kubeletPublishes(Map.of("ENABLE_CONNECTION_POOL", "enabled=true rollout=40"));
        FlagService s = replica();
        assertThat(s.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(40);

        kubeletPublishes(Map.of("ENABLE_CONNECTION_POOL", "enabled=true rollout=forty"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store(s).status().lastLoadOk()).isFalse());
        assertThat(store(s).status().lastError()).contains("ENABLE_CONNECTION_POOL").contains("forty");
        assertThat(s.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(40);

        kubeletPublishes(Map.of("ENABLE_CONNECTION_POOL", "enabled=true rollout=60"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store(s).status().lastLoadOk()).isTrue());
        assertThat(s.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(60);
    }

    @Test
    void shouldReportAFileThatIsNotText() throws Exception {
        FlagService s = replica();
        Files.write(dir.resolve("ENABLE_STATE_MACHINE"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store(s).status().lastLoadOk()).isFalse());
        assertThat(store(s).status().lastError()).contains("ENABLE_STATE_MACHINE");
        assertThat(s.current().decide("k").stateMachine()).isTrue();
    }

    @Test
    void shouldShowOneReplicasChangeToAnotherWithinSeconds() {
        FlagService a = replica();
        FlagService b = replica();

        a.rollout("ENABLE_CONNECTION_POOL", 25, "alice", "canary");

        assertThat(a.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(25);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(b.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(25));
    }

    @Test
    void shouldKeepTheKillswitchAcrossARestartUntilRestored() {
        FlagService first = replica();
        first.killswitch("postgres failover", "alice");
        store(first).close();

        FlagService restarted = replica();
        assertThat(restarted.current().killswitch().active()).isTrue();
        assertThat(restarted.current().killswitch().reason()).isEqualTo("postgres failover");
        assertThat(restarted.current().killswitch().by()).isEqualTo("alice");
        assertThat(restarted.current().decide("k")).isEqualTo(new Features(false, false, false, true, false));

        restarted.restore("bob", "failover done");
        assertThat(restarted.current().decide("k")).isEqualTo(Features.ALL);
        assertThat(replica().current().killswitch().active()).isFalse();
    }

    @Test
    void shouldAuditEveryChangeWithWhoWhyAndOldToNewInTheStore() {
        FlagService s = replica("sluice.flags.audit-size", "3");
        s.disable("ENABLE_CIRCUIT_BREAKER", "alice", "noisy");
        s.enable("ENABLE_CIRCUIT_BREAKER", "bob", "fixed");
        s.rollout("ENABLE_STATE_MACHINE", 10, "carol", "slow start");
        s.killswitch("incident 42", "dave");

        List<AuditEntry> audit = store(replica()).document().audit();
        assertThat(audit).hasSize(3);
        assertThat(audit.get(0)).extracting(AuditEntry::who, AuditEntry::action, AuditEntry::before, AuditEntry::after, AuditEntry::why)
                .containsExactly("bob", "enable", "enabled=false rollout=100", "enabled=true rollout=100", "fixed");
        assertThat(audit.get(2)).extracting(AuditEntry::who, AuditEntry::action, AuditEntry::target, AuditEntry::after)
                .containsExactly("dave", "killswitch", "killswitch", "on (incident 42)");
    }

    @Test
    void shouldRefuseUnknownFlagsAndBadPercentagesNamingTheField() {
        FlagService s = replica();
        assertThatThrownBy(() -> s.enable("ENABLE_TELEPORT", "a", "b"))
                .isInstanceOfSatisfying(FlagException.class, e -> assertThat(e.field()).isEqualTo("flag"))
                .hasMessageContaining("ENABLE_TELEPORT");
        assertThatThrownBy(() -> s.rollout("ENABLE_CONNECTION_POOL", 101, "a", "b"))
                .isInstanceOfSatisfying(FlagException.class, e -> assertThat(e.field()).isEqualTo("rollout"));
        assertThatThrownBy(() -> s.killswitch(" ", "a"))
                .isInstanceOfSatisfying(FlagException.class, e -> assertThat(e.field()).isEqualTo("reason"));
        assertThat(store(s).document().audit()).isEmpty();
    }

    @Test
    void shouldLetOperatorsDefineTheirOwnFlags() {
        FlagService s = replica();
        s.define("checkout-v2", true, 30, "alice", "new checkout");
        assertThat(s.current().flags().get("checkout-v2")).isEqualTo(new Flag("checkout-v2", true, 30));
        s.rollout("checkout-v2", 60, "alice", "more");
        assertThat(replica().current().flags().get("checkout-v2").rollout()).isEqualTo(60);
        assertThatThrownBy(() -> s.define("ENABLE_CONNECTION_POOL", true, 1, "a", "b")).isInstanceOf(FlagException.class);
    }

    @Test
    void shouldWriteIntoAPlainFileDirectoryFileByFile() throws Exception {
        Files.writeString(dir.resolve("ENABLE_DETAILED_LOGGING"), "enabled=true\n");
        FlagService s = replica();
        assertThat(s.current().decide("k").detailedLogging()).isTrue();
        s.disable("ENABLE_DETAILED_LOGGING", "alice", "too chatty");
        assertThat(Files.readString(dir.resolve("ENABLE_DETAILED_LOGGING"))).isEqualTo("enabled=false rollout=100");
        assertThat(Files.isSymbolicLink(dir.resolve("ENABLE_DETAILED_LOGGING"))).isFalse();
    }

    @Test
    void shouldReportAStaleStoreInReadinessAndGoUnreadyOnlyWhenConfiguredTo() throws Exception {
        FlagService s = replica();
        Files.writeString(dir.resolve("ENABLE_STATE_MACHINE"), "rollout=lots");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store(s).status().lastLoadOk()).isFalse());

        var lenient = new io.sluice.health.FlagStoreReadinessCheckProbe(s, store(s), TestConfig.with()).call();
        assertThat(lenient.getStatus().name()).isEqualTo("UP");
        assertThat(lenient.getData().orElseThrow()).containsEntry("stale", true);
        assertThat(lenient.getData().orElseThrow().get("lastError").toString()).contains("ENABLE_STATE_MACHINE");

        var strict =
                new io.sluice.health.FlagStoreReadinessCheckProbe(s, store(s), TestConfig.with("sluice.flags.stale-means-unready", "true")).call();
        assertThat(strict.getStatus().name()).isEqualTo("DOWN");
    }

    @Test
    void shouldWriteAroundACorruptKeyLeavingItUntouchedAndReported() throws Exception {
        FlagService s = replica();
        Files.writeString(dir.resolve("ENABLE_CIRCUIT_BREAKER"), "enabled=sometimes");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(store(s).status().invalidKeys()).containsExactly("ENABLE_CIRCUIT_BREAKER"));

        s.killswitch("incident during a bad edit", "alice");

        assertThat(s.current().killswitch().active()).isTrue();
        assertThat(Files.readString(dir.resolve("ENABLE_CIRCUIT_BREAKER"))).isEqualTo("enabled=sometimes");
        assertThat(replica().current().killswitch().active()).isTrue();
        assertThat(store(s).status().invalidKeys()).containsExactly("ENABLE_CIRCUIT_BREAKER");
    }

    @Test
    void shouldRestoreTheLastGoodStatePlusTheChangeWhenTheDirectoryVanishedBeforeAWrite() throws Exception {
        FlagService s = replica();
        s.rollout("ENABLE_CONNECTION_POOL", 25, "alice", "canary");
        s.killswitch("postgres failover", "alice");

        deleteTree(dir);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store(s).status().lastLoadOk()).isFalse());
        assertThat(store(s).isStale()).isTrue();
        assertThat(s.current().killswitch().active()).as("the last good state decides meanwhile").isTrue();

        s.rollout("ENABLE_STATE_MACHINE", 50, "bob", "next step");

        FlagService restarted = replica();
        assertThat(restarted.current().killswitch().active()).as("never recreated from empty").isTrue();
        assertThat(restarted.current().killswitch().reason()).isEqualTo("postgres failover");
        assertThat(restarted.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(25);
        assertThat(restarted.current().flags().get("ENABLE_STATE_MACHINE").rollout()).isEqualTo(50);
        assertThat(store(restarted).document().audit()).extracting(AuditEntry::action).containsExactly("rollout", "killswitch", "restore-store",
                "rollout");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store(s).status().lastLoadOk()).isTrue());
    }

    @Test
    void shouldRefuseAWriteWith503WhenTheStoreIsMissingAndNoGoodStateWasEverRead() throws Exception {
        Path notADirectory = dir.resolve("flags");
        Files.writeString(notADirectory, "a file where the flag directory should be");
        FlagService s = replicaOn(notADirectory);
        assertThat(store(s).status().lastLoadOk()).isFalse();

        assertThatThrownBy(() -> s.killswitch("incident", "alice")).isInstanceOf(StoreException.class)
                .hasMessageContaining("no last good state");
        assertThat(Files.readString(notADirectory)).startsWith("a file");
    }

    @Test
    void shouldApplyEveryKeyThatParsesAtStartTheKillswitchFirstAndReportTheRest() throws Exception {
        kubeletPublishes(Map.of("killswitch", "active=true\nreason=db failover\nby=alice\n", "ENABLE_STATE_MACHINE", "rollout=lots",
                "ENABLE_CONNECTION_POOL", "enabled=true rollout=30"));

        FlagService s = replica();

        assertThat(s.current().killswitch().active()).isTrue();
        assertThat(s.current().killswitch().reason()).isEqualTo("db failover");
        assertThat(s.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(30);
        assertThat(s.current().flags().get("ENABLE_STATE_MACHINE").rollout()).as("its default").isEqualTo(100);
        assertThat(store(s).status().invalidKeys()).containsExactly("ENABLE_STATE_MACHINE");
        assertThat(store(s).status().lastError()).contains("lots");
        assertThat(store(s).status().killswitchUnreadable()).isFalse();
        assertThat(ready(s)).as("a bad flag key alone does not take the replica out").isTrue();
    }

    @Test
    void shouldHoldTheKillswitchOnAndBeUnreadyWhileTheKillswitchKeyIsUnreadableAtStart() throws Exception {
        kubeletPublishes(Map.of("killswitch", "active=perhaps\n", "ENABLE_CONNECTION_POOL", "enabled=true rollout=30"));

        FlagService s = replica();

        assertThat(s.current().killswitch().active()).as("the safe state").isTrue();
        assertThat(s.current().decide("k").pool()).isFalse();
        assertThat(s.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(30);
        assertThat(store(s).status().killswitchUnreadable()).isTrue();
        assertThat(ready(s)).isFalse();

        kubeletPublishes(Map.of("killswitch", "active=false\n", "ENABLE_CONNECTION_POOL", "enabled=true rollout=30"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(ready(s)).isTrue());
        assertThat(s.current().killswitch().active()).isFalse();
    }

    @Test
    void shouldCreateTheStoreAtOnceOnAFreshInstallAndNotReportItStale() {
        Path fresh = dir.resolve("fresh-install");

        FlagService s = replicaOn(fresh);

        assertThat(Files.isDirectory(fresh)).isTrue();
        assertThat(store(s).isStale()).isFalse();
        assertThat(ready(s, "sluice.flags.stale-means-unready", "true")).isTrue();
        s.killswitch("first day", "alice");
        assertThat(replicaOn(fresh).current().killswitch().active()).isTrue();
    }

    @Test
    void shouldEscapeEveryAuditLogFieldSoAReasonCannotForgeFieldsOrLines() {
        assertThat(StoreService.quote("ok\" who=\"root\nfake line\\")).isEqualTo("\"ok\\\" who=\\\"root\\nfake line\\\\\"");
        assertThat(StoreService.quote("bell\u0007")).isEqualTo("\"bell\\u0007\"");
    }
}
