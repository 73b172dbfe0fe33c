package io.sluice.logs;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;

/**
 * Owns the {@link LogRing}: adds it to the root logger at start (records logged before that are not in it)
 * and removes it at shutdown, so a restarted application in the same JVM never feeds two rings.
 */
@ApplicationScoped
public class RecentLogs {
    /** The longest look-back {@code debug:logs} accepts: a week. */
    static final double MAX_HOURS = 24 * 7;

    private final LogRing ring;
    private final Clock clock;

    RecentLogs(SluiceConfig config) {
        this.ring = new LogRing(config.logs().ringSize());
        this.clock = Clock.systemUTC();
    }

    void onStart(@Observes StartupEvent event) {
        root().addHandler(ring);
    }

    void onStop(@Observes ShutdownEvent event) {
        root().removeHandler(ring);
    }

    private static Logger root() {
        return LogContext.getLogContext().getLogger("");
    }

    /**
     * The newest records at {@code level} or more severe from the last {@code hours}, oldest first.
     *
     * @param level a level name (TRACE, DEBUG, INFO, WARN, ERROR)
     * @param hours look-back, more than 0 and at most a week
     * @param limit most records returned, 1 to the ring's capacity
     * @throws IllegalArgumentException naming the bad argument
     */
    public List<LogEntry> recent(String level, double hours, int limit) {
        LogLevel minimum = LogLevel.parse(level);
        if (!(hours > 0) || hours > MAX_HOURS) {
            throw new IllegalArgumentException("hours must be more than 0 and at most " + (int) MAX_HOURS + ", not " + hours);
        }
        if (limit < 1 || limit > ring.capacity()) {
            throw new IllegalArgumentException("limit must be between 1 and the ring size " + ring.capacity() + ", not " + limit);
        }
        Instant since = clock.instant().minus(Duration.ofSeconds((long) (hours * 3600)));
        return ring.recent(minimum, since, limit);
    }

    public int capacity() {
        return ring.capacity();
    }
}
