package dev.filetrail.journal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.JournalSamples;
import dev.filetrail.journal.read.JournalReader;
import dev.filetrail.journal.table.JournalTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bad record end to end through Connect's error handling: a second instance of the journal connector (same
 * configuration and transformation, its own name, topics and namespace, so no bad record lands on a shared topic)
 * gets a good event, one that does not decode, and another good one. The bad one reaches
 * {@code filetrail.journal-dlq.v1} whole, with the reason in Connect's headers, and the journal goes on.
 */
@ExtendWith(RealParts.class)
class JournalDeadLetterTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void aBadRecordReachesTheDeadLetterTopicWholeWithItsReasonAndTheJournalGoesOn(KafkaCluster kafka,
            PostgresServer postgres, EmbeddedS3 s3) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        SinkConnector.Sources sources = new SinkConnector.Sources(KafkaRole.JOURNAL_TOPIC_PREFIX + "drill-" + run + ".events",
                KafkaRole.JOURNAL_TOPIC_PREFIX + "drill-" + run + ".audit",
                KafkaRole.JOURNAL_TOPIC_PREFIX + "drill-" + run + ".files",
                KafkaRole.JOURNAL_TOPIC_PREFIX + "drill-" + run + ".results",
                KafkaRole.JOURNAL_TOPIC_PREFIX + "drill-" + run + ".shares");
        try (var client = s3.client()) {
            if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(JournalConfig.LOCAL_WAREHOUSE_BUCKET))) {
                client.createBucket(b -> b.bucket(JournalConfig.LOCAL_WAREHOUSE_BUCKET));
            }
        }
        Map<String, String> env = new HashMap<>();
        env.put("JOURNAL_CATALOG_URL", postgres.createDatabase("journal_dlq_" + run));
        env.put("JOURNAL_NAMESPACE", "drill_" + run);
        env.put("S3_ENDPOINT", s3.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        env.put("JOURNAL_COMMIT_INTERVAL_MS", "1000");
        JournalConfig config = JournalConfig.fromEnvironment(env);
        try (Admin admin = kafka.admin()) {
            JournalSink.createTopics(admin, (short) 1);
            admin.createTopics(sources.topics().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        }
        long dlqStart = endOffset(kafka, KafkaRole.JOURNAL_DLQ_TOPIC);

        List<ObjectEvent> good = JournalSamples.events("dlq-" + run, 2, 5);
        byte[] bad = ("{\"eventId\": \"broken-" + run + "\", \"size\": \"twelve\"").getBytes(StandardCharsets.UTF_8);
        try (JournalSink sink = JournalSink.start(SinkConnector.NAME + "-drill-" + run, sources, config,
                kafka.settings(KafkaRole.JOURNAL), 1);
             KafkaProducer<byte[], byte[]> producer = kafka.settings(KafkaRole.OPS).newProducer(Map.of(),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(sources.journal(), good.get(0).recordKey().getBytes(StandardCharsets.UTF_8),
                    ObjectEventWriter.write(good.get(0))));
            ProducerRecord<byte[], byte[]> poison = new ProducerRecord<>(sources.journal(),
                    ("poison/" + run).getBytes(StandardCharsets.UTF_8), bad);
            poison.headers().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
            producer.send(poison);
            producer.send(new ProducerRecord<>(sources.journal(), good.get(1).recordKey().getBytes(StandardCharsets.UTF_8),
                    ObjectEventWriter.write(good.get(1))));
            producer.flush();

            // the journal goes on: both good events are rows, at their offsets around the bad one
            JournalReader reader = new JournalReader(config);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (reader.rowCount() < 2) {
                assertThat(System.nanoTime()).as("journal rows; %s", sink.describe()).isLessThan(deadline);
                Thread.sleep(200);
            }
            List<JournalTable.Row> rows = reader.read(null, null);
            assertThat(rows).extracting(r -> r.event().eventId())
                    .containsExactlyInAnyOrder(good.get(0).eventId(), good.get(1).eventId());
            assertThat(rows).extracting(r -> r.position().offset()).containsExactlyInAnyOrder(0L, 2L);
            assertThat(sink.describe()).doesNotContain("FAILED");
        }

        ConsumerRecord<byte[], byte[]> letter = deadLetterOf(kafka, sources.journal(), dlqStart);
        assertThat(letter.value()).isEqualTo(bad);
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("poison/" + run);
        assertThat(header(letter, "trace")).isEqualTo("t-1");
        assertThat(header(letter, "__connect.errors.topic")).isEqualTo(sources.journal());
        assertThat(header(letter, "__connect.errors.partition")).isEqualTo("0");
        assertThat(header(letter, "__connect.errors.offset")).isEqualTo("1");
        assertThat(header(letter, "__connect.errors.stage")).isEqualTo("TRANSFORMATION");
        assertThat(header(letter, "__connect.errors.class.name")).isEqualTo(JournalRows.class.getName());
        assertThat(header(letter, "__connect.errors.exception.message"))
                .contains("not an ObjectEvent at " + sources.journal() + "/0@1");
    }

    private static long endOffset(KafkaCluster kafka, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            return admin.listOffsets(Map.of(new TopicPartition(topic, 0),
                    org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
                    .values().iterator().next().offset();
        }
    }

    /** The dead letter Connect wrote for a record of {@code topic}, read as the ops role. */
    private static ConsumerRecord<byte[], byte[]> deadLetterOf(KafkaCluster kafka, String topic, long from) {
        TopicPartition dlq = new TopicPartition(KafkaRole.JOURNAL_DLQ_TOPIC, 0);
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.settings(KafkaRole.OPS).newConsumer(
                Map.of("enable.auto.commit", "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(dlq));
            consumer.seek(dlq, from);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r);
                    if (topic.equals(header(r, "__connect.errors.topic"))) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no dead letter for " + topic + " in " + KafkaRole.JOURNAL_DLQ_TOPIC + "; saw "
                + seen.size() + " other record(s)");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

}
