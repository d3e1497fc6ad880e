package dev.filetrail.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** The readiness rules, on a clock the test moves. */
class StreamsReadinessTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final TopicPartition P0 = new TopicPartition("filetrail.object-events.v1", 0);
    private static final TopicPartition P1 = new TopicPartition("filetrail.object-events.v1", 1);

    /** The time now, as the test moves it. */
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-03-01T10:00:00Z"));
    private final StreamsReadiness readiness = new StreamsReadiness(BOUND, now::get);

    private StreamsReadiness running() {
        readiness.stateChanged(State.REBALANCING);
        readiness.stateChanged(State.RUNNING);
        return readiness;
    }

    @Test
    void notReadyUntilRunningNorInAStateThatDoesNoWork() {
        assertThat(readiness.check().up()).isFalse();
        readiness.stateChanged(State.REBALANCING);
        assertThat(readiness.check().reason()).contains("not RUNNING yet");
        readiness.stateChanged(State.RUNNING);
        assertThat(readiness.check().up()).isTrue();
        readiness.stateChanged(State.PENDING_ERROR);
        assertThat(readiness.check().reason()).isEqualTo("state PENDING_ERROR");
    }

    @Test
    void aShortRebalanceIsReadyALongOneIsNot() {
        running().stateChanged(State.REBALANCING);
        move(BOUND.minusSeconds(1));
        assertThat(readiness.check().up()).isTrue();
        move(Duration.ofSeconds(1));
        assertThat(readiness.check().reason()).startsWith("rebalancing for 60 s");
    }

    @Test
    void aPartitionWithRecordsPastAnOffsetThatDoesNotMoveIsStuckOnceTheBoundPasses() {
        running();
        sample(Map.of(P0, 10L, P1, 5L), Map.of(P0, 10L, P1, 5L));
        move(Duration.ofHours(1));
        // Idle for an hour, then a record arrives: lag since now, not since the offset last moved.
        sample(Map.of(P0, 10L, P1, 5L), Map.of(P0, 11L, P1, 5L));
        assertThat(readiness.check().up()).isTrue();
        move(BOUND.minusSeconds(1));
        sample(Map.of(P0, 10L, P1, 5L), Map.of(P0, 11L, P1, 5L));
        assertThat(readiness.check().up()).isTrue();
        move(Duration.ofSeconds(1));
        // The failed thread's task is gone until the next rebalance: the partition still counts.
        sample(Map.of(), Map.of());
        assertThat(readiness.check().reason()).contains(P0.toString()).contains("committed offset 10");
        // Moving on clears it.
        sample(Map.of(P0, 11L), Map.of(P0, 11L));
        assertThat(readiness.check().up()).isTrue();
    }

    @Test
    void busyPartitionsThatCommitAreNotStuck() {
        running();
        for (long offset = 0; offset < 10; offset++) {
            sample(Map.of(P0, offset * 100), Map.of(P0, offset * 100 + 500));
            move(BOUND.dividedBy(2));
        }
        assertThat(readiness.check().up()).isTrue();
    }

    @Test
    void aPartitionThatMovedToAnotherInstanceStopsCountingAfterTheRebalance() {
        running();
        sample(Map.of(P0, 10L), Map.of(P0, 20L));
        move(BOUND);
        assertThat(readiness.check().up()).isFalse();
        readiness.stateChanged(State.REBALANCING);
        readiness.stateChanged(State.RUNNING);
        sample(Map.of(P1, 3L), Map.of(P1, 3L));
        assertThat(readiness.check().up()).isTrue();
    }

    @Test
    void aFailedThreadIsForgivenOnceTheStreamsKeepUpAgain() {
        running();
        sample(Map.of(P0, 10L), Map.of(P0, 10L));
        readiness.threadFailed(new IllegalStateException("once"));
        move(BOUND.minusSeconds(1));
        // Its tasks wait for the next rebalance: nothing here shows whether they keep up.
        sample(Map.of(), Map.of());
        assertThat(readiness.check().up()).isTrue();
        sample(Map.of(P0, 10L), Map.of(P0, 10L));
        move(BOUND);
        assertThat(readiness.check().up()).as("caught up after the failure").isTrue();

        readiness.threadFailed(new IllegalStateException("again"));
        move(BOUND);
        sample(Map.of(), Map.of());
        assertThat(readiness.check().reason()).startsWith("a stream thread failed 60 s ago").endsWith("again");
        sample(Map.of(P0, 10L), Map.of(P0, 12L));
        assertThat(readiness.check().up()).as("still behind").isFalse();
        sample(Map.of(P0, 11L), Map.of(P0, 12L));
        assertThat(readiness.check().up()).as("its committed offset moved").isTrue();
    }

    @Test
    void afterAFailureATaskThatHasNotFetchedYetProvesNothingAndAPartitionFirstSeenLaggingIsNotProgress() {
        running().threadFailed(new IllegalStateException("poison"));
        move(BOUND);
        // Assigned again after the rebalance, P0 has not fetched (no end offset); P1 is caught up.
        readiness.sample(Set.of(P0, P1), Map.of(P0, 10L, P1, 3L), Map.of(P1, 3L));
        assertThat(readiness.check().up()).isFalse();
        // P0 is first seen after the failure, lagging: where it stands now is where it stood.
        sample(Map.of(P0, 10L, P1, 3L), Map.of(P0, 11L, P1, 3L));
        sample(Map.of(P0, 10L, P1, 4L), Map.of(P0, 11L, P1, 5L));
        assertThat(readiness.check().reason()).startsWith("a stream thread failed");
        sample(Map.of(P0, 11L, P1, 5L), Map.of(P0, 11L, P1, 5L));
        assertThat(readiness.check().up()).isTrue();
    }

    @Test
    void aFailureThatNamesItsTaskIsForgivenOnlyOnceThatTaskGotPastIt() {
        running();
        sample(Map.of(P0, 10L, P1, -1L), Map.of(P0, 10L, P1, -1L));
        readiness.threadFailed(new StreamsException("output refused", new TaskId(0, 1)));
        // The replacement's tasks before they fetch, and empty partitions: -1 for both offsets.
        sample(Map.of(P0, 10L, P1, -1L), Map.of(P0, -1L, P1, -1L));
        move(BOUND);
        sample(Map.of(P0, 10L, P1, -1L), Map.of(P0, 10L, P1, -1L));
        assertThat(readiness.check().reason()).startsWith("a stream thread failed 60 s ago");
        sample(Map.of(P0, 10L, P1, 1L), Map.of(P0, 10L, P1, 1L));
        assertThat(readiness.check().up()).as("task 0_1 committed past the failure").isTrue();
    }

    @Test
    void aFailedTaskThatFetchedAndHasNothingWaitingIsPastIt() {
        running().threadFailed(new StreamsException("commit failed", new TaskId(0, 0)));
        move(BOUND);
        sample(Map.of(P0, 7L, P1, 3L), Map.of(P0, 7L, P1, 3L));
        assertThat(readiness.check().up()).isTrue();
    }

    /** The local tasks hold the partitions named in either map. */
    private void sample(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        Set<TopicPartition> assigned = new HashSet<>(committed.keySet());
        assigned.addAll(end.keySet());
        readiness.sample(assigned, committed, end);
    }

    private void move(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }
}
