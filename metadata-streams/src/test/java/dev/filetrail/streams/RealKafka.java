package dev.filetrail.streams;

import dev.filetrail.events.Codec;
import dev.filetrail.events.CodecSerde;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.streams.replay.StreamsRebuild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Helpers for tests against the shared real broker: configs, producing, reading back, waiting. The service runs as
 * the streams role; what a test produces and reads back goes through the ops role, as an operator's tool would.
 */
public final class RealKafka {
    /** Partitions of the shared topics (created by the shared cluster) and of each test's output topics. */
    public static final int PARTITIONS = KafkaCluster.TEST_PARTITIONS;

    private RealKafka() {
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An application id of its own under the streams role's prefix (the only ids that role may run). */
    public static String applicationId(String name) {
        return unique(KafkaRole.STREAMS_APPLICATION_PREFIX + "-" + name);
    }

    /**
     * A service config for a test, logged in as the streams role: its own application id, state dir and output
     * topics (created here by the ops role, as the operator would); metrics on a free port.
     */
    public static MetadataStreamsConfig config(KafkaCluster kafka, String applicationId, Path stateDir) {
        MetadataStreamsConfig config = MetadataStreamsConfig.local(kafka.settings(KafkaRole.STREAMS))
                .withApplicationId(applicationId)
                .withStateDir(stateDir)
                .withPartitions(PARTITIONS)
                .withMetricsPort(0)
                .withOutputTopicSuffix("." + applicationId);
        try (Admin admin = kafka.admin()) {
            StreamsRebuild.createOutputTopics(admin, config);
        }
        return config;
    }

    /** Produces the scenario's deliveries in order, with rising timestamps so streams merge the inputs in order. */
    public static void produce(KafkaCluster kafka, List<Scenario.Delivery> deliveries) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.OPS).newProducer(p,
                new StringSerializer(), new ByteArraySerializer())) {
            long ts = System.currentTimeMillis();
            for (Scenario.Delivery d : deliveries) {
                producer.send(new ProducerRecord<>(d.topic(), null, ++ts, d.key(), d.value()));
            }
            producer.flush();
        }
    }

    /** Every committed record of a topic, read from the beginning to the end offsets as of now. */
    public static <T> List<ConsumerRecord<String, T>> readAll(KafkaCluster kafka, String topic, Class<T> type) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = kafka.settings(KafkaRole.OPS).newConsumer(p,
                new StringDeserializer(), new CodecSerde<>(Codec.json(type)).deserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Waits until the application has committed every input record (consumer lag 0). */
    public static void awaitCaughtUp(KafkaCluster kafka, String applicationId, Duration timeout) {
        try (Admin admin = kafka.admin()) {
            await(timeout, () -> StreamsRebuild.lag(admin, applicationId, StreamsRebuild.INPUTS) == 0,
                    applicationId + " did not catch up");
        }
    }

    /** Polls a condition every 100 ms until it holds or the timeout passes. */
    public static void await(Duration timeout, BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " within " + timeout);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
