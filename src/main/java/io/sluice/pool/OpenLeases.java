package io.sluice.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/** The leases open now: numbered, listed for operators longest-held first, and reported once when held past the leak timeout. */
final class OpenLeases {
    private static final Logger LOG = Logger.getLogger(OpenLeases.class);

    /** A set of the leases themselves (hashed by id), so registering one boxes nothing. */
    private final Set<Lease> leases = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();

    long nextId() {
        return ids.incrementAndGet();
    }

    void add(Lease lease) {
        leases.add(lease);
    }

    void remove(Lease lease) {
        leases.remove(lease);
    }

    /** Every open lease, longest-held first. */
    List<LeaseView> views() {
        List<Lease> open = new ArrayList<>(leases);
        open.sort(Comparator.comparingLong(Lease::ageNanos).reversed());
        List<LeaseView> out = new ArrayList<>(open.size());
        for (Lease l : open) {
            out.add(new LeaseView(l.id(), Long.toHexString(l.streamId()), l.pooled(),
                    l.state() == null ? "untracked" : l.state().name(), Duration.ofNanos(l.ageNanos()), l.statements()));
        }
        return out;
    }

    /** Logs each lease held longer than {@code limitNanos} (once per lease); counts them in {@code leaks}. */
    void reportLeaks(long limitNanos, AtomicLong leaks) {
        for (Lease l : leases) {
            if (l.ageNanos() > limitNanos && l.markLeakReported()) {
                leaks.incrementAndGet();
                LOG.warnf("possible connection leak: lease %d held by stream %s for %d ms (%d statements)",
                        l.id(), Long.toHexString(l.streamId()), l.ageNanos() / 1_000_000, l.statements());
            }
        }
    }
}
