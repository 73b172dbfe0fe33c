package io.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A resync's read that raced a write never undoes what the watch already delivered. */
class KubernetesDeliveryOrderTest {
    private final KubernetesStore store = new KubernetesStore(null, "ns", "sluice-flags", Duration.ofSeconds(30), 3);
    private final List<Map<String, String>> seen = new ArrayList<>();

    private static ConfigMap at(String resourceVersion, String killswitch) {
        return new ConfigMapBuilder().withNewMetadata().withName("sluice-flags").withResourceVersion(resourceVersion).endMetadata()
                .addToData("killswitch", killswitch).build();
    }

    @Test
    void shouldDropAReadOlderThanOneAlreadyDelivered() {
        store.deliver(at("41", "off"), seen::add);
        store.deliver(at("42", "on"), seen::add); // the watch: the killswitch was pulled
        store.deliver(at("41", "off"), seen::add); // a resync GET that started before the write

        assertThat(seen).extracting(m -> m.get("killswitch")).containsExactly("off", "on");
    }

    @Test
    void shouldDeliverTheSameVersionAgainAndNewerOnes() {
        store.deliver(at("7", "off"), seen::add);
        store.deliver(at("7", "off"), seen::add);
        store.deliver(at("8", "on"), seen::add);

        assertThat(seen).hasSize(3);
    }

    @Test
    void shouldDeliverEveryReadWhenVersionsAreNotNumbers() {
        store.deliver(at("b", "on"), seen::add);
        store.deliver(at("a", "off"), seen::add);

        assertThat(seen).hasSize(2);
    }
}
