package io.sluice.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.state.LeaseState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OpenLeasesTest {
    private final OpenLeases leases = new OpenLeases();

    private Lease open(boolean tracked) {
        Lease lease = new Lease(0xabc, null, true, tracked, System.nanoTime());
        leases.add(lease);
        return lease;
    }

    @Test
    void listsEveryOpenLeaseBeyondOneChunkAndForgetsTheOnesGivenBack() {
        List<Lease> open = new ArrayList<>();
        for (int i = 0; i < 3 * OpenLeases.CHUNK + 5; i++) {
            open.add(open(true));
        }
        assertThat(leases.views()).hasSize(open.size()).extracting(LeaseView::id).doesNotHaveDuplicates().doesNotContain(0L);
        List<Lease> kept = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
            if (i % 3 == 0) {
                leases.remove(open.get(i));
            } else {
                kept.add(open.get(i));
            }
        }
        assertThat(leases.views()).extracting(LeaseView::id)
                .containsExactlyInAnyOrderElementsOf(kept.stream().map(Lease::id).toList());
    }

    @Test
    void givingALeaseBackTwiceLeavesTheLeaseNowInItsSlotListed() {
        Lease first = open(true);
        leases.remove(first);
        List<Lease> others = new ArrayList<>();
        for (int i = 0; i < OpenLeases.CHUNK; i++) {
            others.add(open(true)); // one of them takes the slot the first lease had
        }
        leases.remove(first);
        assertThat(leases.views()).hasSize(OpenLeases.CHUNK);
    }

    @Test
    void listsTheLongestHeldFirstWithItsStateAndReportsALeakOnce() throws InterruptedException {
        Lease old = open(true);
        Thread.sleep(5);
        Lease untracked = open(false);
        old.onStatement(true);
        assertThat(leases.views()).extracting(LeaseView::state).containsExactly("IN_TRANSACTION", "untracked");
        assertThat(leases.views()).extracting(LeaseView::id).as("numbered once, when first listed").containsExactly(old.id(), untracked.id())
                .doesNotContain(0L);

        AtomicLong leaks = new AtomicLong();
        leases.reportLeaks(0, leaks);
        leases.reportLeaks(0, leaks);
        assertThat(leaks).hasValue(2);
    }

    @Test
    void aTrackedLeaseMovesThroughItsStates() {
        Lease lease = open(true);
        assertThat(lease.state()).isEqualTo(LeaseState.LEASED);
        lease.onStatement(true);
        assertThat(lease.state()).isEqualTo(LeaseState.IN_TRANSACTION);
        lease.onStatement(false);
        assertThat(lease.state()).isEqualTo(LeaseState.LEASED);
        lease.onRelease();
        assertThat(lease.state()).isEqualTo(LeaseState.RELEASED);
        lease.onStatement(true);
        assertThat(lease.state()).as("a released lease stays released").isEqualTo(LeaseState.RELEASED);
    }

    @Test
    void aBrokenLeaseIsNeitherPooledAgainNorReleased() {
        Lease lease = open(true);
        lease.onStatement(true);
        lease.onConnectionFailure();
        assertThat(lease.isBroken()).isTrue();
        assertThat(lease.state()).isEqualTo(LeaseState.BROKEN);
        lease.onRelease();
        assertThat(lease.state()).isEqualTo(LeaseState.BROKEN);

        Lease untracked = open(false);
        untracked.onConnectionFailure();
        assertThat(untracked.state()).isNull();
        assertThat(untracked.isBroken()).as("without the state machine a failure does not evict").isFalse();
    }
}
