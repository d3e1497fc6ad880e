package dev.filetrail.streams.deadletters;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.streams.MetadataStreamsConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ops side of {@code filetrail.streams-dlq.v1}: list, show one letter, and re-apply (produce the original key,
 * value, headers and timestamp back to the partition of the input topic it came from, so the fixed topology
 * applies it; the streams drop an id they have already applied, so a second re-apply changes nothing). A consumer
 * group remembers how far re-apply got, so the next one takes only letters parked since, unless asked for all.
 */
public final class StreamsDeadLetters {
    public static final String DEFAULT_REAPPLY_GROUP = "filetrail-streams-dlq-reapply";
    private static final Logger log = LoggerFactory.getLogger(StreamsDeadLetters.class);
    private static final Duration POLL = Duration.ofMillis(500);

    /** Letters counted, records on the topic that are no letters, counts by kind and by input, time span. */
    public record Listing(long count, long unreadable, Map<String, Long> byKind, Map<String, Long> byTopic,
                          Instant oldest, Instant newest) {
    }

    /**
     * What one re-apply did (or would do, dry-run): letters sent back, letters a previous re-apply took (0 with
     * all), records that are no letters.
     */
    public record ReapplySummary(boolean dryRun, long reapplied, long alreadyReapplied, long unreadable) {
    }

    private final KafkaClientSettings kafka;
    private final String topic;
    private final String reapplyGroup;

    /** As whoever {@code kafka} logs in as: reading the topic, the group and writing the inputs is the ops role's. */
    public StreamsDeadLetters(KafkaClientSettings kafka, String topic, String reapplyGroup) {
        this.kafka = kafka;
        this.topic = topic;
        this.reapplyGroup = reapplyGroup;
    }

    /** The dead-letter topic of the streams this configuration runs, read with its Kafka login. */
    public static StreamsDeadLetters fromConfig(MetadataStreamsConfig config) {
        return new StreamsDeadLetters(config.kafka(), config.outputTopics().deadLetters(),
                DEFAULT_REAPPLY_GROUP);
    }

    public String topic() {
        return topic;
    }

    /** Walks every letter (oldest first per partition), handing each to {@code each}. */
    public Listing list(Consumer<StreamsDeadLetter> each) {
        long[] counts = new long[2];
        Map<String, Long> byKind = new TreeMap<>();
        Map<String, Long> byTopic = new TreeMap<>();
        Instant[] span = new Instant[2];
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null)) {
            List<TopicPartition> partitions = assign(consumer);
            consumer.seekToBeginning(partitions);
            readToEnd(consumer, partitions, record -> {
                Optional<StreamsDeadLetter> letter = StreamsDeadLetter.of(record);
                if (letter.isEmpty()) {
                    counts[1]++;
                    return;
                }
                StreamsDeadLetter l = letter.get();
                counts[0]++;
                byKind.merge(String.valueOf(l.kind()), 1L, Long::sum);
                byTopic.merge(l.sourceTopic(), 1L, Long::sum);
                if (l.timestamp() != null) {
                    span[0] = span[0] == null || l.timestamp().isBefore(span[0]) ? l.timestamp() : span[0];
                    span[1] = span[1] == null || l.timestamp().isAfter(span[1]) ? l.timestamp() : span[1];
                }
                each.accept(l);
            });
        }
        return new Listing(counts[0], counts[1], byKind, byTopic, span[0], span[1]);
    }

    /** The letter with this id ({@code streams:<partition>:<offset>}), read at its place. */
    public Optional<StreamsDeadLetter> show(String id) {
        Optional<long[]> place = StreamsDeadLetter.place(id);
        if (place.isEmpty()) {
            return Optional.empty();
        }
        TopicPartition partition = new TopicPartition(topic, (int) place.get()[0]);
        long offset = place.get()[1];
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null)) {
            List<TopicPartition> partitions = assign(consumer);
            if (!partitions.contains(partition) || offset >= consumer.endOffsets(List.of(partition)).get(partition)
                    || offset < consumer.beginningOffsets(List.of(partition)).get(partition)) {
                return Optional.empty();
            }
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && consumer.position(partition) <= offset) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() == offset) {
                        return StreamsDeadLetter.of(record);
                    }
                    if (record.offset() > offset) {
                        // The offset held an aborted or control record, never a letter.
                        return Optional.empty();
                    }
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Produces letters back to where they came from: those not re-applied before, or every letter when
     * {@code all}. Each is acknowledged by Kafka before the group's offset moves past it, so an interrupted
     * re-apply resumes where it stopped (and a repeat is harmless). A dry run sends and commits nothing.
     */
    public ReapplySummary reapply(boolean all, boolean dryRun, Consumer<StreamsDeadLetter> each) {
        long[] counts = new long[3];
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(reapplyGroup);
             KafkaProducer<byte[], byte[]> producer = dryRun ? null : producer()) {
            List<TopicPartition> partitions = assign(consumer);
            Map<TopicPartition, OffsetAndMetadata> committed = all ? Map.of()
                    : consumer.committed(new HashSet<>(partitions));
            // From the beginning even when resuming: letters are written in transactions, so offsets count their
            // markers too, and only reading says how many letters a previous re-apply took.
            consumer.seekToBeginning(partitions);
            readToEnd(consumer, partitions, record -> {
                OffsetAndMetadata done = committed.get(new TopicPartition(record.topic(), record.partition()));
                if (done != null && record.offset() < done.offset()) {
                    counts[1]++;
                    return;
                }
                Optional<StreamsDeadLetter> letter = StreamsDeadLetter.of(record);
                if (letter.isEmpty()) {
                    counts[2]++;
                } else {
                    if (producer != null) {
                        send(producer, letter.get());
                    }
                    counts[0]++;
                    each.accept(letter.get());
                }
                if (!dryRun) {
                    consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1)));
                }
            });
        }
        return new ReapplySummary(dryRun, counts[0], counts[1], counts[2]);
    }

    private void send(KafkaProducer<byte[], byte[]> producer, StreamsDeadLetter letter) {
        // Its original partition (keys decide partitions, and co-partitioning depends on it) and timestamp (the
        // dedupe horizon is measured in record time, so a rebuild meeting the original and this copy keeps one).
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(letter.sourceTopic(),
                letter.sourcePartition() < 0 ? null : letter.sourcePartition(),
                letter.timestamp() == null ? null : letter.timestamp().toEpochMilli(), letter.key(), letter.value(),
                letter.headers());
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted re-applying " + letter.id(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot re-apply " + letter.id() + " to " + letter.sourceTopic() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        log.info("streams dead letter re-applied id={} topic={} partition={} sourceOffset={} key={}", letter.id(),
                letter.sourceTopic(), letter.sourcePartition(), letter.sourceOffset(),
                DeadLetterRecorder.printable(letter.key()));
    }

    private KafkaConsumer<byte[], byte[]> consumer(String groupId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Letters are written in the streams' transactions: an aborted one was never parked.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return kafka.newConsumer(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        return kafka.newProducer(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private List<TopicPartition> assign(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        consumer.assign(partitions);
        return partitions;
    }

    /** Reads until every partition reaches the end it had when the walk began: letters parked later wait. */
    private static void readToEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                  Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    handler.accept(record);
                }
            }
        }
    }
}
