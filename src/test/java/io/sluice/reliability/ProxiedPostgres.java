package io.sluice.reliability;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sluice.testing.FaultProxy;
import io.sluice.testing.Postgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** Puts a {@link FaultProxy} between Sluice and the test PostgreSQL, so tests can cut the database off. */
public class ProxiedPostgres implements QuarkusTestResourceLifecycleManager {
    static volatile FaultProxy proxy;

    /** The proxy of the running test resource, for tests in other packages. */
    public static FaultProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        URI target = URI.create(Postgres.URL.substring("jdbc:".length()));
        try {
            proxy = new FaultProxy(target.getHost(), target.getPort() < 0 ? 5432 : target.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>(Postgres.sluiceConfig());
        config.put("sluice.database.url", "jdbc:postgresql://127.0.0.1:" + proxy.localPort() + target.getPath()
                + "?connectTimeout=2&socketTimeout=5");
        return config;
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }
}
