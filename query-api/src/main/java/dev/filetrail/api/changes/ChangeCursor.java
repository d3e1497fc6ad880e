package dev.filetrail.api.changes;

import java.time.Instant;
import java.util.List;

/**
 * A position in the change feed of one bucket and prefix: per partition of {@code filetrail.file-versions.v1}, the
 * next offset not yet seen, with the topic's identity and when the cursor was issued. Offsets are Kafka's, so the
 * cursor means the same after an API restart or a projection rebuild, and, read-model shards being partitions (issue
 * 16), on any shard.
 */
record ChangeCursor(String bucket, String prefix, String topicId, Instant issuedAt, List<Long> next) {
    ChangeCursor {
        next = List.copyOf(next);
    }

    long[] offsets() {
        return next.stream().mapToLong(Long::longValue).toArray();
    }

    static ChangeCursor of(String bucket, String prefix, FeedTopic topic, long[] next) {
        return new ChangeCursor(bucket, prefix, topic.topicId(), Instant.now(),
                java.util.Arrays.stream(next).boxed().toList());
    }
}
