package dev.filetrail.streams.deadletters;

import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;

/** Tells a failure of one record from a failure of the machinery it runs on. */
final class Failures {
    private Failures() {
    }

    /**
     * Kafka's own exceptions (a store, the producer, the broker, a rebalance) say nothing about the record being
     * processed: parking it would lose a good record, so the task must fail and retry. Everything else thrown while
     * a record is applied (the topology's {@code BadInputException}, or a bug met by this record's data) is about
     * the record.
     */
    static boolean aboutTheRecord(Exception e) {
        return !(e instanceof KafkaException) || e instanceof SerializationException;
    }

    /** The recorder the topology put into the streams settings. */
    static DeadLetterRecorder recorder(Map<String, ?> configs) {
        Object recorder = configs.get(DeadLetterRecorder.CONFIG);
        if (!(recorder instanceof DeadLetterRecorder r)) {
            throw new IllegalStateException(DeadLetterRecorder.CONFIG + " is not set: take the streams settings "
                    + "from MetadataTopology.errorHandling()");
        }
        return r;
    }
}
