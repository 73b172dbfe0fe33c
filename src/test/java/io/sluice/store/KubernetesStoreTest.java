package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.sluice.flags.FlagService;
import io.sluice.flags.TestConfig;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Kubernetes store against the fabric8 mock API server in CRUD mode (a real watch, real resourceVersions). */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(KubernetesStoreTest.OnKubernetes.class)
class KubernetesStoreTest {
    static final String NS = "test";
    static final String CM = "sluice-flags";

    public static class OnKubernetes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.sluice.flags.store", "kubernetes", "sluice.flags.store", "kubernetes",
                    "sluice.flags.namespace", NS, "sluice.flags.configmap", CM);
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    FlagService flags;

    @Inject
    StoreService store;

    @Inject
    io.sluice.rollout.MigrationService migrations;

    private ConfigMap configMap() {
        return server.getClient().configMaps().inNamespace(NS).withName(CM).get();
    }

    private void outsideEdit(String key, String value) {
        KubernetesClient c = server.getClient();
        ConfigMap cm = c.configMaps().inNamespace(NS).withName(CM).get();
        if (cm == null) {
            c.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(CM).endMetadata()
                    .withData(Map.of(key, value)).build()).create();
        } else {
            Map<String, String> data = new HashMap<>(cm.getData() == null ? Map.of() : cm.getData());
            data.put(key, value);
            c.configMaps().inNamespace(NS).resource(new ConfigMapBuilder(cm).withData(data).build()).update();
        }
    }

    @Test
    void shouldSeeAnOutsideEditOfTheConfigMapWithinSeconds() {
        outsideEdit("ENABLE_STATE_MACHINE", "enabled=true rollout=0");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(flags.current().flags().get("ENABLE_STATE_MACHINE").rollout()).isZero();
            assertThat(flags.current().decide("someone").stateMachine()).isFalse();
        });
        assertThat(store(flags).status().kind()).isEqualTo("kubernetes");

        outsideEdit("ENABLE_STATE_MACHINE", "enabled=true rollout=100");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(flags.current().decide("someone").stateMachine()).isTrue());
    }

    @Test
    void shouldShowAWriteThroughThisReplicaToASecondWatcher() throws Exception {
        KubernetesStore otherReplica = new KubernetesStore(server.getClient(), NS, CM, Duration.ofMinutes(5), 3);
        Map<String, String>[] seen = new Map[1];
        otherReplica.watch(data -> seen[0] = data, e -> {
        });
        try {
            flags.rollout("ENABLE_CONNECTION_POOL", 35, "alice", "canary");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(seen[0]).containsEntry("ENABLE_CONNECTION_POOL", "enabled=true rollout=35"));
            assertThat(configMap().getData().get("audit.jsonl")).contains("\"who\":\"alice\"").contains("canary");
        } finally {
            flags.rollout("ENABLE_CONNECTION_POOL", 100, "alice", "done");
            otherReplica.close();
        }
    }

    @Test
    void shouldRetryAWriteThatLostARaceAndKeepBothChanges() throws Exception {
        outsideEdit("seed", "enabled=true");
        KubernetesStore store = new KubernetesStore(server.getClient(), NS, CM, Duration.ofMinutes(5), 3);
        AtomicInteger attempts = new AtomicInteger();
        Map<String, String> written = store.update(data -> {
            if (attempts.incrementAndGet() == 1) {
                outsideEdit("RACER", "enabled=false"); // someone else writes between our read and our write
            }
            Map<String, String> next = new TreeMap<>(data);
            next.put("MINE", "enabled=true rollout=5");
            return next;
        });
        store.close();
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(written).containsEntry("RACER", "enabled=false").containsEntry("MINE", "enabled=true rollout=5");
        assertThat(configMap().getData()).containsEntry("RACER", "enabled=false").containsEntry("MINE", "enabled=true rollout=5");
    }

    @Test
    void shouldKeepTheLastGoodStateWhenTheConfigMapTurnsCorrupt() {
        outsideEdit("ENABLE_DETAILED_LOGGING", "enabled=true");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(flags.current().decide("k").detailedLogging()).isTrue());

        outsideEdit("ENABLE_DETAILED_LOGGING", "enabled=perhaps");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store(flags).status().lastLoadOk()).isFalse());
        assertThat(store(flags).status().lastError()).contains("ENABLE_DETAILED_LOGGING");
        assertThat(flags.current().decide("k").detailedLogging()).isTrue();

        outsideEdit("ENABLE_DETAILED_LOGGING", "enabled=false");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store(flags).status().lastLoadOk()).isTrue());
        assertThat(flags.current().decide("k").detailedLogging()).isFalse();
    }

    @Test
    void shouldKeepTheLastGoodStateAndReportItWhenTheConfigMapIsDeleted() {
        outsideEdit("ENABLE_CIRCUIT_BREAKER", "enabled=false");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(flags.current().decide("k").breaker()).isFalse());

        server.getClient().configMaps().inNamespace(NS).withName(CM).delete();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store(flags).status().lastLoadOk()).isFalse());
        assertThat(store(flags).status().lastError()).contains("deleted");
        assertThat(flags.current().decide("k").breaker()).isFalse();

        outsideEdit("ENABLE_CIRCUIT_BREAKER", "enabled=true");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store(flags).status().lastLoadOk()).isTrue());
        assertThat(flags.current().decide("k").breaker()).isTrue();
    }

    /** Another replica (or this one after a restart) on a ConfigMap of its own name, opened without booting Quarkus. */
    private FlagService replicaOn(String configMap) {
        return replicaWith(new KubernetesStore(server.getClient(), NS, configMap, Duration.ofSeconds(2), 3));
    }

    private final Replicas replicas = new Replicas();

    private FlagService replicaWith(Store backend, String... props) {
        return replicas.on(backend, props);
    }

    private StoreService store(FlagService s) {
        return s == flags ? store : replicas.store(s);
    }

    private boolean ready(FlagService s, String... props) {
        return new io.sluice.health.FlagStoreReadinessCheckProbe(s, store(s), TestConfig.with(props)).call().getStatus().name().equals("UP");
    }

    @Test
    void shouldRecreateADeletedConfigMapFromTheLastGoodStatePlusTheChangeNeverFromEmpty() {
        String cm = "restore-" + System.nanoTime();
        FlagService s = replicaOn(cm);
        try {
            s.rollout("ENABLE_CONNECTION_POOL", 25, "alice", "canary");
            s.killswitch("postgres failover", "alice");
            server.getClient().configMaps().inNamespace(NS).withName(cm).delete();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store(s).status().lastLoadOk()).isFalse());

            s.rollout("ENABLE_STATE_MACHINE", 50, "bob", "next step");

            Map<String, String> data = server.getClient().configMaps().inNamespace(NS).withName(cm).get().getData();
            assertThat(data.get("killswitch")).contains("active=true").contains("postgres failover");
            assertThat(data).containsEntry("ENABLE_CONNECTION_POOL", "enabled=true rollout=25")
                    .containsEntry("ENABLE_STATE_MACHINE", "enabled=true rollout=50");
            FlagService restarted = replicaOn(cm);
            try {
                assertThat(restarted.current().killswitch().active()).isTrue();
                assertThat(store(restarted).document().audit()).extracting(AuditEntry::action).containsExactly("rollout", "killswitch",
                        "restore-store", "rollout");
            } finally {
                store(restarted).close();
            }
        } finally {
            store(s).close();
        }
    }

    @Test
    void shouldStartOnEveryParseableKeyHoldingTheKillswitchOnAndUnreadyWhileItsKeyIsUnreadable() {
        String cm = "corrupt-" + System.nanoTime();
        server.getClient().configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(cm).endMetadata()
                .withData(Map.of("killswitch", "active=maybe\n", "ENABLE_CONNECTION_POOL", "enabled=true rollout=30",
                        "ENABLE_STATE_MACHINE", "rollout=lots"))
                .build()).create();
        FlagService s = replicaOn(cm);
        try {
            assertThat(s.current().killswitch().active()).as("the safe state").isTrue();
            assertThat(s.current().flags().get("ENABLE_CONNECTION_POOL").rollout()).isEqualTo(30);
            assertThat(store(s).status().invalidKeys()).containsExactly("ENABLE_STATE_MACHINE", "killswitch");
            assertThat(ready(s)).isFalse();

            KubernetesClient c = server.getClient();
            ConfigMap current = c.configMaps().inNamespace(NS).withName(cm).get();
            c.configMaps().inNamespace(NS).resource(new ConfigMapBuilder(current).withData(Map.of("killswitch", "active=true\nreason=failover\n",
                    "ENABLE_CONNECTION_POOL", "enabled=true rollout=30", "ENABLE_STATE_MACHINE", "rollout=lots")).build()).update();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ready(s)).isTrue());
            assertThat(s.current().killswitch().reason()).isEqualTo("failover");
            assertThat(store(s).status().invalidKeys()).containsExactly("ENABLE_STATE_MACHINE");
        } finally {
            store(s).close();
        }
    }

    @Test
    void shouldCreateTheConfigMapAtOnceOnAFreshInstallAndNotReportItStale() {
        String cm = "fresh-" + System.nanoTime();
        FlagService s = replicaOn(cm);
        try {
            assertThat(server.getClient().configMaps().inNamespace(NS).withName(cm).get()).isNotNull();
            assertThat(store(s).isStale()).isFalse();
            assertThat(ready(s, "sluice.flags.stale-means-unready", "true")).isTrue();
        } finally {
            store(s).close();
        }
    }

    @Test
    void shouldKeepTheMigrationStateInTheConfigMapAndLetOnlyOneOfTwoRacingStartsWin() throws Exception {
        String breakerBefore = configMap() == null || configMap().getData() == null ? null : configMap().getData().get("ENABLE_CIRCUIT_BREAKER");
        io.sluice.rollout.MigrationService.StartRequest canary = new io.sluice.rollout.MigrationService.StartRequest("canary", 0L, null,
                null, "k8s", false);
        java.util.List<Object> outcomes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Thread[] racers = new Thread[2];
        for (int i = 0; i < racers.length; i++) {
            racers[i] = new Thread(() -> {
                try {
                    go.await();
                    outcomes.add(migrations.start(canary, "racer"));
                } catch (Exception e) {
                    outcomes.add(e);
                }
            });
            racers[i].start();
        }
        go.countDown();
        for (Thread t : racers) {
            t.join(20_000);
        }

        assertThat(outcomes).hasSize(2);
        assertThat(outcomes).filteredOn(o -> o instanceof io.sluice.rollout.MigrationConflictException).hasSize(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> migrations.current().orElseThrow().status() == io.sluice.rollout.MigrationStatus.HELD);
        Map<String, String> data = configMap().getData();
        assertThat(data.get("migration.json")).contains("\"status\":\"HELD\"").contains("\"target\":\"CANARY\"");
        assertThat(data).containsEntry("ENABLE_CIRCUIT_BREAKER", "enabled=true rollout=10");
        assertThat(store(flags).status().lastLoadOk()).isTrue();

        migrations.rollback("test", "test over");
        assertThat(configMap().getData().get("ENABLE_CIRCUIT_BREAKER")).isEqualTo(breakerBefore);
        flags.writeFlags(Map.of(), "test", "test", "cleanup", draft -> draft.migration(null));
    }
}
