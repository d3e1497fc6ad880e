package dev.filetrail.streams.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether the streams are doing their work, for {@code /ready}: not before they first reach RUNNING, not in a
 * state that does no work, not after rebalancing for longer than the bound, and not while stream threads keep
 * failing (each failure within the bound of the one before) for longer than the bound. A single failed thread,
 * which Kafka Streams replaces, does not make the service unready; a thread that fails on the same thing again and
 * again (a broker that refuses an output, a store that cannot be opened) does, until the failures stop for a bound.
 */
public final class StreamsReadiness {
    private final Duration bound;
    private final Clock clock;
    private KafkaStreams.State state = KafkaStreams.State.CREATED;
    private Instant stateSince;
    private boolean wasRunning;
    private Instant failingSince;
    private Instant lastFailure;
    private String lastError;

    /** @param bound how long the streams may be stuck before they count as not ready */
    public StreamsReadiness(Duration bound, Clock clock) {
        this.bound = bound;
        this.clock = clock;
        this.stateSince = clock.instant();
    }

    public synchronized void stateChanged(KafkaStreams.State newState) {
        state = newState;
        stateSince = clock.instant();
        wasRunning |= newState == KafkaStreams.State.RUNNING;
    }

    public synchronized void threadFailed(Throwable error) {
        Instant now = clock.instant();
        if (failingSince == null || lastFailure.plus(bound).isBefore(now)) {
            failingSince = now;
        }
        lastFailure = now;
        lastError = error.toString();
    }

    /** Ready now, or why not. */
    public synchronized MetricsServer.Health check() {
        Instant now = clock.instant();
        if (!wasRunning) {
            return notReady("starting: not RUNNING yet");
        }
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return notReady("state " + state);
        }
        if (state == KafkaStreams.State.REBALANCING && !stateSince.plus(bound).isAfter(now)) {
            return notReady("rebalancing for " + seconds(stateSince, now) + " s (bound " + bound.toSeconds() + " s)");
        }
        if (lastFailure != null && lastFailure.plus(bound).isAfter(now) && !failingSince.plus(bound).isAfter(now)) {
            return notReady("stream threads failing for " + seconds(failingSince, now) + " s (bound "
                    + bound.toSeconds() + " s), last: " + lastError);
        }
        return new MetricsServer.Health(true, state.name(), null);
    }

    private MetricsServer.Health notReady(String reason) {
        return new MetricsServer.Health(false, state.name(), reason);
    }

    private static long seconds(Instant from, Instant to) {
        return Duration.between(from, to).toSeconds();
    }
}
