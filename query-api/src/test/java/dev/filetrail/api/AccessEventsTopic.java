package dev.filetrail.api;

import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Topics;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.kafka.KafkaRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads {@code filetrail.access-events.v1} as the streams do, for tests that check what the API recorded. */
public final class AccessEventsTopic {
    private AccessEventsTopic() {
    }

    /** The first access event on the topic that {@code wanted} accepts, read by a new group from the start. */
    public static AccessEvent first(KafkaCluster kafka, Predicate<AccessEvent> wanted) {
        return all(kafka, wanted, found -> !found.isEmpty()).get(0);
    }

    /**
     * Every access event on the topic that {@code wanted} accepts, read by a new group from the start until those
     * found satisfy {@code enough} and then on to the end of every partition (so a duplicate would be among them).
     */
    public static List<AccessEvent> all(KafkaCluster kafka, Predicate<AccessEvent> wanted,
                                        Predicate<List<AccessEvent>> enough) {
        try (KafkaConsumer<String, byte[]> consumer = kafka.settings(KafkaRole.STREAMS).newConsumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, KafkaRole.STREAMS_APPLICATION_PREFIX + "-access-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.ACCESS_EVENTS.name()));
            List<AccessEvent> found = new ArrayList<>();
            Map<org.apache.kafka.common.TopicPartition, Long> end = new java.util.HashMap<>();
            ApiFixture.await("access events", () -> {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    AccessEvent event = Topics.ACCESS_EVENTS.values().decode(record.value());
                    if (wanted.test(event)) {
                        found.add(event);
                    }
                }
                if (end.isEmpty() && enough.test(found) && !consumer.assignment().isEmpty()) {
                    end.putAll(consumer.endOffsets(consumer.assignment()));
                }
                return !end.isEmpty() && end.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
            return found;
        }
    }
}
