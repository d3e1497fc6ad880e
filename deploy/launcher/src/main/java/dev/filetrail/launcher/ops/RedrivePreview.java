package dev.filetrail.launcher.ops;

import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What {@code dlq redrive} would send, without sending or committing anything: the letters after the redrive
 * group's committed offsets (every letter with {@code all}). The dry run of DeadLetters' redrive.
 */
public final class RedrivePreview {
    /** Letters that would be redriven, those a previous redrive took, and records that are no letters. */
    public record Preview(long wouldRedrive, long alreadyRedriven, long unreadable, boolean all) {
    }

    private final KafkaClientSettings kafka;
    private final String redriveGroup;

    public RedrivePreview(KafkaClientSettings kafka, String redriveGroup) {
        this.kafka = kafka;
        this.redriveGroup = redriveGroup;
    }

    public Preview preview(boolean all, Consumer<DeadLetter> each) {
        Map<TopicPartition, OffsetAndMetadata> committed = all ? Map.of() : committed();
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long[] counts = new long[3];
        try (KafkaConsumer<String, byte[]> consumer = kafka.newConsumer(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.INGEST_DLQ.name(), Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.INGEST_DLQ.name() + " does not exist");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata done = committed.get(partition);
                long start = done == null ? beginning.get(partition) : Math.max(done.offset(), beginning.get(partition));
                counts[1] += start - beginning.get(partition);
                consumer.seek(partition, start);
            }
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    DeadLetter letter;
                    try {
                        letter = Objects.requireNonNull(Topics.INGEST_DLQ.values().decode(record.value()), "a tombstone");
                    } catch (RuntimeException e) {
                        counts[2]++;
                        continue;
                    }
                    counts[0]++;
                    each.accept(letter);
                }
            }
        }
        return new Preview(counts[0], counts[1], counts[2], all);
    }

    private Map<TopicPartition, OffsetAndMetadata> committed() {
        try (Admin admin = kafka.newAdmin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(redriveGroup)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
            offsets.keySet().removeIf(tp -> !tp.topic().equals(Topics.INGEST_DLQ.name()));
            offsets.values().removeIf(v -> v == null);
            return offsets;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of redrive group " + redriveGroup + ": "
                    + e.getMessage(), e);
        }
    }
}
