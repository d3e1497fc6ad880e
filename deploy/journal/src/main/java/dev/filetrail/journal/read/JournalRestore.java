package dev.filetrail.journal.read;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.journal.table.JournalTable;
import dev.filetrail.journal.table.KeptRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes journal rows back to a topic as the canonical records: key {@code bucket/key}, value
 * {@link ObjectEventWriter}'s bytes (or, for the tables that keep the record whole, its own key and value bytes), the
 * original timestamp, and the original partition when the target has enough partitions (else Kafka's key hashing,
 * which keeps every object's records together and in order).
 */
public final class JournalRestore {
    private static final Logger log = LoggerFactory.getLogger(JournalRestore.class);
    private final KafkaClientSettings kafka;

    public JournalRestore(KafkaClientSettings kafka) {
        this.kafka = kafka;
    }

    /** What a restore wrote. */
    public record Summary(String topic, long written, Map<Integer, Long> writtenByPartition, boolean partitionsKept,
                          Duration elapsed) {
    }

    /** Writes the {@code journal} table's rows as their canonical object-event records. */
    public Summary restore(List<JournalTable.Row> rows, String topic) {
        return restoreRecords(rows.stream().map(r -> new KeptRecord(r.event().recordKey(),
                ObjectEventWriter.write(r.event()), r.position())).toList(), topic);
    }

    /** Writes records kept whole ({@code processing_results}, {@code share_commands}) back, in the order given. */
    public Summary restoreRecords(List<KeptRecord> rows, String topic) {
        long started = System.nanoTime();
        int targetPartitions;
        try (Admin admin = kafka.newAdmin()) {
            targetPartitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe the target topic " + topic + ": " + e.getMessage(), e);
        }
        int sourcePartitions = rows.stream().mapToInt(r -> r.position().partition()).max().orElse(-1) + 1;
        boolean keep = sourcePartitions <= targetPartitions;
        Map<Integer, Long> byPartition = new TreeMap<>();
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "20"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (KeptRecord row : rows) {
                Integer partition = keep ? row.position().partition() : null;
                Long timestamp = row.position().timestamp() == null ? null : row.position().timestamp().toEpochMilli();
                producer.send(new ProducerRecord<>(topic, partition, timestamp,
                        row.key() == null ? null : row.key().getBytes(StandardCharsets.UTF_8), row.value()),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                byPartition.merge(row.position().partition(), 1L, Long::sum);
            }
            producer.flush();
        }
        if (failure.get() != null) {
            // the idempotent producer stops at the first failed batch: what follows it was not written either
            throw new IllegalStateException("restore into " + topic + " failed: " + failure.get().getMessage(),
                    failure.get());
        }
        Summary summary = new Summary(topic, rows.size(), byPartition, keep, Duration.ofNanos(System.nanoTime() - started));
        log.info("journal restored topic={} records={} partitionsKept={}", topic, rows.size(), keep);
        return summary;
    }
}
