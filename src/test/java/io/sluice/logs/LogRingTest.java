package io.sluice.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.junit.jupiter.api.Test;

class LogRingTest {

    private static ExtLogRecord record(Level level, String message, Instant at) {
        ExtLogRecord r = new ExtLogRecord(level, message, ExtLogRecord.FormatStyle.NO_FORMAT, LogRingTest.class.getName());
        r.setLoggerName("io.sluice.test");
        r.setInstant(at);
        return r;
    }

    @Test
    void shouldKeepOnlyTheNewestRecordsUpToItsCapacity() {
        LogRing ring = new LogRing(3);
        Instant now = Instant.now();
        for (int i = 1; i <= 5; i++) {
            ring.publish(record(Level.INFO, "message " + i, now));
        }

        List<LogEntry> kept = ring.recent(LogLevel.TRACE, now.minusSeconds(1), 10);

        assertThat(kept).extracting(LogEntry::message).containsExactly("message 3", "message 4", "message 5");
    }

    @Test
    void shouldFilterByMinimumLevelTimeAndLimit() {
        LogRing ring = new LogRing(100);
        Instant now = Instant.now();
        ring.publish(record(Level.ERROR, "old error", now.minus(3, ChronoUnit.HOURS)));
        ring.publish(record(Level.DEBUG, "debug", now));
        ring.publish(record(Level.INFO, "info", now));
        ring.publish(record(Level.WARN, "warn", now));
        ring.publish(record(Level.ERROR, "error", now));
        ring.publish(record(Level.FATAL, "fatal", now));

        assertThat(ring.recent(LogLevel.WARN, now.minus(1, ChronoUnit.HOURS), 10)).extracting(LogEntry::message)
                .containsExactly("warn", "error", "fatal");
        assertThat(ring.recent(LogLevel.ERROR, now.minus(4, ChronoUnit.HOURS), 10)).extracting(LogEntry::message)
                .containsExactly("old error", "error", "fatal");
        assertThat(ring.recent(LogLevel.DEBUG, now.minus(1, ChronoUnit.HOURS), 2)).extracting(LogEntry::message)
                .containsExactly("error", "fatal");
        assertThat(ring.recent(LogLevel.INFO, now.minusSeconds(5), 10)).extracting(LogEntry::level)
                .containsExactly("INFO", "WARN", "ERROR", "ERROR");
    }

    @Test
    void shouldKeepTheExceptionClassOnlyAndScrubSecrets() {
        LogRing ring = new LogRing(10);
        ExtLogRecord r = record(Level.ERROR, "login with password=hunter2 failed", Instant.now());
        r.setThrown(new IllegalStateException("the message may hold secret-value"));
        ring.publish(r);

        LogEntry e = ring.recent(LogLevel.ERROR, Instant.now().minusSeconds(5), 1).get(0);

        assertThat(e.exception()).isEqualTo(IllegalStateException.class.getName());
        assertThat(e.message()).isEqualTo("login with password=*** failed");
        assertThat(e.toString()).doesNotContain("hunter2", "secret-value");
        assertThat(e.logger()).isEqualTo("io.sluice.test");
        assertThat(e.thread()).isNotBlank();
    }

    @Test
    void shouldLoseNoSlotUnderConcurrentWriters() throws Exception {
        LogRing ring = new LogRing(10_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            pool.submit(() -> {
                start.await();
                for (int i = 0; i < 1000; i++) {
                    ring.publish(record(Level.INFO, thread + "-" + i, Instant.now()));
                }
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(ring.recent(LogLevel.TRACE, Instant.now().minusSeconds(60), 10_000)).hasSize(4000);
    }

    @Test
    void shouldRefuseAnUnknownLevelNamingTheAcceptedOnes() {
        assertThatThrownBy(() -> LogLevel.parse("LOUD")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown log level 'LOUD': use one of TRACE, DEBUG, INFO, WARN, ERROR");
        assertThat(LogLevel.parse("warning")).isEqualTo(LogLevel.WARN);
        assertThat(LogLevel.parse(" error ")).isEqualTo(LogLevel.ERROR);
    }
}
