package dev.filetrail.bridge.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** When the bridge counts as stuck, on a clock the test moves. */
class ReadinessTest {
    private static final Duration BOUND = Duration.ofSeconds(120);

    /** The time now, as the test moves it. */
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-03-01T10:00:00Z"));
    private final Readiness readiness = new Readiness(BOUND, now::get);

    @Test
    void failuresWithNothingGoingThroughAreStuckOnceTheBoundPasses() {
        assertThat(readiness.stuck()).isEmpty();
        for (int i = 0; i < 4; i++) {
            readiness.failed("TimeoutException " + i, Duration.ofSeconds(31));
            move(Duration.ofSeconds(30));
            // The failed messages are not back yet: an empty receive says nothing.
            readiness.idle();
        }
        assertThat(readiness.stuck()).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("messages failing for 120 s").endsWith("TimeoutException 3"));
        readiness.succeeded();
        assertThat(readiness.stuck()).isEmpty();
    }

    @Test
    void anEmptyQueueAfterTheFailedMessagesWereDueBackResolvesTheFailure() {
        readiness.failed("TimeoutException", Duration.ofSeconds(5));
        move(Duration.ofSeconds(5));
        readiness.idle();
        move(BOUND);
        assertThat(readiness.stuck()).as("the messages left the queue (another poller, or SQS's DLQ)").isEmpty();
    }

    private void move(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }
}
