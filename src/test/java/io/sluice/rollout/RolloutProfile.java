package io.sluice.rollout;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.sluice.reliability.ProxiedPostgres;
import java.util.List;
import java.util.Map;

/**
 * The real PostgreSQL behind the fault proxy, with short rollout timings: 200 ms soaks, a quiet driver
 * taken over after 1 s, and a breaker that opens after 3 failures.
 */
public class RolloutProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("sluice.auth.mode", "none",
                "sluice.rollout.soak", "200ms",
                "sluice.rollout.takeover-after", "1s",
                "sluice.breaker.failure-threshold", "3",
                "sluice.breaker.recovery-timeout", "1000ms",
                "sluice.pool.acquire-timeout", "1s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ProxiedPostgres.class));
    }
}
