package dev.filetrail.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.streams.RealKafka;
import dev.filetrail.events.kafka.KafkaRole;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class TopicReplayTest {
    private static final Instant BASE = Instant.parse("2025-06-01T00:00:00Z");

    private static List<ConsumerRecord<String, String>> read(KafkaCluster kafka, String topic, int partitions) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = kafka.settings(KafkaRole.OPS).newConsumer(Map.of(),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                parts.add(new TopicPartition(topic, i));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void replaysTheWindowKeepingKeyValueHeadersTimestampAndPartition(KafkaCluster kafka) throws Exception {
        String source = RealKafka.unique("filetrail.replay-src");
        String target = RealKafka.unique("filetrail.replay-dst");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(kept(source), kept(target)))
                    .all().get();
            awaitPartitions(admin, source, 2);
            awaitPartitions(admin, target, 2);
        }
        try (KafkaProducer<String, String> producer = kafka.settings(KafkaRole.OPS).newProducer(Map.of(),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("h", ("header-" + i).getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(source, i % 2, BASE.plusSeconds(i).toEpochMilli(), "key-" + i,
                        "value-" + i, headers)).get(); // acknowledged before the replay looks, on a topic just made
            }
        }
        TopicReplay replay = new TopicReplay(kafka.settings(KafkaRole.OPS));
        TopicReplay.Summary dry = replay.replay(new TopicReplay.Request(source, BASE.plusSeconds(5),
                BASE.plusSeconds(14), target, true), x -> { });
        assertThat(dry.copied()).isEqualTo(10);
        assertThat(dry.targetExists()).isTrue();
        assertThat(dry.partitionsKept()).isTrue();
        assertThat(read(kafka, target, 2)).isEmpty();

        List<TopicReplay.Progress> progress = new ArrayList<>();
        TopicReplay.Summary summary = replay.replay(new TopicReplay.Request(source, BASE.plusSeconds(5),
                BASE.plusSeconds(14), target, false), progress::add);
        assertThat(summary.copied()).isEqualTo(10);
        assertThat(summary.partitionsKept()).isTrue();
        assertThat(progress).filteredOn(TopicReplay.Progress::partitionDone).hasSize(2);
        List<ConsumerRecord<String, String>> copied = read(kafka, target, 2);
        assertThat(copied).hasSize(10).allSatisfy(r -> {
            int i = Integer.parseInt(r.key().substring(4));
            assertThat(i).isBetween(5, 14);
            assertThat(r.value()).isEqualTo("value-" + i);
            assertThat(r.timestamp()).isEqualTo(BASE.plusSeconds(i).toEpochMilli());
            assertThat(r.partition()).isEqualTo(i % 2);
            assertThat(new String(r.headers().lastHeader("h").value(), StandardCharsets.UTF_8))
                    .isEqualTo("header-" + i);
        });

        assertThat(replay.replay(new TopicReplay.Request(source, BASE.plusSeconds(100), null, target, false),
                x -> { }).copied()).isZero();
    }

    @Test
    void aDryRunCountsWithoutTheTargetTopicButStillNeedsTheSource(KafkaCluster kafka) throws Exception {
        String source = RealKafka.unique("filetrail.replay-dry-src");
        String target = RealKafka.unique("filetrail.replay-dry-missing");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(kept(source))).all().get();
            awaitPartitions(admin, source, 2);
        }
        try (KafkaProducer<String, String> producer = kafka.settings(KafkaRole.OPS).newProducer(Map.of(),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 8; i++) {
                producer.send(new ProducerRecord<>(source, i % 2, BASE.plusSeconds(i).toEpochMilli(), "key-" + i,
                        "value-" + i)).get();
            }
        }
        TopicReplay replay = new TopicReplay(kafka.settings(KafkaRole.OPS));

        TopicReplay.Summary dry = replay.replay(new TopicReplay.Request(source, BASE.plusSeconds(2),
                BASE.plusSeconds(6), target, true), x -> { });
        assertThat(dry.scanned()).isEqualTo(6);
        assertThat(dry.copied()).isEqualTo(5);
        assertThat(dry.copiedByPartition()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 3L, 1, 2L));
        assertThat(dry.targetExists()).isFalse();
        assertThat(dry.partitionsKept()).isFalse();
        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).contains(source).doesNotContain(target);
        }

        assertThatThrownBy(() -> replay.replay(new TopicReplay.Request(source, BASE, null, target, false), x -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(target);
        String missingSource = RealKafka.unique("filetrail.replay-dry-nosrc");
        assertThatThrownBy(() -> replay.replay(new TopicReplay.Request(missingSource, BASE, null, target, true),
                x -> { })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missingSource);
    }

    /**
     * The records are stamped June 2025: with the broker's default 7-day retention, its next retention check
     * (every 5 minutes) would delete them mid-test. Filetrail's own topics keep everything (TopicSetup); so do these.
     */
    private static NewTopic kept(String name) {
        return new NewTopic(name, 2, (short) 1).configs(Map.of("retention.ms", "-1"));
    }

    /**
     * A topic created a moment ago can show the broker's metadata cache fewer partitions than it has, until the
     * creation is fully applied; replaying long-lived topics never meets that, these tests would.
     */
    private static void awaitPartitions(Admin admin, String topic, int partitions) throws Exception {
        for (int i = 0; i < 200; i++) {
            try {
                if (admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                        .filter(p -> p.leader() != null && !p.leader().isEmpty()).count() == partitions) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                // not known to this broker yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError(topic + " never showed " + partitions + " led partitions");
    }

    @Test
    void refusesToReplayATopicIntoItself() {
        assertThatThrownBy(() -> new TopicReplay.Request("t", BASE, null, "t", false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
