package dev.filetrail.bridge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import dev.filetrail.events.kafka.KafkaClientSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a shared topic from the beginning (as the ops role) and keeps the records a test cares about (its own bucket's). */
public final class KafkaRecords implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Predicate<ConsumerRecord<String, byte[]>> mine;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public KafkaRecords(KafkaClientSettings kafka, String topic, Predicate<ConsumerRecord<String, byte[]>> mine) {
        this.consumer = kafka.newConsumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "filetrail-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(List.of(topic));
        this.mine = mine;
    }

    public static KafkaRecords withKeyPrefix(KafkaClientSettings kafka, String topic, String keyPrefix) {
        return new KafkaRecords(kafka, topic, r -> r.key() != null && r.key().startsWith(keyPrefix));
    }

    /** Polls until {@code done} holds for what was seen, or the deadline passes; returns everything seen. */
    public List<ConsumerRecord<String, byte[]>> until(Predicate<List<ConsumerRecord<String, byte[]>>> done,
                                                      Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!done.test(seen) && System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (mine.test(record)) {
                    seen.add(record);
                }
            }
        }
        return List.copyOf(seen);
    }

    /** Polls for a further {@code quiet} period, to catch records that should not be there. */
    public List<ConsumerRecord<String, byte[]>> settle(Duration quiet) {
        return until(records -> false, quiet);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
