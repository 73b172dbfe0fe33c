package io.sluice.pool;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** {@link DirectPathCap} on embedded SQLite: connections counted as this process's open descriptors of the database file. */
@QuarkusTest
@TestProfile(DirectPathCapTest.PoolOff.class)
class DirectPathCapTest extends DirectPathCap {

    public static class PoolOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return capConfig();
        }
    }

    /** Every SQLite connection keeps the database file open: count this process's descriptors of it. */
    @Override
    int backendConnections() throws IOException {
        int n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.getFileName() != null && target.getFileName().toString().equals("sluice.db")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed between listing and reading: not open
                }
            }
        }
        return n;
    }
}
