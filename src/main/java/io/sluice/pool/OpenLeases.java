package io.sluice.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jboss.logging.Logger;

/**
 * The leases open now: numbered, listed for operators longest-held first, and reported once when held past the
 * leak timeout (numbered then, see {@link Lease#number}). Kept in chunks of slots that never move: a lease takes a free slot by compare-and-set and
 * remembers it, so registering allocates nothing and giving back is one compare-and-set on that slot. A chunk
 * is added when every slot is taken (more leases open at once than ever before) and never removed.
 */
final class OpenLeases {
    private static final Logger LOG = Logger.getLogger(OpenLeases.class);
    /** Slots per chunk, a power of two; a pool's leases fit in the first chunk. */
    static final int CHUNK = 64;

    private volatile AtomicReferenceArray<Lease>[] chunks = newChunks(null);
    private final AtomicLong ids = new AtomicLong();
    /** Where the next search for a free slot starts: after the slot last taken. Only a hint, so a plain field. */
    private int hint;

    void add(Lease lease) {
        // the slot after the last one taken was most likely taken CHUNK leases ago, and given back since
        int start = hint;
        while (true) {
            AtomicReferenceArray<Lease>[] all = chunks;
            for (AtomicReferenceArray<Lease> chunk : all) {
                for (int i = 0; i < CHUNK; i++) {
                    int slot = (start + i) & (CHUNK - 1);
                    if (chunk.getPlain(slot) == null && chunk.compareAndSet(slot, null, lease)) {
                        lease.registeredIn = chunk;
                        lease.registeredAt = slot;
                        hint = slot + 1;
                        return;
                    }
                }
            }
            grow(all);
        }
    }

    /** The slot {@code lease} holds alone while it is open, when in the first chunk (else -1): its stripe in {@link AcquireWaits}. */
    int stripe(Lease lease) {
        return lease.registeredIn == chunks[0] ? lease.registeredAt : -1;
    }

    /**
     * Unregisters {@code lease}; nothing happens when it is not registered (given back twice). A lease is given
     * back by the request holding its stream, one at a time: a check then a release store clears its slot,
     * and a second give-back finds another lease or nothing there.
     */
    void remove(Lease lease) {
        AtomicReferenceArray<Lease> chunk = lease.registeredIn;
        int slot = lease.registeredAt;
        if (chunk != null && chunk.get(slot) == lease) {
            chunk.setRelease(slot, null);
        }
    }

    /** Adds a chunk unless another thread did since {@code seen} was read. */
    private synchronized void grow(AtomicReferenceArray<Lease>[] seen) {
        if (chunks == seen) {
            chunks = newChunks(seen);
        }
    }

    @SuppressWarnings("unchecked")
    private static AtomicReferenceArray<Lease>[] newChunks(AtomicReferenceArray<Lease>[] before) {
        AtomicReferenceArray<Lease>[] out = before == null ? new AtomicReferenceArray[1] : Arrays.copyOf(before, before.length + 1);
        out[out.length - 1] = new AtomicReferenceArray<>(CHUNK);
        return out;
    }

    /** The leases open now, in no particular order. */
    private List<Lease> open() {
        List<Lease> open = new ArrayList<>();
        for (AtomicReferenceArray<Lease> chunk : chunks) {
            for (int i = 0; i < CHUNK; i++) {
                Lease l = chunk.get(i);
                if (l != null) {
                    open.add(l);
                }
            }
        }
        return open;
    }

    /** Every open lease, longest-held first. */
    List<LeaseView> views() {
        List<Lease> open = open();
        open.sort(Comparator.comparingLong(Lease::ageNanos).reversed());
        List<LeaseView> out = new ArrayList<>(open.size());
        for (Lease l : open) {
            out.add(new LeaseView(l.number(ids), Long.toHexString(l.streamId()), l.pooled(),
                    l.state() == null ? "untracked" : l.state().name(), Duration.ofNanos(l.ageNanos()), l.statements()));
        }
        return out;
    }

    /** Logs each lease held longer than {@code limitNanos} (once per lease); counts them in {@code leaks}. */
    void reportLeaks(long limitNanos, AtomicLong leaks) {
        for (Lease l : open()) {
            if (l.ageNanos() > limitNanos && l.markLeakReported()) {
                leaks.incrementAndGet();
                LOG.warnf("possible connection leak: lease %d held by stream %s for %d ms (%d statements)",
                        l.number(ids), Long.toHexString(l.streamId()), l.ageNanos() / 1_000_000, l.statements());
            }
        }
    }
}
