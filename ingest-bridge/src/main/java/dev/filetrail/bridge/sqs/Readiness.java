package dev.filetrail.bridge.sqs;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the pollers are getting messages through, for {@code /ready}: stuck once batches (or SQS calls) have
 * kept failing, with nothing succeeding in between, for the bound. A failure is resolved by a batch that goes
 * through whole, or by an empty receive after the failed messages were due back on the queue (they are gone:
 * deleted by another poller, or moved to the dead-letter queue by SQS).
 */
public final class Readiness {
    private final Duration bound;
    private final Supplier<Instant> clock;
    private Instant failingSince;
    private Instant dueBack;
    private String lastError;

    /**
     * @param bound how long the bridge may keep failing before it counts as not ready
     * @param clock the time now ({@code Instant::now}; tests move their own)
     */
    public Readiness(Duration bound, Supplier<Instant> clock) {
        this.bound = bound;
        this.clock = clock;
    }

    /** Something failed; what it left on the queue is due back after {@code dueBackIn}. */
    public synchronized void failed(String error, Duration dueBackIn) {
        Instant now = clock.get();
        if (failingSince == null) {
            failingSince = now;
        }
        Instant due = now.plus(dueBackIn);
        dueBack = dueBack == null || due.isAfter(dueBack) ? due : dueBack;
        lastError = error;
    }

    /** A batch went through whole. */
    public synchronized void succeeded() {
        failingSince = null;
        dueBack = null;
    }

    /** A receive found nothing while this poller had nothing in flight. */
    public synchronized void idle() {
        if (dueBack != null && !clock.get().isBefore(dueBack)) {
            succeeded();
        }
    }

    /** Why the bridge is stuck, or empty while it is not. */
    public synchronized Optional<String> stuck() {
        Instant now = clock.get();
        if (failingSince == null || failingSince.plus(bound).isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of("messages failing for " + Duration.between(failingSince, now).toSeconds() + " s (bound "
                + bound.toSeconds() + " s), last: " + lastError);
    }
}
