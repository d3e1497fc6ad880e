package dev.filetrail.streams.deadletters;

import java.util.Map;

/** What the three handlers share: the recorder the topology put into the streams settings. */
abstract class RecorderConfigured {
    /** Set by Kafka Streams' {@code configure}, before the first record. */
    DeadLetterRecorder recorder;

    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(DeadLetterRecorder.CONFIG);
        if (!(configured instanceof DeadLetterRecorder r)) {
            throw new IllegalStateException(DeadLetterRecorder.CONFIG + " is not set: take the streams settings "
                    + "from MetadataTopology.errorHandling()");
        }
        recorder = r;
    }
}
