package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LeaseQueue} without a server: its width, who runs what, timeouts, the principal's share, failures. */
class LeaseQueueTest {
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final AtomicInteger width = new AtomicInteger(2);
    private final AtomicLong timeoutNanos = new AtomicLong(Long.MAX_VALUE);
    private final Recorder recorder = new Recorder();
    private final LeaseQueue queue = new LeaseQueue(workers, width::get, timeoutNanos::get, true);

    @AfterEach
    void stop() {
        recorder.gate.countDown();
        workers.shutdownNow();
    }

    /** Runs requests (those named "gate*" wait for the gate), remembering on which thread and how many at once. */
    private static final class Recorder {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final Map<String, String> threads = new ConcurrentHashMap<>();
        final Map<String, Throwable> failed = new ConcurrentHashMap<>();
        final Set<String> overShare = ConcurrentHashMap.newKeySet();
        final List<String> elsewhere = new CopyOnWriteArrayList<>();
        final AtomicInteger finished = new AtomicInteger();

        /** The request named {@code name}. */
        LeaseQueue.Waiter request(String name) {
            return new LeaseQueue.Waiter() {
                @Override
                public void run(long queuedAtNanos) throws Exception {
                    Recorder.this.run(name);
                }

                @Override
                public void timedOut(long queuedAtNanos) {
                    fail(new IllegalStateException("timed out"));
                }

                @Override
                public void fail(Throwable failure) {
                    failed.put(name, failure);
                    finished.incrementAndGet();
                }

                @Override
                public boolean overShare() {
                    return overShare.contains(name);
                }

                @Override
                public void elsewhere() {
                    Recorder.this.elsewhere.add(name);
                    finished.incrementAndGet();
                }
            };
        }

        private void run(String request) throws Exception {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                threads.put(request, Thread.currentThread().getName());
                if (request.startsWith("gate")) {
                    assertThat(gate.await(30, TimeUnit.SECONDS)).isTrue();
                }
                if (request.startsWith("boom")) {
                    throw new IllegalArgumentException(request);
                }
            } finally {
                inside.decrementAndGet();
                finished.incrementAndGet();
            }
        }
    }

    private void awaitFinished(int n) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (recorder.finished.get() < n && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        assertThat(recorder.finished.get()).isEqualTo(n);
    }

    private void awaitInside(int n) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (recorder.inside.get() < n && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        assertThat(recorder.inside.get()).isEqualTo(n);
    }

    @Test
    void shouldRunNoMoreRequestsAtOnceThanItsWidthAndQueueTheRest() throws Exception {
        width.set(3);
        for (int i = 0; i < 40; i++) {
            queue.submit(recorder.request("gate-" + i));
        }
        awaitInside(3);
        assertThat(queue.queued()).isEqualTo(37);
        recorder.gate.countDown();
        awaitFinished(40);
        assertThat(recorder.most.get()).isEqualTo(3);
        assertThat(recorder.threads).hasSize(40);
        assertThat(queue.queued()).isZero();
    }

    @Test
    void shouldRunTheNextQueuedRequestOnTheThreadThatFinishedOneInsteadOfHandingItOver() throws Exception {
        width.set(1);
        queue.submit(recorder.request("gate-first"));
        awaitInside(1);
        for (int i = 0; i < 5; i++) {
            queue.submit(recorder.request("next-" + i));
        }
        recorder.gate.countDown();
        awaitFinished(6);
        assertThat(Set.copyOf(recorder.threads.values())).hasSize(1);
    }

    @Test
    void shouldFailARequestThatWaitedLongerThanTheAcquireTimeoutWithThePoolsErrorWithoutRunningIt() throws Exception {
        width.set(1);
        queue.submit(recorder.request("gate-holder"));
        awaitInside(1);
        queue.submit(recorder.request("late"));
        timeoutNanos.set(0); // every queued request has now waited too long
        queue.sweep();
        awaitFinished(1);
        assertThat(recorder.failed.get("late")).isInstanceOf(IllegalStateException.class).hasMessage("timed out");
        assertThat(queue.queued()).isZero();
        recorder.gate.countDown();
        awaitFinished(2);
        assertThat(recorder.threads).containsOnlyKeys("gate-holder");
    }

    @Test
    void shouldFailARequestATakenRunnerFindsTooOldWithoutRunningIt() throws Exception {
        width.set(1);
        queue.submit(recorder.request("gate-holder"));
        awaitInside(1);
        queue.submit(recorder.request("late"));
        timeoutNanos.set(0);
        recorder.gate.countDown(); // the runner takes "late" next, without a sweep
        awaitFinished(2);
        assertThat(recorder.failed).containsOnlyKeys("late");
        assertThat(recorder.threads).containsOnlyKeys("gate-holder");
    }

    @Test
    void shouldHandARequestWhosePrincipalHoldsItsShareToTheOrdinaryPathSoItHoldsNoRunner() throws Exception {
        recorder.overShare.add("greedy");
        queue.submit(recorder.request("greedy"));
        queue.submit(recorder.request("polite"));
        awaitFinished(2);
        assertThat(recorder.elsewhere).containsExactly("greedy");
        assertThat(recorder.threads).containsOnlyKeys("polite");
    }

    @Test
    void shouldFailARequestWhoseWorkThrowsAndGoOnWithTheNext() throws Exception {
        width.set(1);
        queue.submit(recorder.request("gate-first"));
        awaitInside(1);
        queue.submit(recorder.request("boom"));
        queue.submit(recorder.request("after"));
        recorder.gate.countDown();
        awaitFinished(4); // boom counts as run and as failed
        assertThat(recorder.failed.get("boom")).isInstanceOf(IllegalArgumentException.class);
        assertThat(recorder.threads).containsKeys("gate-first", "boom", "after");
    }

    @Test
    void shouldLeaveNoRequestQueuedWhenNoRunnerCanBeStartedSoTheCallerAloneAnswersIt() {
        LeaseQueue refusing = new LeaseQueue(r -> {
            throw new RejectedExecutionException("no threads");
        }, width::get, timeoutNanos::get, true);
        assertThatThrownBy(() -> refusing.submit(recorder.request("orphan"))).isInstanceOf(RejectedExecutionException.class);
        assertThat(refusing.queued()).isZero();
        refusing.sweep();
        assertThat(recorder.failed).isEmpty();
    }
}
