package dev.filetrail.journal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.kafka.TopicContents;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.JournalSamples;
import dev.filetrail.journal.TableSamples;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.journal.read.JournalReader;
import dev.filetrail.journal.read.JournalRestore;
import dev.filetrail.journal.sql.JournalSql;
import dev.filetrail.journal.table.JournalTable;
import dev.filetrail.journal.table.JournalTables;
import dev.filetrail.journal.table.ProcessingResultsTable;
import dev.filetrail.journal.table.ShareCommandsTable;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The journal against the real parts: Iceberg's sink in a Connect worker logged in as the journal role on the secured
 * broker, the JDBC catalog in PostgreSQL, the warehouse in S3. One worker for the class (it is the slow part).
 */
@ExtendWith(RealParts.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JournalSinkTest {
    private static final Duration ARCHIVED = Duration.ofSeconds(120);
    private static KafkaCluster kafka;
    private static JournalConfig config;
    private static JournalSink sink;

    @BeforeAll
    static void start(KafkaCluster cluster, PostgresServer postgres, EmbeddedS3 s3) {
        kafka = cluster;
        try (var client = s3.client()) {
            client.createBucket(b -> b.bucket(JournalConfig.LOCAL_WAREHOUSE_BUCKET));
        }
        Map<String, String> env = new HashMap<>();
        env.put("JOURNAL_CATALOG_URL", postgres.createDatabase("journal_catalog"));
        env.put("S3_ENDPOINT", s3.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        env.put("JOURNAL_COMMIT_INTERVAL_MS", "1000");
        config = JournalConfig.fromEnvironment(env);
        try (Admin admin = kafka.admin()) {
            JournalSink.createTopics(admin, (short) 1);
        }
        sink = JournalSink.start(config, kafka.settings(KafkaRole.JOURNAL), 2);
    }

    @AfterAll
    static void stop() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    @Order(1)
    void journalsEveryEventAsATypedRowPartitionedByDayAndBucket() throws Exception {
        List<ObjectEvent> events = JournalSamples.events("typed", 60, 1);
        produce(events);
        awaitArchived();

        Catalog catalog = config.catalog();
        try (AutoCloseable closing = (AutoCloseable) catalog) {
            checkTypedAndPartitioned(catalog.loadTable(new JournalTables(config).journal()), events);
        }
    }

    private static void checkTypedAndPartitioned(Table table, List<ObjectEvent> events) throws Exception {
        assertThat(table.schema().findField("size").type()).isEqualTo(Types.LongType.get());
        assertThat(table.schema().findField("event_time").type()).isEqualTo(Types.TimestampType.withZone());
        assertThat(table.spec().fields()).extracting(f -> f.name()).containsExactly("event_time_day", "bucket");
        Map<String, Record> byId = new HashMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
            rows.forEach(r -> byId.put((String) r.getField("event_id"), r.copy()));
        }
        ObjectEvent sized = events.stream().filter(e -> e.size() != null).findFirst().orElseThrow();
        Record row = byId.get(sized.eventId());
        assertThat(row.getField("size")).isEqualTo(sized.size());
        assertThat(((OffsetDateTime) row.getField("event_time")).toInstant()).isEqualTo(sized.eventTime());
        assertThat(row.getField("bucket")).isEqualTo(sized.bucket());
        // every (day, bucket) of the events is one partition of the table, each data file holding one
        Set<String> expected = events.stream().map(e -> e.eventTime().atOffset(java.time.ZoneOffset.UTC).toLocalDate()
                + "/" + e.bucket()).collect(Collectors.toSet());
        Set<String> partitions = new HashSet<>();
        try (CloseableIterable<FileScanTask> files = table.newScan().planFiles()) {
            files.forEach(f -> partitions.add(java.time.LocalDate.ofEpochDay(f.file().partition().get(0, Integer.class))
                    + "/" + f.file().partition().get(1, String.class)));
        }
        assertThat(expected).hasSizeGreaterThan(4);
        assertThat(partitions).isEqualTo(expected);
    }

    /**
     * The restore drill: events written, archived by the sink, the topic lost, rebuilt from the journal into an empty
     * topic; every partition holds the same records, byte for byte, in the same order, with the same timestamps.
     */
    @Test
    @Order(2)
    void restoresTheEventTopicByteForByteFromTheJournal() throws Exception {
        produce(JournalSamples.events("drill", 400, 2));
        awaitArchived();
        List<ConsumerRecord<byte[], byte[]>> original = TopicContents.all(kafka.settings(KafkaRole.OPS),
                Topics.OBJECT_EVENTS.name());

        String restored = Topics.OBJECT_EVENTS.name() + ".restored";
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(restored, KafkaCluster.TEST_PARTITIONS, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        JournalRestore.Summary summary = new JournalRestore(kafka.settings(KafkaRole.OPS))
                .restore(new JournalReader(config).read(null, null), restored);
        assertThat(summary.partitionsKept()).isTrue();
        List<ConsumerRecord<byte[], byte[]>> copy = TopicContents.all(kafka.settings(KafkaRole.OPS), restored);

        assertThat(copy).hasSameSizeAs(original);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            ConsumerRecord<byte[], byte[]> a = original.get(i);
            ConsumerRecord<byte[], byte[]> b = copy.get(i);
            if (a.partition() != b.partition() || a.offset() != b.offset() || a.timestamp() != b.timestamp()
                    || !Arrays.equals(a.key(), b.key()) || !Arrays.equals(a.value(), b.value())) {
                differences.add(a.partition() + "@" + a.offset() + "\n  original " + new String(a.value())
                        + "\n  restored " + new String(b.value()));
            }
        }
        assertThat(differences).isEmpty();
    }

    @Test
    @Order(3)
    void readsATimeWindowOfTheJournal() {
        Instant from = Instant.parse("2026-11-29T00:00:00Z");
        Instant to = Instant.parse("2026-11-29T23:59:59.999Z");
        List<JournalTable.Row> all = new JournalReader(config).read(null, null);
        List<JournalTable.Row> window = new JournalReader(config).read(from, to);
        long expected = all.stream().map(r -> r.event().eventTime())
                .filter(t -> !t.isBefore(from) && !t.isAfter(to)).count();
        assertThat(expected).isPositive().isLessThan(all.size());
        assertThat(window).hasSize((int) expected);
    }

    @Test
    @Order(4)
    void answersSqlOverTheJournal() {
        List<JournalTable.Row> all = new JournalReader(config).read(null, null);
        Map<String, Long> expected = all.stream().filter(r -> r.event().size() != null).collect(
                Collectors.groupingBy(r -> r.event().bucket(), Collectors.summingLong(r -> r.event().size())));

        JournalSql.Result result = new JournalSql(config).query(
                "SELECT bucket, sum(size) AS bytes, count(*) FILTER (WHERE origin.source = 'backfill') AS backfilled, "
                        + "min(event_time) AS first FROM journal GROUP BY bucket ORDER BY bucket");
        assertThat(result.columns()).containsExactly("bucket", "bytes", "backfilled", "first");
        Map<String, Long> answered = new HashMap<>();
        result.rows().forEach(r -> answered.put((String) r.get(0), ((Number) r.get(1)).longValue()));
        assertThat(answered).isEqualTo(expected);
        assertThat(result.format()).contains("photos-eu").contains("2 rows");
    }

    /** A worker stopped between commits and a new one started: every record once, none twice, none lost. */
    @Test
    @Order(5)
    void aRestartedWorkerLosesAndDuplicatesNothing() throws Exception {
        sink.close();
        produce(JournalSamples.events("restart", 150, 3));
        sink = JournalSink.start(config, kafka.settings(KafkaRole.JOURNAL), 2);
        awaitArchived();
        List<JournalTable.Row> rows = new JournalReader(config).read(null, null);
        Set<String> positions = rows.stream().map(r -> r.position().partition() + "@" + r.position().offset())
                .collect(Collectors.toSet());
        assertThat(positions).hasSize(rows.size());
        assertThat((long) rows.size()).isEqualTo(topicSize(Topics.OBJECT_EVENTS.name()));
    }

    /**
     * The audit table (one typed row per CloudEvent) and the inventory: heads appended to inventory_changes, the view
     * answering only objects with a current version, so deleted and gone keys leave it.
     */
    @Test
    @Order(6)
    void journalsAuditAndAnInventoryOfCurrentVersionsOnly() throws Exception {
        List<CloudEvent> audit = TableSamples.audit("audit", 30);
        List<TableSamples.HeadChange> changes = List.of(
                new TableSamples.HeadChange("photos-eu", "inv/a.jpg", TableSamples.live("photos-eu", "inv/a.jpg", "a1", 1, 10)),
                new TableSamples.HeadChange("photos-eu", "inv/b.jpg", TableSamples.live("photos-eu", "inv/b.jpg", "b1", 1, 20)),
                new TableSamples.HeadChange("docs-us", "inv/c d.pdf", TableSamples.live("docs-us", "inv/c d.pdf", "c1", 1, 30)),
                new TableSamples.HeadChange("docs-us", "inv/d.pdf", TableSamples.deleted("docs-us", "inv/d.pdf", 1)),
                new TableSamples.HeadChange("docs-us", "inv/e.pdf", TableSamples.live("docs-us", "inv/e.pdf", "e1", 1, 50)),
                new TableSamples.HeadChange("photos-eu", "inv/a.jpg", TableSamples.live("photos-eu", "inv/a.jpg", "a2", 2, 11)),
                new TableSamples.HeadChange("photos-eu", "inv/b.jpg", TableSamples.deleted("photos-eu", "inv/b.jpg", 1)),
                new TableSamples.HeadChange("docs-us", "inv/c d.pdf", null),
                new TableSamples.HeadChange("docs-us", "inv/d.pdf", TableSamples.live("docs-us", "inv/d.pdf", "d1", 1, 40)));
        KafkaClientSettings streams = kafka.settings(KafkaRole.STREAMS);
        try (KafkaProducer<String, byte[]> producer = streams.newProducer(Map.of("linger.ms", 5),
                new StringSerializer(), new ByteArraySerializer())) {
            for (CloudEvent e : audit) {
                producer.send(new ProducerRecord<>(Topics.AUDIT.name(), e.subject(), Topics.AUDIT.values().encode(e)));
            }
            for (TableSamples.HeadChange c : changes) {
                producer.send(new ProducerRecord<>(Topics.FILES.name(), c.recordKey(),
                        c.head() == null ? null : Topics.FILES.values().encode(c.head())));
            }
            producer.flush();
        }
        JournalTables tables = new JournalTables(config);
        awaitRows(tables.audit(), Topics.AUDIT.name());
        awaitRows(tables.inventoryChanges(), Topics.FILES.name());

        Catalog catalog = config.catalog();
        try (AutoCloseable closing = (AutoCloseable) catalog) {
            Table table = catalog.loadTable(tables.audit());
            assertThat(table.spec().fields()).extracting(f -> f.name()).containsExactly("time_day", "type");
            Map<String, Record> byId = new HashMap<>();
            try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
                rows.forEach(r -> byId.put((String) r.getField("id"), r.copy()));
            }
            assertThat(byId.keySet()).isEqualTo(audit.stream().map(CloudEvent::id).collect(Collectors.toSet()));
            CloudEvent created = audit.get(3);
            Record row = byId.get(created.id());
            assertThat(row.getField("type")).isEqualTo(created.type());
            assertThat(((OffsetDateTime) row.getField("time")).toInstant()).isEqualTo(created.time());
            assertThat(row.getField("size")).isEqualTo(created.data().get("size").asLong());
            assertThat(row.getField("bucket")).isEqualTo(created.data().get("bucket").asText());
            assertThat(row.getField("requester")).isEqualTo(created.data().get("requester").asText());
            assertThat(Json.MAPPER.readTree((String) row.getField("data")))
                    .isEqualTo(Json.MAPPER.readTree(Json.writeString(created.data())));
            Record opened = byId.get(audit.get(1).id());
            assertThat(opened.getField("link_id")).isEqualTo(audit.get(1).data().get("linkId").asText());
            assertThat(opened.getField("actor")).isEqualTo(audit.get(1).data().get("actor").asText());
        }

        // what a reader of the compacted topic would keep: the last change per object, when it names a version
        Map<String, FileHead> latest = new java.util.LinkedHashMap<>();
        changes.forEach(c -> latest.put(c.recordKey(), c.head()));
        Set<String> expected = latest.values().stream().filter(h -> h != null && !h.deleted())
                .map(h -> h.bucket() + "|" + h.key() + "|" + h.currentVersionId() + "|" + h.size())
                .collect(Collectors.toSet());
        JournalSql.Result inventory = new JournalSql(config).query(
                "SELECT bucket, key, version_id, size FROM inventory WHERE key LIKE 'inv/%'");
        assertThat(inventory.rows().stream().map(r -> r.get(0) + "|" + r.get(1) + "|" + r.get(2) + "|" + r.get(3))
                .collect(Collectors.toSet())).isEqualTo(expected).hasSize(3);

        Map<String, Long> perType = audit.stream().collect(Collectors.groupingBy(CloudEvent::type, Collectors.counting()));
        JournalSql.Result types = new JournalSql(config).query(
                "SELECT type, count(*) AS n FROM audit WHERE id LIKE 'audit-%' GROUP BY type");
        Map<String, Long> answered = new HashMap<>();
        types.rows().forEach(r -> answered.put((String) r.get(0), ((Number) r.get(1)).longValue()));
        assertThat(answered).isEqualTo(perType);
    }

    /**
     * Processing results and share commands: typed rows (thumbnails a list of structs, EXIF a struct, tags a map),
     * partitioned by day and processor / by day, answered by SQL; and each topic rebuilt from its table into an empty
     * topic, byte for byte at the same partitions, offsets and timestamps.
     */
    @Test
    @Order(7)
    void journalsProcessingResultsAndShareCommandsAndRestoresBothByteForByte() throws Exception {
        List<ProcessingResult> results = TableSamples.results("pr", 40);
        List<ShareCommand> shares = TableSamples.shares("sc", 24);
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.BRIDGE).newProducer(Map.of("linger.ms", 5),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ProcessingResult r : results) {
                producer.send(new ProducerRecord<>(Topics.PROCESSING_RESULTS.name(), r.recordKey(),
                        Topics.PROCESSING_RESULTS.values().encode(r)));
            }
            producer.flush();
        }
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.API).newProducer(Map.of("linger.ms", 5),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ShareCommand c : shares) {
                producer.send(new ProducerRecord<>(Topics.SHARE_COMMANDS.name(), c.recordKey(),
                        Topics.SHARE_COMMANDS.values().encode(c)));
            }
            producer.flush();
        }
        JournalTables tables = new JournalTables(config);
        awaitRows(tables.processingResults(), Topics.PROCESSING_RESULTS.name());
        awaitRows(tables.shareCommands(), Topics.SHARE_COMMANDS.name());

        Catalog catalog = config.catalog();
        try (AutoCloseable closing = (AutoCloseable) catalog) {
            Table table = catalog.loadTable(tables.processingResults());
            assertThat(table.spec().fields()).extracting(f -> f.name()).containsExactly("processed_at_day", "processor");
            assertThat(table.schema().findField("tags").type().isMapType()).isTrue();
            Map<String, Record> byId = new HashMap<>();
            try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
                rows.forEach(r -> byId.put((String) r.getField("result_id"), r.copy()));
            }
            assertThat(byId.keySet()).isEqualTo(results.stream().map(ProcessingResult::resultId).collect(Collectors.toSet()));
            ProcessingResult thumbs = results.get(0);
            @SuppressWarnings("unchecked")
            List<Record> thumbnails = (List<Record>) byId.get(thumbs.resultId()).getField("thumbnails");
            assertThat(thumbnails).extracting(t -> t.getField("key") + "/" + t.getField("bytes"))
                    .containsExactlyElementsOf(thumbs.thumbnails().stream().map(t -> t.key() + "/" + t.bytes()).toList());
            ProcessingResult meta = results.get(1);
            Record metaRow = byId.get(meta.resultId());
            assertThat(metaRow.getField("tags")).isEqualTo(meta.tags());
            assertThat(((Record) metaRow.getField("exif")).getField("camera_model")).isEqualTo(meta.exif().cameraModel());
            assertThat(((OffsetDateTime) metaRow.getField("processed_at")).toInstant())
                    .isEqualTo(meta.processedAt().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
            assertThat(byId.get(results.get(3).resultId()).getField("failure_reason")).isEqualTo(results.get(3).failureReason());

            Table commands = catalog.loadTable(tables.shareCommands());
            assertThat(commands.spec().fields()).extracting(f -> f.name()).containsExactly("issued_at_day");
        }

        // SQL: tags as a map, thumbnails as a list
        Map<String, Long> perTeam = results.stream().filter(r -> r.tags() != null && r.tags().containsKey("team"))
                .collect(Collectors.groupingBy(r -> r.tags().get("team"), Collectors.counting()));
        JournalSql.Result teams = new JournalSql(config).query(
                "SELECT tags['team'] AS team, count(*) AS n FROM processing_results WHERE result_id LIKE 'pr-%' "
                        + "AND tags['team'] IS NOT NULL GROUP BY 1");
        Map<String, Long> answered = new HashMap<>();
        teams.rows().forEach(r -> answered.put(String.valueOf(r.get(0)), ((Number) r.get(1)).longValue()));
        assertThat(answered).isEqualTo(perTeam).isNotEmpty();
        long thumbnailCount = results.stream().filter(r -> r.thumbnails() != null).mapToLong(r -> r.thumbnails().size()).sum();
        JournalSql.Result thumbs = new JournalSql(config).query(
                "SELECT sum(len(thumbnails)) FROM processing_results WHERE result_id LIKE 'pr-%'");
        assertThat(((Number) thumbs.rows().get(0).get(0)).longValue()).isEqualTo(thumbnailCount).isPositive();
        long revoked = shares.stream().filter(c -> c.type() == ShareCommand.Type.REVOKE).count();
        JournalSql.Result revokes = new JournalSql(config).query(
                "SELECT count(*) FROM share_commands WHERE type = 'REVOKE' AND command_id LIKE 'sc-%'");
        assertThat(((Number) revokes.rows().get(0).get(0)).longValue()).isEqualTo(revoked).isPositive();

        // the inventory's tags: the current version's latest tag read (by tags_fetched_at); none for an untagged one
        java.util.function.Function<ProcessingResult, Map<String, String>> latestTags = v -> results.stream()
                .filter(r -> r.bucket().equals(v.bucket()) && r.key().equals(v.key())
                        && r.versionId().equals(v.versionId()) && r.tags() != null && r.tagsFetchedAt() != null)
                .max(java.util.Comparator.comparing(ProcessingResult::tagsFetchedAt))
                .map(ProcessingResult::tags).orElse(null);
        ProcessingResult tagged = results.get(1);
        ProcessingResult untagged = results.stream().filter(r -> latestTags.apply(r) == null).findFirst().orElseThrow();
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.STREAMS).newProducer(Map.of(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ProcessingResult r : List.of(tagged, untagged)) {
                producer.send(new ProducerRecord<>(Topics.FILES.name(), r.recordKey(), Topics.FILES.values().encode(
                        TableSamples.live(r.bucket(), r.key(), r.versionId(), 1, 5))));
            }
            producer.flush();
        }
        awaitRows(tables.inventoryChanges(), Topics.FILES.name());
        JournalSql.Result inventory = new JournalSql(config).query("SELECT key, tags['team'] AS team, "
                + "tags['class'] AS class, CAST(cardinality(tags) AS BIGINT) AS n FROM inventory WHERE key LIKE 'pr/%' ORDER BY key");
        Map<String, List<Object>> byKey = new HashMap<>();
        inventory.rows().forEach(r -> byKey.put((String) r.get(0), r.subList(1, 4)));
        assertThat(byKey).containsOnlyKeys(tagged.key(), untagged.key());
        Map<String, String> expectedTags = latestTags.apply(tagged);
        assertThat(byKey.get(tagged.key())).containsExactly(expectedTags.get("team"), expectedTags.get("class"),
                (long) expectedTags.size());
        assertThat(byKey.get(untagged.key())).containsExactly(null, null, null);

        assertRestoredByteForByte(ProcessingResultsTable.NAME, Topics.PROCESSING_RESULTS.name());
        assertRestoredByteForByte(ShareCommandsTable.NAME, Topics.SHARE_COMMANDS.name());
    }

    private static void assertRestoredByteForByte(String table, String topic) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> original = TopicContents.all(kafka.settings(KafkaRole.OPS), topic);
        String restored = topic + ".restored";
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(restored, KafkaCluster.TEST_PARTITIONS, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        JournalRestore.Summary summary = new JournalRestore(kafka.settings(KafkaRole.OPS))
                .restoreRecords(new JournalReader(config).readKept(table, null, null), restored);
        assertThat(summary.partitionsKept()).isTrue();
        assertThat(summary.written()).isEqualTo(original.size()).isPositive();
        List<ConsumerRecord<byte[], byte[]>> copy = TopicContents.all(kafka.settings(KafkaRole.OPS), restored);
        assertThat(copy).hasSameSizeAs(original);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            ConsumerRecord<byte[], byte[]> a = original.get(i);
            ConsumerRecord<byte[], byte[]> b = copy.get(i);
            if (a.partition() != b.partition() || a.offset() != b.offset() || a.timestamp() != b.timestamp()
                    || !Arrays.equals(a.key(), b.key()) || !Arrays.equals(a.value(), b.value())) {
                differences.add(a.partition() + "@" + a.offset() + "\n  original " + new String(a.value())
                        + "\n  restored " + new String(b.value()));
            }
        }
        assertThat(differences).as(table).isEmpty();
    }

    /** Waits until {@code table} holds as many rows as {@code topic} has records. */
    private static void awaitRows(org.apache.iceberg.catalog.TableIdentifier id, String topic) throws Exception {
        long expected = topicSize(topic);
        long deadline = System.nanoTime() + ARCHIVED.toNanos();
        long rows = tableRows(id);
        while (rows < expected) {
            assertThat(System.nanoTime()).as("%s has %d of %d rows; %s", id, rows, expected, sink.describe())
                    .isLessThan(deadline);
            Thread.sleep(200);
            rows = tableRows(id);
        }
        assertThat(rows).as("no row twice in %s", id).isEqualTo(expected);
    }

    private static long tableRows(org.apache.iceberg.catalog.TableIdentifier id) throws Exception {
        Catalog catalog = config.catalog();
        try (AutoCloseable closing = (AutoCloseable) catalog) {
            Table table = catalog.loadTable(id);
            return table.currentSnapshot() == null ? 0
                    : Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0"));
        }
    }

    private static void produce(List<ObjectEvent> events) {
        KafkaClientSettings bridge = kafka.settings(KafkaRole.BRIDGE);
        try (KafkaProducer<String, byte[]> producer = bridge.newProducer(Map.of("linger.ms", 5),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ObjectEvent e : events) {
                producer.send(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), e.recordKey(), ObjectEventWriter.write(e)));
            }
            producer.flush();
        }
    }

    /** Waits until the journal holds as many rows as the event topic has records. */
    private static void awaitArchived() throws Exception {
        long expected = topicSize(Topics.OBJECT_EVENTS.name());
        JournalReader reader = new JournalReader(config);
        long deadline = System.nanoTime() + ARCHIVED.toNanos();
        long rows = reader.rowCount();
        while (rows < expected) {
            assertThat(System.nanoTime()).as("journal has %d of %d rows; %s", rows, expected, sink.describe())
                    .isLessThan(deadline);
            Thread.sleep(200);
            rows = reader.rowCount();
        }
        assertThat(rows).as("no row twice").isEqualTo(expected);
    }

    private static long topicSize(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(o -> o.offset()).sum();
        }
    }
}
