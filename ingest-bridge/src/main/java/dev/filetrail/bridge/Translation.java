package dev.filetrail.bridge;

import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.bridge.kafka.OutboundRecord;
import java.util.List;

/** What one SQS message becomes: records to produce, a skip (S3's test event), or a dead letter. */
public sealed interface Translation {

    /** The records to produce; the message may be deleted once Kafka acknowledged every one. */
    List<OutboundRecord> records();

    /** Events or a processing result to produce. */
    record Publish(List<OutboundRecord> records) implements Translation {
    }

    /** Nothing to produce; the message is acknowledged (deleted) as it is. */
    record Skip(String reason) implements Translation {
        @Override
        public List<OutboundRecord> records() {
            return List.of();
        }
    }

    /** The message could not be read; its one record is the dead letter. */
    record Reject(DeadLetter deadLetter, OutboundRecord record) implements Translation {
        @Override
        public List<OutboundRecord> records() {
            return List.of(record);
        }
    }
}
