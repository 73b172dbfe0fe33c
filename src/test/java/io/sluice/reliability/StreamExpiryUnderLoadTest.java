package io.sluice.reliability;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/**
 * {@link StreamExpiryUnderLoad} on embedded SQLite. SQLite has one writer at a time, so an abandoned write
 * transaction holds every other writer off until it expires; one client abandoning a transaction every
 * second or so leaves the lock free part of the time, as a misbehaving client would in real use. (Three
 * abandoners back to back kept the lock taken nearly all the time, and writers waited up to 10 s; the busy
 * timeout is 30 s here so that a slow, loaded machine does not turn a long wait into a failure.)
 */
@QuarkusTest
@TestProfile(StreamExpiryUnderLoadTest.Expiry.class)
class StreamExpiryUnderLoadTest extends StreamExpiryUnderLoad {

    public static class Expiry implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return expiryConfig();
        }
    }

    @Override
    int abandoners() {
        return 1;
    }

    @Override
    int[] abandonPauseMillis() {
        return new int[] {800, 1_200};
    }
}
