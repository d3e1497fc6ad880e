package dev.filetrail.streams.http;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsException;

/**
 * Whether the streams are doing their work, for {@code /ready}. Not ready: before they first reach RUNNING; in a
 * state that does no work; after rebalancing for longer than the bound; while an input partition of a local task
 * has had records past its committed offset, without that offset moving, for the bound (a record the task cannot
 * get past, a broker that refuses its outputs or commits); once a stream thread failed and the bound passed without
 * the streams showing they keep up again (every partition here caught up, or moved past where it stood at the
 * failure). A moment of lag, or one failed thread that Kafka Streams replaces and that then catches up, does not make
 * the service unready.
 */
public final class StreamsReadiness {
    private final Duration bound;
    private final Supplier<Instant> clock;
    private KafkaStreams.State state = KafkaStreams.State.CREATED;
    private Instant stateSince;
    private boolean wasRunning;
    private Instant failingSince;
    private String lastError;
    /** While failing: each partition's committed offset when the failure happened (or when first seen after it). */
    private Map<TopicPartition, Long> atFailure;
    /** While failing: the input partition number of the task the failure named, if it named one. */
    private Integer failedPartition;
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private Instant runningSince;

    /**
     * One input partition: its committed offset, whether records wait past it, since when both are so, and when a
     * local task last had it.
     */
    private record Progress(long committed, boolean lagging, Instant since, Instant seen) {
    }

    /**
     * @param bound how long the streams may be stuck before they count as not ready
     * @param clock the time now ({@code Instant::now}; tests move their own)
     */
    public StreamsReadiness(Duration bound, Supplier<Instant> clock) {
        this.bound = bound;
        this.clock = clock;
        this.stateSince = clock.get();
    }

    public synchronized void stateChanged(KafkaStreams.State newState) {
        state = newState;
        stateSince = clock.get();
        if (newState == KafkaStreams.State.RUNNING) {
            wasRunning = true;
            runningSince = stateSince;
        }
    }

    /**
     * A stream thread died. When the error names its task, the streams are trusted again only once that task shows
     * it got past the failure, since -1 ("not fetched", also what an empty partition reports) and a stale end offset
     * both look like "caught up".
     */
    public synchronized void threadFailed(Throwable error) {
        if (failingSince == null) {
            failingSince = clock.get();
            atFailure = new HashMap<>();
            progress.forEach((partition, p) -> atFailure.put(partition, p.committed()));
        }
        if (error instanceof StreamsException streamsError && streamsError.taskId().isPresent()) {
            // One sub-topology over co-partitioned inputs: task 0_N reads partition N of every input topic.
            failedPartition = streamsError.taskId().get().partition();
        }
        lastError = error.toString();
    }

    /**
     * Takes the input partitions of the tasks running here now, with the committed and end offsets known for them (a
     * task that has not fetched yet knows no end: absent, or -1 as for an empty partition). The caller leaves out the tasks of a thread that is
     * shutting down or dead: they show where that thread stood, often an end offset fetched before the record that
     * failed it, which would look like "caught up". A partition keeps its history while its task is away: a failed
     * thread's tasks wait for the next rebalance, and after one a task may restore before it shows. It counts while
     * it has been seen since the last rebalance completed, so a partition that moved to another instance stops
     * counting.
     */
    public synchronized void sample(Set<TopicPartition> assigned, Map<TopicPartition, Long> committed,
                                    Map<TopicPartition, Long> end) {
        Instant now = clock.get();
        boolean keepingUp = !assigned.isEmpty();
        boolean failedTaskPast = false;
        for (TopicPartition partition : assigned) {
            Long endOffset = end.get(partition);
            if (endOffset == null) {
                keepingUp = false;
                continue;
            }
            long offset = committed.getOrDefault(partition, -1L);
            boolean lagging = endOffset > Math.max(offset, 0);
            Progress before = progress.get(partition);
            boolean same = before != null && before.committed() == offset && before.lagging() == lagging;
            progress.put(partition, new Progress(offset, lagging, same ? before.since() : now, now));
            if (atFailure != null) {
                long then = atFailure.computeIfAbsent(partition, p -> offset);
                keepingUp &= !lagging || offset > then;
                if (failedPartition != null && partition.partition() == failedPartition) {
                    failedTaskPast |= offset > then || (endOffset >= 0 && !lagging);
                }
            }
        }
        // After a thread failure the streams are trusted again once every partition here is caught up or has moved
        // past where it stood when the failure happened.
        if (atFailure != null && keepingUp && (failedPartition == null || failedTaskPast)) {
            failingSince = null;
            atFailure = null;
            failedPartition = null;
        }
    }

    /** Ready now, or why not. */
    public synchronized Health check() {
        Instant now = clock.get();
        if (!wasRunning) {
            return notReady("starting: not RUNNING yet");
        }
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return notReady("state " + state);
        }
        if (state == KafkaStreams.State.REBALANCING && expired(stateSince, now)) {
            return notReady("rebalancing for " + seconds(stateSince, now) + " s (bound " + bound.toSeconds() + " s)");
        }
        for (Map.Entry<TopicPartition, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            if (p.lagging() && expired(p.since(), now) && !p.seen().isBefore(runningSince)) {
                return notReady(e.getKey() + " has records past committed offset " + p.committed()
                        + " and has not moved for " + seconds(p.since(), now) + " s (bound " + bound.toSeconds() + " s)"
                        + (lastError == null ? "" : ", last thread failure: " + lastError));
            }
        }
        if (failingSince != null && expired(failingSince, now)) {
            return notReady("a stream thread failed " + seconds(failingSince, now) + " s ago and the streams have not "
                    + "caught up since (bound " + bound.toSeconds() + " s), last failure: " + lastError);
        }
        return new Health(true, state.name(), null);
    }

    /** At least the bound has passed since {@code since}. */
    private boolean expired(Instant since, Instant now) {
        return !since.plus(bound).isAfter(now);
    }

    private Health notReady(String reason) {
        return new Health(false, state.name(), reason);
    }

    private static long seconds(Instant from, Instant to) {
        return Duration.between(from, to).toSeconds();
    }
}
