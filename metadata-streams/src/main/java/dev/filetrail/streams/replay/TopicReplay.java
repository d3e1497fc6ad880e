package dev.filetrail.streams.replay;

import dev.filetrail.events.kafka.KafkaClientSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-emits the records of one topic whose timestamps fall in a window into another topic, keeping key, value,
 * headers and timestamp (and the partition, when both topics have the same partition count).
 * {@code filetrail replay --topic T --from TIME [--to TIME] --into T2 [--dry-run]}.
 */
public final class TopicReplay {
    private static final Logger log = LoggerFactory.getLogger(TopicReplay.class);

    /** What to replay: records of {@code sourceTopic} with from <= timestamp <= to (to null: up to now). */
    public record Request(String sourceTopic, Instant from, Instant to, String targetTopic, boolean dryRun) {
        public Request {
            Objects.requireNonNull(sourceTopic, "sourceTopic");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(targetTopic, "targetTopic");
            if (sourceTopic.equals(targetTopic)) {
                throw new IllegalArgumentException("replaying " + sourceTopic + " into itself would duplicate it");
            }
            if (to != null && to.isBefore(from)) {
                throw new IllegalArgumentException("--to " + to + " is before --from " + from);
            }
        }
    }

    /** Reported as partitions are read: records scanned and copied so far in one partition. */
    public record Progress(String sourceTopic, int partition, long scanned, long copied, boolean partitionDone) {
    }

    /**
     * What a replay did (or, dry-run, would do). {@code targetExists} is false only in a dry run whose target topic
     * does not exist yet (a real run refuses that); {@code partitionsKept} is then false too.
     */
    public record Summary(String sourceTopic, String targetTopic, Instant from, Instant to, boolean dryRun,
                          long scanned, long copied, Map<Integer, Long> copiedByPartition, boolean partitionsKept,
                          Duration elapsed, boolean targetExists) {
    }

    private final KafkaClientSettings kafka;

    /** @param kafka a login that may read the source and write the target (the ops role) */
    public TopicReplay(KafkaClientSettings kafka) {
        this.kafka = kafka;
    }

    public Summary replay(Request request, Consumer<Progress> progress) {
        long started = System.nanoTime();
        OptionalInt targetPartitions;
        int sourcePartitions;
        try (Admin admin = kafka.newAdmin()) {
            sourcePartitions = partitions(admin, request.sourceTopic());
            // A dry run only reads the source, so it may be planned before the target is created.
            targetPartitions = request.dryRun() ? partitionsIfExists(admin, request.targetTopic())
                    : OptionalInt.of(partitions(admin, request.targetTopic()));
        }
        if (targetPartitions.isEmpty()) {
            log.warn("replay dry run: target does not exist source={} target={} (a real run needs it created)",
                    request.sourceTopic(), request.targetTopic());
        }
        boolean keepPartitions = targetPartitions.isPresent() && sourcePartitions == targetPartitions.getAsInt();
        long fromMs = request.from().toEpochMilli();
        long toMs = request.to() == null ? Long.MAX_VALUE : request.to().toEpochMilli();
        Map<Integer, Long> copiedByPartition = new TreeMap<>();
        long scanned = 0;
        long copied = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.newConsumer(consumerProps(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = request.dryRun() ? null
                     : kafka.newProducer(producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < sourcePartitions; p++) {
                all.add(new TopicPartition(request.sourceTopic(), p));
            }
            Map<TopicPartition, Long> query = new HashMap<>();
            all.forEach(tp -> query.put(tp, fromMs));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
            // The end is fixed when the replay starts, so a busy topic cannot keep it running forever.
            Map<TopicPartition, Long> ends = consumer.endOffsets(all);
            for (TopicPartition tp : all) {
                OffsetAndTimestamp start = starts.get(tp);
                long end = ends.get(tp);
                if (start == null || start.offset() >= end) {
                    progress.accept(new Progress(request.sourceTopic(), tp.partition(), 0, 0, true));
                    continue;
                }
                consumer.assign(List.of(tp));
                consumer.seek(tp, start.offset());
                long partScanned = 0;
                long partCopied = 0;
                while (consumer.position(tp) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.offset() >= end) {
                            break;
                        }
                        partScanned++;
                        // Timestamps need not rise with offsets, so the window is checked per record.
                        if (r.timestamp() < fromMs || r.timestamp() > toMs) {
                            continue;
                        }
                        partCopied++;
                        if (producer != null) {
                            producer.send(new ProducerRecord<>(request.targetTopic(),
                                    keepPartitions ? r.partition() : null, r.timestamp(), r.key(), r.value(),
                                    r.headers()));
                        }
                        if (partCopied % 10_000 == 0) {
                            progress.accept(new Progress(request.sourceTopic(), tp.partition(), partScanned,
                                    partCopied, false));
                        }
                    }
                }
                scanned += partScanned;
                copied += partCopied;
                copiedByPartition.put(tp.partition(), partCopied);
                progress.accept(new Progress(request.sourceTopic(), tp.partition(), partScanned, partCopied, true));
            }
            if (producer != null) {
                producer.flush();
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        log.info("replay done source={} target={} from={} to={} dryRun={} scanned={} copied={}",
                request.sourceTopic(), request.targetTopic(), request.from(), request.to(), request.dryRun(), scanned,
                copied);
        return new Summary(request.sourceTopic(), request.targetTopic(), request.from(), request.to(),
                request.dryRun(), scanned, copied, copiedByPartition, keepPartitions, elapsed,
                targetPartitions.isPresent());
    }

    private static int partitions(Admin admin, String topic) {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic);
            return d.partitions().size();
        } catch (Exception e) {
            throw new IllegalArgumentException("topic " + topic + " cannot be described: " + e.getMessage(), e);
        }
    }

    /** The topic's partition count, or empty when it does not exist; any other failure is an error. */
    private static OptionalInt partitionsIfExists(Admin admin, String topic) {
        try {
            return OptionalInt.of(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return OptionalInt.empty();
            }
            throw new IllegalArgumentException("topic " + topic + " cannot be described: " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalArgumentException("topic " + topic + " cannot be described: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> consumerProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Outputs of exactly-once producers: an aborted record was never a fact.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private Map<String, Object> producerProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        return p;
    }
}
