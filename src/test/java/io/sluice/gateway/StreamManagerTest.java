package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.auth.Access;
import io.sluice.auth.Principal;
import io.sluice.flags.Features;
import io.sluice.flags.TestConfig;
import io.sluice.metrics.SluiceMetrics;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Opening, resuming, finishing and expiring streams, and the drain, without a server: streams that never ran
 * a statement hold no connection, so no backend is needed.
 */
class StreamManagerTest {
    private static final Principal ALICE = new Principal("alice", Access.READ_WRITE);
    private static final Principal BOB = new Principal("bob", Access.READ_WRITE);
    private static final Principal CAROL = new Principal("carol", Access.READ_WRITE);

    private StreamManager manager;

    private StreamManager manager(String... props) {
        manager = new StreamManager(TestConfig.with(props), null, key -> Features.ALL, new SluiceMetrics(new SimpleMeterRegistry()),
                new StreamForwarder());
        return manager;
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.onShutdown(null);
        }
    }

    private static HranaError errorOf(Runnable r) {
        try {
            r.run();
        } catch (ProtocolException e) {
            return e.error();
        }
        throw new AssertionError("no ProtocolException");
    }

    @Test
    void shouldResumeAStreamFromTheBatonOfItsLastResponseOnly() {
        StreamManager m = manager();
        Stream s = m.open(ALICE, null, m.plan(null));
        String first = m.finish(s);

        Stream resumed = m.resume(m.decode(first, ALICE));
        assertThat(resumed).isSameAs(s);
        String second = m.finish(resumed);

        assertThat(second).isNotEqualTo(first);
        assertThatThrownBy(() -> m.resume(m.decode(first, ALICE))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("already been used");
        assertThat(m.resume(m.decode(second, ALICE))).isSameAs(s);
    }

    @Test
    void shouldRefuseAnotherPrincipalsBatonAndASecondRequestOnABusyStream() {
        StreamManager m = manager();
        Stream s = m.open(ALICE, null, m.plan(null));
        String baton = m.finish(s);

        assertThatThrownBy(() -> m.decode(baton, BOB)).isInstanceOf(ProtocolException.class);
        m.resume(m.decode(baton, ALICE));
        assertThatThrownBy(() -> m.resume(m.decode(baton, ALICE))).isInstanceOf(ProtocolException.class).hasMessageContaining("busy");
    }

    @Test
    void shouldRefuseAStreamBeyondTheLimitAndAcceptOneOnceAnotherCloses() {
        StreamManager m = manager("sluice.gateway.max-streams", "2");
        Stream a = m.open(ALICE, null, m.plan(null));
        m.open(BOB, null, m.plan(null));

        assertThat(errorOf(() -> m.open(CAROL, null, m.plan(null)))).isEqualTo(HranaError.STREAMS_EXHAUSTED);
        m.close(a, Stream.Closing.BY_CLIENT);
        assertThat(m.finish(a)).as("a closed stream gets no baton").isNull();
        assertThat(m.open(CAROL, null, m.plan(null))).isNotNull();
        assertThat(m.openStreams()).isEqualTo(2);
    }

    @Test
    void shouldExpireAnIdleStreamSoItsBatonAnswersStreamExpired() throws Exception {
        StreamManager m = manager();
        Stream s = m.open(ALICE, null, m.plan(null));
        String baton = m.finish(s);
        m.limits(10, Duration.ofMillis(1));
        Thread.sleep(20);

        assertThat(m.expireIdleNow()).isZero();

        assertThat(s.isClosed()).isTrue();
        assertThat(errorOf(() -> m.resume(m.decode(baton, ALICE)))).isEqualTo(HranaError.STREAM_EXPIRED);
    }

    @Test
    void shouldTellARequestOnAClosedStreamWhyItClosed() throws Exception {
        StreamManager m = manager();
        Stream idle = m.open(ALICE, null, m.plan(null));
        m.finish(idle);
        Stream failed = m.open(BOB, null, m.plan(null));
        m.close(failed, Stream.Closing.FAILED);
        m.finish(failed);
        m.limits(10, Duration.ofMillis(1));
        Thread.sleep(20);
        m.expireIdleNow();
        Stream drained = m.open(CAROL, null, m.plan(null));
        m.finish(drained);
        m.drain(Duration.ofSeconds(5));

        assertThat(StreamManager.streamExpired(idle).getMessage()).isEqualTo("The stream has expired due to inactivity");
        assertThat(StreamManager.streamExpired(failed).getMessage()).startsWith("The stream was closed when a request on it failed");
        assertThat(StreamManager.streamExpired(drained).getMessage()).isEqualTo("The stream was closed because the server is shutting down");
        assertThat(StreamManager.streamExpired().getMessage()).as("a baton whose stream is gone: why is not known")
                .isEqualTo("The stream has expired due to inactivity or was closed");
    }

    @Test
    void shouldNeverExpireAStreamWhileARequestHoldsIt() throws Exception {
        StreamManager m = manager();
        Stream s = m.open(ALICE, null, m.plan(null));
        m.limits(10, Duration.ofMillis(1));
        Thread.sleep(20);

        assertThat(m.expireIdleNow()).isEqualTo(1);
        assertThat(s.isClosed()).isFalse();
        assertThat(m.finish(s)).isNotNull();
    }

    @Test
    void shouldRefuseNewStreamsWhileDrainingAndCloseIdleOnesWithoutATransaction() {
        StreamManager m = manager();
        Stream idle = m.open(ALICE, null, m.plan(null));
        String baton = m.finish(idle);

        assertThat(m.drain(Duration.ofSeconds(5))).as("nothing had to be cut off").isZero();

        assertThat(m.isDraining()).isTrue();
        assertThat(idle.isClosed()).isTrue();
        assertThat(errorOf(() -> m.open(BOB, null, m.plan(null)))).isEqualTo(HranaError.SHUTTING_DOWN);
        assertThat(errorOf(() -> m.resume(m.decode(baton, ALICE)))).isEqualTo(HranaError.STREAM_EXPIRED);
    }

    @Test
    void shouldCloseAStreamStillBusyAtTheEndOfTheDrainWhenItsRequestEnds() {
        StreamManager m = manager();
        Stream busy = m.open(ALICE, null, m.plan(null));
        m.resume(m.decode(m.finish(busy), ALICE));

        assertThat(m.drain(Duration.ZERO)).isEqualTo(1);

        assertThat(busy.isClosed()).as("a running request is never cut off").isFalse();
        assertThat(m.finish(busy)).isNull();
        assertThat(busy.isClosed()).isTrue();
        assertThat(m.openStreams()).isZero();
    }
}
