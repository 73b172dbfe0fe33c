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
    private final LeaseQueue<String> queue = new LeaseQueue<>(workers, width::get, timeoutNanos::get, recorder);

    @AfterEach
    void stop() {
        recorder.gate.countDown();
        workers.shutdownNow();
    }

    /** Runs requests (those named "gate*" wait for the gate), remembering on which thread and how many at once. */
    private static final class Recorder implements LeaseQueue.Requests<String> {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final Map<String, String> threads = new ConcurrentHashMap<>();
        final Map<String, Throwable> failed = new ConcurrentHashMap<>();
        final Set<String> overShare = ConcurrentHashMap.newKeySet();
        final List<String> elsewhere = new CopyOnWriteArrayList<>();
        final AtomicInteger finished = new AtomicInteger();

        @Override
        public void run(String request, long queuedAtNanos) throws Exception {
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

        @Override
        public void fail(String request, Throwable failure) {
            failed.put(request, failure);
            finished.incrementAndGet();
        }

        @Override
        public RuntimeException timedOut(String request, long queuedAtNanos) {
            return new IllegalStateException("timed out");
        }

        @Override
        public boolean overShare(String request) {
            return overShare.contains(request);
        }

        @Override
        public void elsewhere(String request) {
            elsewhere.add(request);
            finished.incrementAndGet();
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
            queue.submit("gate-" + i);
        }
        awaitInside(3);
        assertThat(queue.hasQueued()).isTrue();
        recorder.gate.countDown();
        awaitFinished(40);
        assertThat(recorder.most.get()).isEqualTo(3);
        assertThat(recorder.threads).hasSize(40);
        assertThat(queue.hasQueued()).isFalse();
    }

    @Test
    void shouldRunTheNextQueuedRequestOnTheThreadThatFinishedOneInsteadOfHandingItOver() throws Exception {
        width.set(1);
        queue.submit("gate-first");
        awaitInside(1);
        for (int i = 0; i < 5; i++) {
            queue.submit("next-" + i);
        }
        recorder.gate.countDown();
        awaitFinished(6);
        assertThat(Set.copyOf(recorder.threads.values())).hasSize(1);
    }

    @Test
    void shouldFailARequestThatWaitedLongerThanTheAcquireTimeoutWithThePoolsErrorWithoutRunningIt() throws Exception {
        width.set(1);
        queue.submit("gate-holder");
        awaitInside(1);
        queue.submit("late");
        timeoutNanos.set(0); // every queued request has now waited too long
        queue.sweep();
        awaitFinished(1);
        assertThat(recorder.failed.get("late")).isInstanceOf(IllegalStateException.class).hasMessage("timed out");
        assertThat(queue.hasQueued()).isFalse();
        recorder.gate.countDown();
        awaitFinished(2);
        assertThat(recorder.threads).containsOnlyKeys("gate-holder");
    }

    @Test
    void shouldFailARequestATakenRunnerFindsTooOldWithoutRunningIt() throws Exception {
        width.set(1);
        queue.submit("gate-holder");
        awaitInside(1);
        queue.submit("late");
        timeoutNanos.set(0);
        recorder.gate.countDown(); // the runner takes "late" next, without a sweep
        awaitFinished(2);
        assertThat(recorder.failed).containsOnlyKeys("late");
        assertThat(recorder.threads).containsOnlyKeys("gate-holder");
    }

    @Test
    void shouldHandARequestWhosePrincipalHoldsItsShareToTheOrdinaryPathSoItHoldsNoRunner() throws Exception {
        recorder.overShare.add("greedy");
        queue.submit("greedy");
        queue.submit("polite");
        awaitFinished(2);
        assertThat(recorder.elsewhere).containsExactly("greedy");
        assertThat(recorder.threads).containsOnlyKeys("polite");
    }

    @Test
    void shouldFailARequestWhoseWorkThrowsAndGoOnWithTheNext() throws Exception {
        width.set(1);
        queue.submit("gate-first");
        awaitInside(1);
        queue.submit("boom");
        queue.submit("after");
        recorder.gate.countDown();
        awaitFinished(4); // boom counts as run and as failed
        assertThat(recorder.failed.get("boom")).isInstanceOf(IllegalArgumentException.class);
        assertThat(recorder.threads).containsKeys("gate-first", "boom", "after");
    }

    @Test
    void shouldLeaveNoRequestQueuedWhenNoRunnerCanBeStartedSoTheCallerAloneAnswersIt() {
        LeaseQueue<String> refusing = new LeaseQueue<>(r -> {
            throw new RejectedExecutionException("no threads");
        }, width::get, timeoutNanos::get, recorder);
        assertThatThrownBy(() -> refusing.submit("orphan")).isInstanceOf(RejectedExecutionException.class);
        assertThat(refusing.hasQueued()).isFalse();
        refusing.sweep();
        assertThat(recorder.failed).isEmpty();
    }
}
