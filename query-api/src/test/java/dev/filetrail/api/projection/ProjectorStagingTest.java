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
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.schema.ContractSchemas;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * The staged write (COPY into a session staging table, one merge per table) at its edges: a batch gathered from
 * several polls of several partitions and topics with bad records in the middle, a transaction killed for real
 * between staging and merge, and many records of one row in one batch.
 */
@ExtendWith(RealParts.class)
class ProjectorStagingTest {
    private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");

    @Test
    void aBatchOfManyPollsPartitionsAndTopicsParksItsBadRecordsAndAppliesEveryOtherOnce(KafkaCluster kafka,
            PostgresServer postgres) throws Exception {
        String bucket = "stage-" + Long.toHexString(System.nanoTime());
        // Three records per key on three topics, more than one poll returns (5,000).
        int keys = 2_500;
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "staging_batch");
             KafkaProducer<String, byte[]> producer = producer(kafka)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < keys / 2; i++) {
                sent.addAll(sendFile(producer, bucket, "k/" + i, i));
            }
            // A version whose id is too long for the history index: PostgreSQL refuses it at the merge (54000).
            ProducerRecord<String, byte[]> tooLong = versionRecord(change(ChangeType.VERSION_CREATED,
                    version(bucket, "bad/long", ProjectorPoisonTest.randomText(3000), 1, 10L), 1));
            tooLong.headers().add(ContractCheck.DELIBERATELY_INVALID, "poison".getBytes(StandardCharsets.UTF_8));
            Future<RecordMetadata> tooLongAt = producer.send(tooLong);
            // A head with U+0000 in its eTag: refused before it is sent (22021).
            FileHead nul = new FileHead(bucket, "bad/nul", false, "v1", 1, 0, 10L, "\"a\u0000b\"", "text/plain",
                    "STANDARD", T0, "v1");
            ProducerRecord<String, byte[]> nulRecord = new ProducerRecord<>(Topics.FILES.name(),
                    Topics.objectKey(bucket, "bad/nul"), Topics.FILES.values().encode(nul));
            nulRecord.headers().add(ContractCheck.DELIBERATELY_INVALID, "poison".getBytes(StandardCharsets.UTF_8));
            Future<RecordMetadata> nulAt = producer.send(nulRecord);
            for (int i = keys / 2; i < keys; i++) {
                sent.addAll(sendFile(producer, bucket, "k/" + i, i));
            }
            producer.flush();
            List<RecordMetadata> bad = List.of(tooLongAt.get(), nulAt.get());

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API),
                    KafkaRole.PROJECTOR_GROUP_PREFIX + "-staging-" + bucket, "filetrail", registry,
                    ProjectionListener.NONE)) {
                projector.start();
                ApiFixture.await("every good row and both rejects", () -> count(db,
                        "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket) == keys
                        && count(db, "SELECT count(*) FROM files WHERE bucket = ?", bucket) == keys
                        && ProjectorPoisonTest.rejectsAt(db.dataSource(), bad) == 2);
                assertThat(count(db, "SELECT count(*) FROM file_versions WHERE bucket = ?", bucket)).isEqualTo(keys);
                assertThat(count(db, "SELECT count(*) FROM changes WHERE bucket = ?", bucket)).isEqualTo(keys);
                assertThat((String) ProjectorPoisonTest.reject(db, tooLongAt.get()).get("reason")).contains("54000");
                assertThat((String) ProjectorPoisonTest.reject(db, nulAt.get()).get("reason")).contains("22021");
                assertThat(count(db, "SELECT count(*) FROM projection_rejects WHERE starts_with(record_key, ?)",
                        bucket + "/")).isEqualTo(2);
                assertThat(count(db, "SELECT count(*) FROM files WHERE bucket = ? AND key LIKE 'bad/%'", bucket))
                        .isZero();
                // Each good row holds its own record's values: nothing shifted between rows of one COPY.
                assertThat(count(db, "SELECT count(*) FROM file_versions WHERE bucket = ? AND version_id = 'v-' || "
                        + "substr(key, 3) AND size = 1000 + substr(key, 3)::bigint", bucket)).isEqualTo(keys);
                assertThat(count(db, "SELECT count(*) FROM changes c JOIN file_versions v USING (bucket, key, "
                        + "version_id) WHERE c.bucket = ? AND (c.version->>'size')::bigint = v.size", bucket))
                        .isEqualTo(keys);
                // The topics are shared with other tests: what this projector read holds their records too. Every
                // record it read up to the stored offsets was applied or parked once, and a batch gathered polls.
                awaitAccounted(db, registry, sent);
                assertThat(counter(registry, "skipped")).isZero();
                assertThat(registry.get("filetrail_projector_batch_records").summary().max()).isGreaterThan(5000.0);
            }
        }
    }

    @Test
    void aTransactionKilledBetweenStagingAndMergeLeavesNothingAndItsRetryAppliesEverythingOnce(KafkaCluster kafka,
            PostgresServer postgres) throws Exception {
        String bucket = "killed-" + Long.toHexString(System.nanoTime());
        int keys = 500;
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "staging_killed");
             KafkaProducer<String, byte[]> producer = producer(kafka);
             Connection blocker = db.dataSource().getConnection();
             Connection observer = db.dataSource().getConnection()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                sent.addAll(sendFile(producer, bucket, "k/" + i, i));
            }
            producer.flush();
            // Holds the heads' merge: the batch's transaction has staged and merged the versions and the changes,
            // staged the heads, and waits at "INSERT INTO files … SELECT … FROM <staging>".
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE files IN SHARE MODE");
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API),
                    KafkaRole.PROJECTOR_GROUP_PREFIX + "-killed-" + bucket, "filetrail", registry,
                    ProjectionListener.NONE)) {
                projector.start();
                try {
                    AtomicInteger first = new AtomicInteger();
                    ApiFixture.await("the batch waiting at the heads' merge", () -> {
                        first.set(waitingMerge(observer));
                        return first.get() != 0;
                    });
                    Map<String, Long> before = visible(observer, bucket);
                    try (Statement s = observer.createStatement()) {
                        s.execute("SELECT pg_terminate_backend(" + first.get() + ")");
                    }
                    // The retry, on a new connection, stages everything again and waits at the same place.
                    AtomicInteger second = new AtomicInteger();
                    ApiFixture.await("the retried batch waiting at the heads' merge", () -> {
                        second.set(waitingMerge(observer));
                        return second.get() != 0 && second.get() != first.get();
                    });
                    // The killed transaction left nothing behind: the same rows and offsets as before it died.
                    assertThat(visible(observer, bucket)).isEqualTo(before);
                    assertThat(before.get("files")).isLessThan(keys);
                    assertThat(projector.retryReason()).contains("57P01");
                    blocker.commit();

                    ApiFixture.await("the retried batch committed", () -> count(db,
                            "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket) == keys
                            && count(db, "SELECT count(*) FROM files WHERE bucket = ?", bucket) == keys);
                    assertThat(count(db, "SELECT count(*) FROM file_versions WHERE bucket = ?", bucket)).isEqualTo(keys);
                    assertThat(count(db, "SELECT count(*) FROM changes WHERE bucket = ?", bucket)).isEqualTo(keys);
                    // Exactly once: every record below the stored offsets counted once as applied or parked; the
                    // killed attempt counted nothing. (Its retry may skip records: when other tests' poison in the
                    // shared topics had the batch bisected, the halves committed before the kill are skipped.)
                    awaitAccounted(db, registry, sent);
                    assertThat(projector.retrying()).isZero();
                } finally {
                    // Released before the projector closes: its loop may still be waiting behind the lock.
                    blocker.rollback();
                }
            }
        }
    }

    @Test
    void manyRecordsOfOneRowInOneBatchEndAsTheLastInS3sOrder(KafkaCluster kafka, PostgresServer postgres)
            throws Exception {
        String bucket = "dups-" + Long.toHexString(System.nanoTime());
        String fv = Topics.FILE_VERSIONS.name();
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "staging_dups")) {
            List<TopicPartition> committed = new ArrayList<>();
            ProjectionWriter writer = new ProjectionWriter(db.dataSource(), "filetrail", new SimpleMeterRegistry(),
                    ProjectionListener.NONE, offsets -> committed.addAll(offsets.keySet()));
            // A version marked removed before this batch, by a removal that carries no version: only marked.
            FileVersion kept = version(bucket, "kept.txt", "v-kept", 1, 7L);
            writer.writeOrBisect(List.of(record(fv, 0, change(ChangeType.VERSION_CREATED, kept, 1))));

            // One batch, in S3's order on one partition: "null" created, its storage class changed, removed, created
            // again (S3 reuses the "null" version id), its storage class changed again; a version created then
            // removed; the file's head three times; the kept version removed without its version in the record.
            FileVersion first = version(bucket, "doc.txt", "null", 2, 100L);
            FileVersion glacier = first.withStorageClass("GLACIER");
            FileVersion again = version(bucket, "doc.txt", "null", 5, 300L);
            FileVersion gone = version(bucket, "doc.txt", "v-gone", 3, 50L);
            List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
            batch.add(record(fv, 1, change(ChangeType.VERSION_CREATED, first, 2)));
            batch.add(record(fv, 2, change(ChangeType.VERSION_CREATED, gone, 3)));
            batch.add(record(fv, 3, change(ChangeType.STORAGE_CLASS_CHANGED, glacier, 4)));
            batch.add(record(fv, 4, removal(gone, 5)));
            batch.add(record(fv, 5, removal(glacier, 6)));
            batch.add(record(fv, 6, change(ChangeType.VERSION_CREATED, again, 7)));
            batch.add(record(fv, 7, change(ChangeType.STORAGE_CLASS_CHANGED, again.withStorageClass("STANDARD_IA"), 8)));
            batch.add(record(fv, 8, new FileVersionChange("c-kept", ChangeType.VERSION_REMOVED, bucket, "kept.txt",
                    "v-kept", null, null, null, T0.plusSeconds(9), FileVersionChange.LIFECYCLE_EXPIRATION)));
            for (int versions = 1; versions <= 3; versions++) {
                batch.add(record(Topics.FILES.name(), 10 + versions, head(bucket, "doc.txt", versions)));
            }
            writer.writeOrBisect(batch);

            try (Connection c = db.dataSource().getConnection()) {
                Map<String, Object> doc = row(c, "SELECT size, storage_class, removed_at, ordering FROM file_versions "
                        + "WHERE bucket = ? AND key = 'doc.txt' AND version_id = 'null'", bucket);
                assertThat(doc.get("size")).isEqualTo(300L);
                assertThat(doc.get("storage_class")).isEqualTo("STANDARD_IA");
                assertThat(doc.get("removed_at")).isNull();
                Map<String, Object> removed = row(c, "SELECT size, removed_reason FROM file_versions "
                        + "WHERE bucket = ? AND key = 'doc.txt' AND version_id = 'v-gone'", bucket);
                assertThat(removed.get("size")).isEqualTo(50L);
                assertThat(removed.get("removed_reason")).isEqualTo(FileVersionChange.DELETED);
                Map<String, Object> marked = row(c, "SELECT size, removed_reason FROM file_versions "
                        + "WHERE bucket = ? AND key = 'kept.txt'", bucket);
                assertThat(marked.get("size")).isEqualTo(7L);
                assertThat(marked.get("removed_reason")).isEqualTo(FileVersionChange.LIFECYCLE_EXPIRATION);
                assertThat(row(c, "SELECT version_count FROM files WHERE bucket = ? AND key = 'doc.txt'", bucket)
                        .get("version_count")).isEqualTo(3L);
                // The change feed keeps every record, in offset order.
                List<String> feed = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement("SELECT record_offset, change, version_id FROM changes "
                        + "WHERE bucket = ? ORDER BY topic_partition, record_offset")) {
                    s.setString(1, bucket);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            feed.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
                        }
                    }
                }
                assertThat(feed).containsExactly("0 VERSION_CREATED v-kept", "1 VERSION_CREATED null",
                        "2 VERSION_CREATED v-gone", "3 STORAGE_CLASS_CHANGED null", "4 VERSION_REMOVED v-gone",
                        "5 VERSION_REMOVED null", "6 VERSION_CREATED null", "7 STORAGE_CLASS_CHANGED null",
                        "8 VERSION_REMOVED v-kept");
            }
            assertThat(Projector.readOffsets(db.dataSource())).containsEntry(new TopicPartition(fv, 0), 9L)
                    .containsEntry(new TopicPartition(Topics.FILES.name(), 0), 14L);
        }
    }

    /** The backend waiting for a lock at the heads' merge in this database, 0 when none. */
    private static int waitingMerge(Connection observer) {
        try (Statement s = observer.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO files %'""")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What another session sees: the bucket's rows per table and the sum of the stored offsets. */
    private static Map<String, Long> visible(Connection observer, String bucket) throws Exception {
        Map<String, Long> seen = new HashMap<>();
        for (String table : List.of("file_versions", "changes", "files", "audit_events")) {
            try (PreparedStatement s = observer.prepareStatement("SELECT count(*) FROM " + table + " WHERE bucket = ?")) {
                s.setString(1, bucket);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    seen.put(table, rs.getLong(1));
                }
            }
        }
        try (Statement s = observer.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(sum(next_offset), 0) FROM projection_offsets")) {
            rs.next();
            seen.put("offsets", rs.getLong(1));
        }
        return seen;
    }

    /**
     * Waits until the stored offsets are past every record sent, and the records below them (from offset 0, this
     * database's projector read them all) are each counted once, as applied or as parked.
     */
    private static void awaitAccounted(ReadModelDatabase db, SimpleMeterRegistry registry,
                                       List<Future<RecordMetadata>> sent) throws Exception {
        Map<TopicPartition, Long> last = new HashMap<>();
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata m = f.get();
            last.merge(new TopicPartition(m.topic(), m.partition()), m.offset(), Math::max);
        }
        ApiFixture.await("every record read counted once", () -> {
            Map<TopicPartition, Long> stored = Projector.readOffsets(db.dataSource());
            boolean past = last.entrySet().stream().allMatch(e -> stored.getOrDefault(e.getKey(), 0L) > e.getValue());
            long read = stored.values().stream().mapToLong(Long::longValue).sum();
            return past && counter(registry, "applied") + counter(registry, "rejected") == read;
        });
    }

    private static Map<String, Object> row(Connection c, String sql, String bucket) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, bucket);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(sql).isTrue();
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                return row;
            }
        }
    }

    /** One file with one version, as the streams write it: the version's change, the head, the audit event. */
    private static List<Future<RecordMetadata>> sendFile(KafkaProducer<String, byte[]> producer, String bucket,
                                                         String key, int i) {
        FileVersion v = version(bucket, key, "v-" + key.substring(2), i + 1, 1000L + i);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        sent.add(producer.send(versionRecord(change(ChangeType.VERSION_CREATED, v, i))));
        sent.add(producer.send(new ProducerRecord<>(Topics.FILES.name(), Topics.objectKey(bucket, key),
                Topics.FILES.values().encode(new FileHead(bucket, key, false, v.versionId(), 1, 0, v.size(), v.eTag(),
                        "text/plain", "STANDARD", v.createdAt(), v.versionId())))));
        var data = Json.MAPPER.createObjectNode().put("bucket", bucket).put("key", key).put("versionId", v.versionId());
        CloudEvent event = new CloudEvent(CloudEvent.SPEC_VERSION, bucket + "-" + key, "/filetrail/metadata-streams",
                AuditTypes.VERSION_CREATED, Topics.objectKey(bucket, key), v.createdAt(), CloudEvent.CONTENT_TYPE,
                ContractSchemas.dataschema(AuditTypes.VERSION_CREATED), data);
        sent.add(producer.send(new ProducerRecord<>(Topics.AUDIT.name(), Topics.objectKey(bucket, key),
                Topics.AUDIT.values().encode(event))));
        return sent;
    }

    private static FileVersion version(String bucket, String key, String versionId, long sequence, Long size) {
        return new FileVersion(bucket, key, versionId, String.format("%016X", sequence), false, size, "\"e" + size + "\"",
                "STANDARD", T0.plusSeconds(sequence), "tester", "evt-" + versionId + "-" + sequence, null, null, null);
    }

    private static FileVersionChange change(ChangeType type, FileVersion v, long second) {
        return new FileVersionChange("c-" + type + "-" + second, type, v.bucket(), v.key(), v.versionId(), v, null,
                v.createdEventId(), T0.plusSeconds(second));
    }

    private static FileVersionChange removal(FileVersion v, long second) {
        return new FileVersionChange("c-removed-" + second, ChangeType.VERSION_REMOVED, v.bucket(), v.key(),
                v.versionId(), v, null, null, T0.plusSeconds(second), FileVersionChange.DELETED);
    }

    private static FileHead head(String bucket, String key, long versions) {
        return new FileHead(bucket, key, false, "v" + versions, versions, 0, 10L * versions, "\"e\"", "text/plain",
                "STANDARD", T0.plusSeconds(versions), "v" + versions);
    }

    private static ProducerRecord<String, byte[]> versionRecord(FileVersionChange change) {
        return new ProducerRecord<>(Topics.FILE_VERSIONS.name(), change.recordKey(),
                Topics.FILE_VERSIONS.values().encode(change));
    }

    private static ConsumerRecord<String, byte[]> record(String topic, long offset, Object value) {
        byte[] bytes = value instanceof FileHead h ? Topics.FILES.values().encode(h)
                : Topics.FILE_VERSIONS.values().encode((FileVersionChange) value);
        String key = value instanceof FileHead h ? Topics.objectKey(h.bucket(), h.key())
                : ((FileVersionChange) value).recordKey();
        return new ConsumerRecord<>(topic, 0, offset, key, bytes);
    }

    private static double counter(SimpleMeterRegistry registry, String outcome) {
        return registry.get("filetrail_projector_records").tag("outcome", outcome).counter().count();
    }

    private static long count(ReadModelDatabase db, String sql, String param) {
        return ProjectorTest.count(db, sql, param);
    }

    /** The streams role's producer, as metadata-streams writes; batched, so thousands of records take a second. */
    private static KafkaProducer<String, byte[]> producer(KafkaCluster kafka) {
        return kafka.settings(KafkaRole.STREAMS).newProducer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }
}
