package dev.filetrail.bridge.dlq;

import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.bridge.AwsClients;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The ops side of {@code filetrail.ingest-dlq.v1}: list, show one by id, and redrive (send the untouched raw
 * body back to the ingest queue so it passes through the fixed bridge again). A consumer group remembers how
 * far redrive got, so a second redrive takes only letters that arrived since, unless asked for all.
 */
public final class DeadLetters implements AutoCloseable {
    public static final String DEFAULT_REDRIVE_GROUP = "filetrail-dlq-redrive";
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaClientSettings kafka;
    private final SqsClient sqs;
    private final String queueUrl;
    private final String redriveGroup;
    private final boolean ownsSqs;

    /** With an SQS client the caller owns; {@code queueUrl} is where redriven bodies go. */
    public DeadLetters(KafkaClientSettings kafka, SqsClient sqs, String queueUrl, String redriveGroup) {
        this(kafka, sqs, queueUrl, redriveGroup, false);
    }

    private DeadLetters(KafkaClientSettings kafka, SqsClient sqs, String queueUrl, String redriveGroup, boolean ownsSqs) {
        this.kafka = kafka;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.redriveGroup = redriveGroup;
        this.ownsSqs = ownsSqs;
    }

    public static DeadLetters fromConfig(BridgeConfig config) {
        return new DeadLetters(config.kafka(), AwsClients.sqs(config, AwsClients.OPS), config.queueUrl(),
                DEFAULT_REDRIVE_GROUP, true);
    }

    /** Walks every letter on the topic (oldest offsets first per partition), handing each to {@code each}. */
    public DeadLetterListing list(Consumer<DeadLetter> each) {
        Map<String, Long> byReason = new TreeMap<>();
        long[] counts = new long[2];
        Instant[] span = new Instant[2];
        try (KafkaConsumer<String, byte[]> consumer = consumer(null)) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.seekToBeginning(partitions);
            readToEnd(consumer, partitions, record -> {
                Optional<DeadLetter> letter = read(record);
                if (letter.isEmpty()) {
                    counts[1]++;
                    return;
                }
                DeadLetter l = letter.get();
                counts[0]++;
                byReason.merge(reasonKind(l.reason()), 1L, Long::sum);
                if (l.receivedAt() != null) {
                    span[0] = span[0] == null || l.receivedAt().isBefore(span[0]) ? l.receivedAt() : span[0];
                    span[1] = span[1] == null || l.receivedAt().isAfter(span[1]) ? l.receivedAt() : span[1];
                }
                each.accept(l);
            });
        }
        return new DeadLetterListing(counts[0], counts[1], byReason, span[0], span[1]);
    }

    /** The letter with this id (the newest copy, if the same delivery was parked twice). */
    public Optional<DeadLetter> show(String id) {
        DeadLetter[] found = new DeadLetter[1];
        try (KafkaConsumer<String, byte[]> consumer = consumer(null)) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.seekToBeginning(partitions);
            readToEnd(consumer, partitions, record -> {
                if (id.equals(record.key())) {
                    read(record).ifPresent(letter -> found[0] = letter);
                }
            });
        }
        return Optional.ofNullable(found[0]);
    }

    /**
     * Sends letters' raw bodies back to the ingest queue: those not redriven before, or every letter when
     * {@code all}. Progress is committed to the redrive consumer group after each sent letter, so an
     * interrupted redrive resumes where it stopped.
     */
    public RedriveSummary redrive(boolean all, Consumer<DeadLetter> each) {
        long[] counts = new long[3];
        try (KafkaConsumer<String, byte[]> consumer = consumer(redriveGroup)) {
            List<TopicPartition> partitions = partitions(consumer);
            Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata done = committed.get(partition);
                long start = all || done == null ? beginning.get(partition) : done.offset();
                if (!all && done != null) {
                    counts[1] += done.offset() - beginning.get(partition);
                }
                consumer.seek(partition, start);
            }
            readToEnd(consumer, partitions, record -> {
                Optional<DeadLetter> letter = read(record);
                if (letter.isPresent()) {
                    String body = letter.get().rawBody();
                    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
                    counts[0]++;
                    log.info("dead letter redriven id={} sqsMessageId={} queue={}", letter.get().id(),
                            letter.get().sqsMessageId(), queueUrl);
                    each.accept(letter.get());
                } else {
                    counts[2]++;
                }
                consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1)));
            });
        }
        return new RedriveSummary(counts[0], counts[1], counts[2], queueUrl);
    }

    private KafkaConsumer<String, byte[]> consumer(String groupId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return kafka.newConsumer(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.INGEST_DLQ.name(), Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .collect(Collectors.toList());
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + Topics.INGEST_DLQ.name() + " does not exist");
        }
        consumer.assign(partitions);
        return partitions;
    }

    /** Reads until every partition reaches the end it had when the walk began: letters parked later wait. */
    private static void readToEnd(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions,
                                  Consumer<ConsumerRecord<String, byte[]>> handler) {
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < end.get(partition)) {
                    handler.accept(record);
                }
            }
        }
    }

    private static Optional<DeadLetter> read(ConsumerRecord<String, byte[]> record) {
        try {
            return Optional.of(Topics.INGEST_DLQ.values().decode(record.value()));
        } catch (RuntimeException e) {
            log.warn("unreadable record on {} partition={} offset={} error={}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    private static String reasonKind(String reason) {
        if (reason == null) {
            return "(none)";
        }
        int colon = reason.indexOf(':');
        String head = colon > 0 ? reason.substring(0, colon) : reason;
        return head.length() > 80 ? head.substring(0, 80) : head;
    }

    @Override
    public void close() {
        if (ownsSqs) {
            sqs.close();
        }
    }
}
