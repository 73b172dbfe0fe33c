package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link FairShare} without a server: accounting under concurrency, waiting, live limits. */
class FairShareUnitTest {
    private final FairShare share = new FairShare(new SimpleMeterRegistry());

    @Test
    void shouldDeriveAutomaticLimitsAndNeverGoBelowOne() {
        assertThat(FairShare.effectiveStreams(0, 1000)).isEqualTo(500);
        assertThat(FairShare.effectiveStreams(0, 1)).isEqualTo(1);
        assertThat(FairShare.effectiveStreams(7, 1000)).isEqualTo(7);
        assertThat(FairShare.effectiveLeases(0, 5)).isEqualTo(4);
        assertThat(FairShare.effectiveLeases(0, 1)).isEqualTo(1);
        assertThat(FairShare.effectiveLeases(2, 5)).isEqualTo(2);
    }

    @Test
    void shouldNeverLetConcurrentOpenersExceedTheLimitNorLeaveCountsBehind() throws Exception {
        share.limits(3, 3, Duration.ofSeconds(1));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 2000; i++) {
                        FairShare.Share s;
                        try {
                            s = share.openStream("sub:alice");
                        } catch (ProtocolException e) {
                            refused.incrementAndGet();
                            continue;
                        }
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        inside.decrementAndGet();
                        share.closeStream(s);
                    }
                }, pool));
            }
            for (CompletableFuture<Void> r : runs) {
                r.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(most.get()).isLessThanOrEqualTo(3);
        assertThat(share.streamsOf("sub:alice")).as("no count left behind after %d refusals", refused.get()).isZero();
        List<FairShare.Share> held = List.of(
                share.openStream("sub:alice"), share.openStream("sub:alice"), share.openStream("sub:alice"));
        assertThatThrownBy(() -> share.openStream("sub:alice"))
                .as("the full limit is available again, and no more")
                .isInstanceOf(ProtocolException.class);
        held.forEach(share::closeStream);
        assertThat(share.streamsOf("sub:alice")).isZero();
    }

    @Test
    void shouldLetAWaitingLeaseInWhenTheLimitIsRaisedLive() throws Exception {
        share.limits(2, 1, Duration.ofSeconds(30));
        FairShare.Share s = share.openStream("sub:alice");
        share.acquireLease(s);

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> share.acquireLease(s));
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        share.limits(2, 2, Duration.ofSeconds(30));

        waiting.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRefuseALeaseAfterTheWaitWith429AndKeepOtherPrincipalsApart() {
        share.limits(2, 1, Duration.ofMillis(200));
        FairShare.Share alice = share.openStream("sub:alice");
        FairShare.Share bob = share.openStream("sub:bob");
        share.acquireLease(alice);

        assertThatThrownBy(() -> share.acquireLease(alice))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("PRINCIPAL_LEASES_EXHAUSTED");
                    assertThat(e.retryAfterSeconds()).isPositive();
                });
        share.acquireLease(bob);
        share.releaseLease(alice);
        share.acquireLease(alice);
    }

    @Test
    void shouldNotLimitACallerWithoutAShareKey() {
        share.limits(1, 1, Duration.ofMillis(10));
        for (int i = 0; i < 10; i++) {
            FairShare.Share none = share.openStream(null);
            assertThat(none).isNull();
            share.acquireLease(none);
        }
    }
}
