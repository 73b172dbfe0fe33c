package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.auth.Principal;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A stream's transition table and its event methods, without a server or a database. */
class StreamStateTest {

    private static Stream opened() {
        return new Stream(1, false, null, Principal.anonymous(), "test", new FairShare(new SimpleMeterRegistry()), null);
    }

    @ParameterizedTest
    @EnumSource(StreamState.class)
    void shouldAllowExactlyTheDocumentedStreamTransitions(StreamState from) {
        // the diagram in StreamState's Javadoc, written out independently of its table
        EnumSet<StreamState> expected = switch (from) {
            case IDLE -> EnumSet.of(StreamState.BUSY, StreamState.INSPECTING, StreamState.CLOSED);
            case BUSY, INSPECTING -> EnumSet.of(StreamState.IDLE, StreamState.CLOSED);
            case CLOSED -> EnumSet.noneOf(StreamState.class);
        };
        for (StreamState to : StreamState.values()) {
            assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(expected.contains(to));
        }
    }

    @Test
    void shouldBeHeldByTheRequestThatOpenedItUntilItAnswers() {
        Stream s = opened();

        assertThat(s.tryAcquire()).as("a second request while the first runs").isFalse();
        assertThat(s.tryCloseIdle(Stream.Closing.IDLE)).as("the reaper never closes a busy stream").isFalse();
        assertThat(s.tryInspect()).as("the drain never looks into a busy stream").isFalse();
        s.release();
        assertThat(s.tryAcquire()).isTrue();
    }

    @Test
    void shouldLetTheReaperCloseOnlyAnIdleStreamAndRefuseEveryLaterRequest() {
        Stream s = opened();
        s.release();

        assertThat(s.tryCloseIdle(Stream.Closing.IDLE)).isTrue();
        assertThat(s.isClosed()).isTrue();
        assertThat(s.tryAcquire()).isFalse();
        assertThat(s.tryInspect()).isFalse();
        s.release(); // a late response changes nothing: CLOSED is final
        assertThat(s.isClosed()).isTrue();
    }

    @Test
    void shouldReturnAnInspectedStreamToIdleOrCloseItWhenSettled() {
        Stream kept = opened();
        kept.release();
        assertThat(kept.tryInspect()).isTrue();
        assertThat(kept.tryCloseIdle(Stream.Closing.IDLE)).as("the reaper waits for the drain's look").isFalse();
        kept.endInspection();
        assertThat(kept.tryAcquire()).isTrue();

        Stream settled = opened();
        settled.release();
        assertThat(settled.tryInspect()).isTrue();
        settled.markClosed(Stream.Closing.SHUTDOWN);
        assertThat(settled.isClosed()).isTrue();
    }

    @Test
    void shouldCloseABusyStreamOnceHoweverOftenItIsClosed() {
        Stream s = opened();

        s.markClosed(Stream.Closing.FAILED);
        s.markClosed(Stream.Closing.FAILED);

        assertThat(s.isClosed()).isTrue();
        assertThat(s.tryAcquire()).isFalse();
    }
}
