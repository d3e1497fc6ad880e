package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.MigratedDatabase;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.contracts.ContractCheck;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.schema.ContractSchemas;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The batch path: many polls of many partitions written as one transaction, a bad record in the middle of such a
 * batch isolated without losing or parking a good one, and a projector that dies between batches resumed by another
 * from the offsets stored with the rows, with nothing applied twice and nothing skipped.
 */
@ExtendWith(RealParts.class)
class ProjectorBatchTest {
    /** More records than one poll returns, so that a batch has to span polls. */
    private static final int RECORDS = 12_000;

    @Test
    void aBadRecordInTheMiddleOfABatchIsParkedAndEveryOtherRecordApplied(KafkaCluster kafka, PostgresServer postgres)
            throws Exception {
        String bucket = "batch-" + Long.toHexString(System.nanoTime());
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "batch");
             KafkaProducer<String, byte[]> producer = producer(kafka)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                sent.add(producer.send(head(bucket, "k/" + i, 1, Instant.parse("2025-01-01T00:00:00Z"))));
            }
            // In the middle: one PostgreSQL refuses (a timestamp beyond timestamptz) and one nobody can read.
            ProducerRecord<String, byte[]> late = head(bucket, "k/too-late", 1, Instant.parse("+200000-01-01T00:00:00Z"));
            late.headers().add(ContractCheck.DELIBERATELY_INVALID, "poison".getBytes(StandardCharsets.UTF_8));
            Future<RecordMetadata> tooLate = producer.send(late);
            ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(Topics.FILES.name(), bucket + "/k/garbage",
                    "{not json".getBytes(StandardCharsets.UTF_8));
            garbage.headers().add(ContractCheck.DELIBERATELY_INVALID, "poison".getBytes(StandardCharsets.UTF_8));
            Future<RecordMetadata> unreadable = producer.send(garbage);
            for (int i = RECORDS; i < 2 * RECORDS; i++) {
                sent.add(producer.send(head(bucket, "k/" + i, 1, Instant.parse("2025-01-01T00:00:00Z"))));
            }
            producer.flush();
            List<RecordMetadata> bad = List.of(tooLate.get(), unreadable.get());

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API),
                    KafkaRole.PROJECTOR_GROUP_PREFIX + "-batch-" + bucket, "filetrail", registry,
                    ProjectionListener.NONE)) {
                projector.start();
                ApiFixture.await("every good row and both rejects", () -> ProjectorTest.count(db,
                        "SELECT count(*) FROM files WHERE bucket = ?", bucket) == 2L * RECORDS
                        && ProjectorPoisonTest.rejectsAt(db.dataSource(), bad) == 2);
                assertThat((String) ProjectorPoisonTest.reject(db, tooLate.get()).get("reason")).contains("22008");
                assertThat((String) ProjectorPoisonTest.reject(db, unreadable.get()).get("reason"))
                        .contains("not a valid FileHead");
                assertThat(ProjectorTest.count(db, "SELECT count(*) FROM files WHERE bucket = ? AND key LIKE 'k/too%'",
                        bucket)).isZero();
                // No good record was parked on the way to the bad ones.
                assertThat(ProjectorTest.count(db, "SELECT count(*) FROM projection_rejects WHERE starts_with(record_key, ?)",
                        bucket + "/")).isEqualTo(2);
                // The records were all on the broker before the projector started: batches gathered several polls.
                assertThat(registry.get("filetrail_projector_batch_records").summary().max())
                        .isGreaterThan(5000.0);
            }
            assertThat(sent).allMatch(Future::isDone);
        }
    }

    @Test
    void aProjectorThatDiesBetweenBatchesIsResumedWithoutRepeatsOrGaps(KafkaCluster kafka, PostgresServer postgres)
            throws Exception {
        String bucket = "resume-" + Long.toHexString(System.nanoTime());
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "resume");
             KafkaProducer<String, byte[]> producer = producer(kafka)) {
            int keys = 3_000;
            for (int i = 0; i < keys; i++) {
                producer.send(head(bucket, "k/" + i, 1, Instant.parse("2025-01-01T00:00:00Z")));
                producer.send(audit(bucket, "k/" + i, "first-" + i));
            }
            producer.flush();
            SimpleMeterRegistry first = new SimpleMeterRegistry();
            try (Admin admin = kafka.admin()) {
                Map<TopicPartition, Long> firstRound = ends(admin);
                try (Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API),
                        KafkaRole.PROJECTOR_GROUP_PREFIX + "-dies-" + bucket, "filetrail", first,
                        ProjectionListener.NONE)) {
                    projector.start();
                    ApiFixture.await("the first round", () -> firstRound.entrySet().stream().allMatch(e ->
                            projector.committedOffsets().getOrDefault(e.getKey(), 0L) >= e.getValue()));
                }
                for (int i = 0; i < keys; i++) {
                    producer.send(head(bucket, "k/" + i, 2, Instant.parse("2025-01-02T00:00:00Z")));
                    producer.send(audit(bucket, "k/" + i, "second-" + i));
                }
                producer.flush();
                Map<TopicPartition, Long> secondRound = ends(admin);
                long produced = secondRound.entrySet().stream()
                        .mapToLong(e -> e.getValue() - firstRound.getOrDefault(e.getKey(), 0L)).sum();
                assertThat(produced).isGreaterThanOrEqualTo(2L * keys);

                // Another group: whatever the first committed to Kafka is unknown to it, as after a crash between
                // the PostgreSQL commit and the group commit; the offsets stored with the rows are all it resumes from.
                SimpleMeterRegistry second = new SimpleMeterRegistry();
                try (Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API),
                        KafkaRole.PROJECTOR_GROUP_PREFIX + "-resumes-" + bucket, "filetrail", second,
                        ProjectionListener.NONE)) {
                    projector.start();
                    ApiFixture.await("the second round", () -> secondRound.entrySet().stream().allMatch(e ->
                            projector.committedOffsets().getOrDefault(e.getKey(), 0L) >= e.getValue()));
                    assertThat(ProjectorTest.count(db,
                            "SELECT count(*) FROM files WHERE bucket = ? AND version_count = 2", bucket)).isEqualTo(keys);
                    assertThat(ProjectorTest.count(db, "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket))
                            .isEqualTo(2L * keys);
                    // Exactly the records produced since the first projector's last batch: none again, none left out.
                    assertThat(applied(second)).isEqualTo((double) produced);
                    assertThat(registry(second, "skipped")).isZero();
                }
            }
            assertThat(ProjectorTest.count(db, "SELECT count(*) FROM files WHERE bucket = ?", bucket)).isEqualTo(keys);
        }
    }

    private static double applied(SimpleMeterRegistry registry) {
        return registry(registry, "applied");
    }

    private static double registry(SimpleMeterRegistry registry, String outcome) {
        return registry.get("filetrail_projector_records").tag("outcome", outcome).counter().count();
    }

    /** End offsets of the projected topics' partitions that hold records. */
    private static Map<TopicPartition, Long> ends(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var topic : admin.describeTopics(Projector.TOPICS).allTopicNames().get().values()) {
            topic.partitions().forEach(p -> latest.put(new TopicPartition(topic.name(), p.partition()),
                    OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((p, info) -> {
            if (info.offset() > 0) {
                ends.put(p, info.offset());
            }
        });
        return ends;
    }

    /** The streams role's producer, as metadata-streams writes; batched, so thousands of records take a second. */
    private static KafkaProducer<String, byte[]> producer(KafkaCluster kafka) {
        return kafka.settings(KafkaRole.STREAMS).newProducer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<String, byte[]> head(String bucket, String key, long versions, Instant at) {
        FileHead head = new FileHead(bucket, key, false, "v" + versions, versions, 0, 10L, "\"e\"", "text/plain",
                "STANDARD", at, "v" + versions);
        return new ProducerRecord<>(Topics.FILES.name(), Topics.objectKey(bucket, key), Topics.FILES.values().encode(head));
    }

    private static ProducerRecord<String, byte[]> audit(String bucket, String key, String id) {
        var data = Json.MAPPER.createObjectNode().put("bucket", bucket).put("key", key).put("versionId", "v-" + id);
        CloudEvent event = new CloudEvent(CloudEvent.SPEC_VERSION, bucket + "-" + id, "/filetrail/metadata-streams",
                AuditTypes.VERSION_CREATED, Topics.objectKey(bucket, key), Instant.parse("2025-01-01T00:00:00Z"),
                CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(AuditTypes.VERSION_CREATED), data);
        return new ProducerRecord<>(Topics.AUDIT.name(), Topics.objectKey(bucket, key), Topics.AUDIT.values().encode(event));
    }
}
