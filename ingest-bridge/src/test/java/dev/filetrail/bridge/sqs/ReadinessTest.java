package dev.filetrail.bridge.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** When the bridge counts as stuck, on a clock the test moves. */
class ReadinessTest {
    private static final Duration BOUND = Duration.ofSeconds(120);

    private static final class Hands extends Clock {
        private Instant now = Instant.parse("2025-03-01T10:00:00Z");

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final Hands clock = new Hands();
    private final Readiness readiness = new Readiness(BOUND, clock);

    @Test
    void failuresWithNothingGoingThroughAreStuckOnceTheBoundPasses() {
        assertThat(readiness.stuck()).isEmpty();
        for (int i = 0; i < 4; i++) {
            readiness.failed("TimeoutException " + i, Duration.ofSeconds(31));
            clock.move(Duration.ofSeconds(30));
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
        clock.move(Duration.ofSeconds(5));
        readiness.idle();
        clock.move(BOUND);
        assertThat(readiness.stuck()).as("the messages left the queue (another poller, or SQS's DLQ)").isEmpty();
    }
}
