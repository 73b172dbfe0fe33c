package io.sluice.store;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * {@code kubernetes}: one ConfigMap's {@code data}, read and watched through the API server, so every
 * replica sees a change within seconds. Writes carry the {@code resourceVersion} they read (optimistic
 * concurrency); on 409 Conflict the change is re-applied to the newer content and retried. A closed
 * watch is reopened after a pause, and a periodic resync catches anything a broken watch missed.
 */
final class KubernetesStore implements Store {
    private static final Logger LOG = Logger.getLogger(KubernetesStore.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Duration resync;
    private final int retries;
    private ScheduledExecutorService scheduler;
    private volatile Watch watch;
    private volatile boolean closed;
    private final Object delivery = new Object();
    /** The newest resourceVersion handed to the listener; guarded by {@code delivery}. */
    private long delivered = -1;

    KubernetesStore(KubernetesClient client, String namespace, String name, Duration resync, int retries) {
        this.client = client;
        this.namespace = namespace != null ? namespace : client.getNamespace() != null ? client.getNamespace() : "default";
        this.name = name;
        this.resync = resync;
        this.retries = Math.max(0, retries);
    }

    private Resource<ConfigMap> resource() {
        return client.configMaps().inNamespace(namespace).withName(name);
    }

    @Override
    public String kind() {
        return "kubernetes";
    }

    @Override
    public String location() {
        return namespace + "/" + name;
    }

    @Override
    public Map<String, String> read() throws IOException {
        try {
            ConfigMap cm = resource().get();
            if (cm == null) {
                throw new StoreMissingException("ConfigMap " + location() + " does not exist");
            }
            return cm.getData() == null ? Map.of() : new TreeMap<>(cm.getData());
        } catch (KubernetesClientException e) {
            throw new IOException("ConfigMap " + location() + " unreadable: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, String> create(Map<String, String> content) throws IOException {
        Map<String, String> data = new TreeMap<>(content);
        try {
            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                    .withNamespace(namespace).addToLabels("app.kubernetes.io/managed-by", "sluice").endMetadata()
                    .withData(data).build()).create();
            return data;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new Store.StoreExistsException("ConfigMap " + location() + " exists");
            }
            throw new IOException("ConfigMap " + location() + " could not be created: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, String> update(UnaryOperator<Map<String, String>> change) throws IOException {
        for (int attempt = 0;; attempt++) {
            try {
                ConfigMap cm = resource().get();
                if (cm == null) {
                    // never created from empty here: that would silently reset the killswitch (StoreService decides)
                    throw new StoreMissingException("ConfigMap " + location() + " does not exist");
                }
                Map<String, String> before = cm.getData() == null ? Map.of() : new TreeMap<>(cm.getData());
                Map<String, String> after = new TreeMap<>(change.apply(before));
                // carries cm's resourceVersion: the API server refuses it with 409 if anyone wrote since
                client.configMaps().inNamespace(namespace)
                        .resource(new ConfigMapBuilder(cm).withData(after).build()).update();
                return after;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < retries) {
                    LOG.debugf("ConfigMap %s changed under us (attempt %d), retrying", location(), attempt + 1);
                    continue;
                }
                if (e.getCode() == 409) {
                    throw new ConcurrentChangeException("ConfigMap " + location() + " kept changing; gave up after "
                            + (attempt + 1) + " attempts");
                }
                throw new IOException("ConfigMap " + location() + " unwritable: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public synchronized void watch(Consumer<Map<String, String>> onChange, Consumer<Exception> onError) {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-flags-kubernetes");
            t.setDaemon(true);
            return t;
        });
        openWatch(onChange, onError);
        long ms = Math.max(1000, resync.toMillis());
        scheduler.scheduleWithFixedDelay(() -> resync(onChange, onError), ms, ms, TimeUnit.MILLISECONDS);
    }

    private void openWatch(Consumer<Map<String, String>> onChange, Consumer<Exception> onError) {
        if (closed) {
            return;
        }
        try {
            watch = resource().watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, ConfigMap cm) {
                    switch (action) {
                        case ADDED, MODIFIED -> deliver(cm, onChange);
                        case DELETED -> onError.accept(new IOException("ConfigMap " + location() + " was deleted"));
                        default -> onError.accept(new IOException("watch of ConfigMap " + location() + ": " + action));
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    onError.accept(new IOException("watch of ConfigMap " + location() + " closed: " + cause.getMessage(), cause));
                    reopenLater(onChange, onError);
                }
            });
        } catch (KubernetesClientException e) {
            onError.accept(new IOException("cannot watch ConfigMap " + location() + ": " + e.getMessage(), e));
            reopenLater(onChange, onError);
        }
    }

    private void reopenLater(Consumer<Map<String, String>> onChange, Consumer<Exception> onError) {
        ScheduledExecutorService s = scheduler;
        if (!closed && s != null && !s.isShutdown()) {
            s.schedule(() -> {
                openWatch(onChange, onError);
                resync(onChange, onError);
            }, 2, TimeUnit.SECONDS);
        }
    }

    /** A ConfigMap that disappeared is an error, not an empty content: deciding with defaults would silently undo a killswitch. */
    private void resync(Consumer<Map<String, String>> onChange, Consumer<Exception> onError) {
        try {
            ConfigMap cm = resource().get();
            if (cm == null) {
                onError.accept(new IOException("ConfigMap " + location() + " does not exist (deleted?)"));
            } else {
                deliver(cm, onChange);
            }
        } catch (KubernetesClientException | IllegalStateException e) {
            onError.accept(new IOException("ConfigMap " + location() + " unreadable: " + e.getMessage(), e));
        }
    }

    /**
     * Hands a read of the ConfigMap to the listener unless it is older than one already handed over: a
     * resync's GET that raced a write must not undo what the watch delivered. resourceVersions are opaque
     * strings in the API; where they are not numbers (never seen from a real API server) every read is
     * delivered, as before.
     */
    void deliver(ConfigMap cm, Consumer<Map<String, String>> onChange) {
        synchronized (delivery) {
            long version = version(cm);
            if (version >= 0 && version < delivered) {
                return;
            }
            delivered = Math.max(delivered, version);
            onChange.accept(cm.getData() == null ? Map.of() : new TreeMap<>(cm.getData()));
        }
    }

    static long version(ConfigMap cm) {
        try {
            return cm.getMetadata() == null ? -1 : Long.parseLong(cm.getMetadata().getResourceVersion());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            watch.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
