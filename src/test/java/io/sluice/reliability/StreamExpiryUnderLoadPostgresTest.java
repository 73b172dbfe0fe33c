package io.sluice.reliability;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.testing.Postgres;
import io.sluice.testing.PostgresProfile;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link StreamExpiryUnderLoad} on PostgreSQL. */
@QuarkusTest
@TestProfile(StreamExpiryUnderLoadPostgresTest.Expiry.class)
@ExtendWith(Postgres.class)
class StreamExpiryUnderLoadPostgresTest extends StreamExpiryUnderLoad {

    public static class Expiry extends PostgresProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.putAll(expiryConfig());
            return config;
        }
    }

    @Override
    int abandoners() {
        return 3;
    }

    @Override
    int[] abandonPauseMillis() {
        return new int[] {100, 400};
    }
}
