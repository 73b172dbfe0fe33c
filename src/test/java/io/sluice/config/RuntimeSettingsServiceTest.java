package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RuntimeSettingsServiceTest {

    /** A shared store two replicas see, delivering every write to every subscriber. */
    static class SharedStore implements SettingsStore {
        Map<String, String> overrides = new TreeMap<>();
        final List<Consumer<Map<String, String>>> subscribers = new ArrayList<>();
        final List<String> audit = new ArrayList<>();

        @Override
        public synchronized Map<String, String> write(UnaryOperator<Map<String, String>> change, String target, String before, String after,
                String who, String why) {
            overrides = new TreeMap<>(change.apply(overrides));
            audit.add(who + " " + target + " " + before + " -> " + after + " (" + why + ")");
            subscribers.forEach(s -> s.accept(overrides));
            return overrides;
        }

        @Override
        public void subscribe(Consumer<Map<String, String>> s) {
            subscribers.add(s);
            s.accept(overrides);
        }
    }

    static final class Recorder implements SettingsApplier {
        final List<RuntimeSettings> applied = new ArrayList<>();

        @Override
        public void apply(RuntimeSettings before, RuntimeSettings after) {
            applied.add(after);
        }
    }

    private static RuntimeSettingsService replica(SettingsStore store, SettingsApplier... appliers) {
        RuntimeSettingsService s = new RuntimeSettingsService(RuntimeSettingsTest.config(), List.of(appliers), store);
        s.onStart(null);
        return s;
    }

    @Test
    void shouldApplyPersistAndAuditAnUpdateAndShowItToAnotherReplica() {
        SharedStore store = new SharedStore();
        Recorder here = new Recorder();
        Recorder there = new Recorder();
        RuntimeSettingsService a = replica(store, here);
        RuntimeSettingsService b = replica(store, there);

        RuntimeSettings after = a.update("connectionPool", "maxConnections", "8", "alice", "black friday");

        assertThat(after.connectionPool().maxConnections()).isEqualTo(8);
        assertThat(here.applied).extracting(s -> s.connectionPool().maxConnections()).containsExactly(8);
        assertThat(store.overrides).containsExactly(Map.entry("connectionPool.maxConnections", "8"));
        assertThat(store.audit).containsExactly("alice connectionPool.maxConnections 5 -> 8 (black friday)");
        assertThat(b.current().connectionPool().maxConnections()).isEqualTo(8);
        assertThat(there.applied).hasSize(1);
    }

    @Test
    void shouldChangeNothingWhenAFeatureRefusesTheValue() {
        SharedStore store = new SharedStore();
        Recorder first = new Recorder();
        RuntimeSettingsService s = replica(store, first, (before, after) -> {
            if (after.circuitBreaker().failureThreshold() == 9) {
                throw new IllegalArgumentException("refused");
            }
        });
        assertThatThrownBy(() -> s.update("circuitBreaker", "failureThreshold", "9", "a", "b")).hasMessage("refused");
        assertThat(s.current().circuitBreaker().failureThreshold()).isEqualTo(5);
        assertThat(store.overrides).isEmpty();
        assertThat(first.applied).extracting(r -> r.circuitBreaker().failureThreshold()).containsExactly(9, 5);
    }

    @Test
    void shouldPutFeaturesBackWhenTheStoreCannotBeWritten() {
        Recorder r = new Recorder();
        SettingsStore broken = new SharedStore() {
            @Override
            public synchronized Map<String, String> write(UnaryOperator<Map<String, String>> change, String target, String before,
                    String after, String who, String why) {
                throw new IllegalStateException("store unreachable");
            }
        };
        RuntimeSettingsService s = replica(broken, r);
        assertThatThrownBy(() -> s.update("connectionPool", "maxConnections", "9", "a", "b")).hasMessage("store unreachable");
        assertThat(s.current().connectionPool().maxConnections()).isEqualTo(5);
        assertThat(r.applied).extracting(x -> x.connectionPool().maxConnections()).containsExactly(9, 5);
    }

    @Test
    void shouldAnswerAConcurrentUpdateWithAConflict() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RuntimeSettingsService s = replica(null, (before, after) -> {
            inside.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<RuntimeSettings> first = CompletableFuture.supplyAsync(() -> s.update("gateway", "maxStreams", "10", "a", "x"));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> s.update("gateway", "maxStreams", "20", "b", "y")).isInstanceOf(SettingsConflictException.class);

        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS).gateway().maxStreams()).isEqualTo(10);
        assertThat(s.current().gateway().maxStreams()).isEqualTo(10);
    }

    @Test
    void shouldIgnoreInvalidStoredOverridesAndKeepTheCurrentSettings() {
        SharedStore store = new SharedStore();
        RuntimeSettingsService s = replica(store);
        s.update("circuitBreaker", "failureThreshold", "7", "a", "b");
        store.write(o -> Map.of("circuitBreaker.failureThreshold", "-1"), "x", "", "", "hand edit", "");
        assertThat(s.current().circuitBreaker().failureThreshold()).isEqualTo(7);
    }

    @Test
    void shouldRestoreABackupTakenAsProperties() {
        SharedStore store = new SharedStore();
        RuntimeSettingsService s = replica(store);
        s.update("gateway", "maxStreams", "33", "a", "b");
        String backup = SettingsExport.export(s.current(), RuntimeSettingsTest.config(), Map.of(), SettingsExport.Format.PROPERTIES);
        s.update("gateway", "maxStreams", "44", "a", "b");

        Map<String, String> props = new TreeMap<>();
        backup.lines().forEach(l -> props.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        s.restore(props, "alice", "roll back");

        assertThat(s.current().gateway().maxStreams()).isEqualTo(33);
        assertThat(store.overrides).containsEntry("gateway.maxStreams", "33");
    }
}
