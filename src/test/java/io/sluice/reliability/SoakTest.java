package io.sluice.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.sluice.cli.SluiceCommand;
import io.sluice.pool.Backend;
import io.sluice.pool.PoolStatus;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Soak: constant mixed load ({@code sluice bench} point reads, inserts and interactive transactions at
 * once) for a set time, sampling the heap after a full GC, the pool's open connections and the JVM's
 * threads; the last quarter of the run must stay level with the first. In {@code ./mvnw verify} it runs
 * 20 s; {@code -Dsoak.minutes=30} makes it a real soak. (Not {@code sluice.soak.*}: every system property
 * under {@code sluice.} must map to the application's configuration, or Quarkus refuses to start.)
 */
@QuarkusTest
@TestProfile(SoakTest.Soak.class)
class SoakTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MB = 1024 * 1024;

    public static class Soak implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // interactive transactions hold SQLite's only write lock across HTTP round trips and its busy
            // handler is not fair: an autocommit insert can lose the lock race for longer than the default
            // 5 s, which is contention, not what a soak looks for; the same goes for the write lane's wait (a
            // full GC of the shared test JVM once held a writer in the lane for 5.3 s late in verify)
            // the samples' full GCs pause the shared test JVM for seconds late in verify: a live transaction must
            // not expire (10 s idle timeout) because the test itself stopped the server's threads
            return Map.of("sluice.auth.mode", "none", "sluice.pool.max-connections", "8", "sluice.sqlite.busy-timeout-ms", "30000",
                    "sluice.sqlite.write-wait", "30s", "sluice.gateway.stream-idle-timeout", "60s");
        }
    }

    @Inject
    Backend backend;

    @TestHTTPResource("/")
    URL data;

    record Sample(long heapBytes, long openConnections, int threads) {
    }

    static Duration soakDuration() {
        String minutes = System.getProperty("soak.minutes");
        return minutes == null || minutes.isBlank() ? Duration.ofSeconds(20) : Duration.ofMinutes(Long.parseLong(minutes.trim()));
    }

    private CompletableFuture<JsonNode> bench(String workload, int concurrency, Duration duration) {
        return CompletableFuture.supplyAsync(() -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = SluiceCommand.run(new String[] {"bench", workload, "--url=" + data, "--duration=" + duration.toMillis() + "ms",
                    "--warmup=0", "--concurrency=" + concurrency, "--rows=10000", "--json"}, new PrintWriter(out), new PrintWriter(err));
            if (exit != 0) {
                throw new IllegalStateException(workload + " exited " + exit + ": " + err);
            }
            try {
                return JSON.readTree(out.toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private Sample sample() {
        System.gc();
        PoolStatus pool = backend.status();
        return new Sample(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), pool.active() + pool.idle(),
                ManagementFactory.getThreadMXBean().getThreadCount());
    }

    @Test
    void shouldKeepHeapConnectionsAndThreadsLevelUnderConstantLoad() throws Exception {
        Duration duration = soakDuration();
        // the tables exist before the clock starts, so the first samples do not include filling them
        SluiceCommand.run(new String[] {"bench", "point-read", "--url=" + data, "-n", "1", "--warmup=0", "--rows=10000"},
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<CompletableFuture<JsonNode>> load = List.of(bench("point-read", 4, duration), bench("insert", 1, duration),
                bench("transaction", 2, duration));
        // each sample is a full GC in the server's JVM: not so often that the pauses become the load (late
        // in ./mvnw verify the test JVM holds the earlier test applications too, and one GC takes seconds)
        long period = Math.max(1000, duration.toMillis() / 80);
        List<Sample> samples = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end - period * 1_000_000) {
            Thread.sleep(period);
            samples.add(sample());
        }
        long operations = 0;
        for (CompletableFuture<JsonNode> f : load) {
            JsonNode r = f.get();
            assertThat(r.at("/errors/total").asLong()).as("errors of %s", r).isZero();
            operations += r.get("operations").asLong();
        }

        int quarter = Math.max(1, samples.size() / 4);
        List<Sample> first = samples.subList(0, quarter);
        List<Sample> last = samples.subList(samples.size() - quarter, samples.size());
        double firstHeap = first.stream().mapToLong(Sample::heapBytes).average().orElseThrow() / MB;
        double lastHeap = last.stream().mapToLong(Sample::heapBytes).average().orElseThrow() / MB;
        long firstConnections = first.stream().mapToLong(Sample::openConnections).max().orElseThrow();
        long lastConnections = last.stream().mapToLong(Sample::openConnections).max().orElseThrow();
        int firstThreads = first.stream().mapToInt(Sample::threads).max().orElseThrow();
        int lastThreads = last.stream().mapToInt(Sample::threads).max().orElseThrow();
        System.out.printf("soak %s: %,d operations, %d samples; heap after GC %.1f MB (first quarter) -> %.1f MB (last quarter); "
                + "open connections max %d -> %d; threads max %d -> %d%n", duration, operations, samples.size(), firstHeap, lastHeap,
                firstConnections, lastConnections, firstThreads, lastThreads);

        assertThat(samples).hasSizeGreaterThanOrEqualTo(4);
        assertThat(lastHeap).as("heap after GC, last quarter vs first (MB)").isLessThanOrEqualTo(firstHeap * 1.2 + 8);
        assertThat(lastConnections).as("open connections, last quarter vs first").isLessThanOrEqualTo(Math.max(firstConnections, 8));
        assertThat(lastThreads).as("threads, last quarter vs first").isLessThanOrEqualTo(firstThreads + 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> backend.activeConnections() == 0);
    }
}
