package dev.filetrail.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.embedded.kafka.TopicContents;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.local.stack.ApiClient;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore drill to the end, as after losing the cluster: object events, processing results (thumbnails, metadata
 * with EXIF and tags) and share commands are written to one stack and journalled; a second stack with a new, empty
 * cluster and read model gets the three topics back from the first one's journal (catalog and warehouse) with
 * {@code filetrail replay --from-journal [--table …]}, in the order they were first written; its own topology and
 * projector rebuild state and read model from the restored topics; heads, history, share links and audit are then
 * identical on both, record for record, and the API answers the same histories and share links.
 */
class RestoreDrillTest {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String BUCKET = "drill-bucket";

    @Test
    void aClusterRestoredFromTheJournalRebuildsIdenticalHeadsHistoryLinksAndAudit(@TempDir Path one, @TempDir Path two)
            throws Exception {
        List<ObjectEvent> events = events();
        List<ProcessingResult> results = results();
        List<ShareCommand> shares = shares();
        // each event, each result and each share command is one audit fact (the links rejected or revoked too)
        int afterEvents = events.size();
        int afterResults = afterEvents + results.size();
        int afterShares = afterResults + shares.size();
        try (LocalStack original = LocalStack.start(LocalStackConfig.ephemeral(one).withJournal(1000))) {
            produce(original, events);
            awaitSize(original, Topics.AUDIT.name(), afterEvents);
            produce(original, KafkaRole.BRIDGE, Topics.PROCESSING_RESULTS.name(), results.stream()
                    .map(r -> Map.entry(r.recordKey(), Topics.PROCESSING_RESULTS.values().encode(r))).toList());
            awaitSize(original, Topics.AUDIT.name(), afterResults);
            produce(original, KafkaRole.API, Topics.SHARE_COMMANDS.name(), shares.stream()
                    .map(c -> Map.entry(c.recordKey(), Topics.SHARE_COMMANDS.values().encode(c))).toList());
            awaitSize(original, Topics.AUDIT.name(), afterShares);
            awaitJournal(original, "journal", events.size());
            awaitJournal(original, "processing_results", results.size());
            awaitJournal(original, "share_commands", shares.size());

            try (LocalStack restored = LocalStack.start(LocalStackConfig.ephemeral(two))) {
                // the new cluster's event topic is empty; the journal is the first stack's catalog and warehouse
                Map<String, String> env = new HashMap<>(restored.serviceEnvironment());
                Map<String, String> journal = original.serviceEnvironment(KafkaRole.JOURNAL);
                for (String name : List.of("JOURNAL_CATALOG_URL", "JOURNAL_CATALOG_USER", "JOURNAL_CATALOG_PASSWORD",
                        "JOURNAL_WAREHOUSE", "JOURNAL_NAMESPACE", "JOURNAL_CATALOG_NAME", "DATABASE_URL",
                        "DATABASE_USER", "DATABASE_PASSWORD", "S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
                    if (journal.containsKey(name)) {
                        // the first stack's catalog is its DATABASE_* (JournalConfig's fallback); here it must
                        // be named, as DATABASE_* is the second stack's read model
                        env.put(name.startsWith("DATABASE_") ? name.replace("DATABASE_", "JOURNAL_CATALOG_") : name,
                                journal.get(name));
                    }
                }
                // in the order they were first written: a share link is decided against the history before it
                String[] replay = run(env, "replay", "--from-journal", "--into", Topics.OBJECT_EVENTS.name(),
                        "--no-progress");
                assertThat(replay[1]).isEmpty();
                assertThat(replay[0]).contains("partitions kept  yes");
                awaitSize(restored, Topics.AUDIT.name(), afterEvents);
                String[] replayResults = run(env, "replay", "--from-journal", "--table", "processing_results",
                        "--into", Topics.PROCESSING_RESULTS.name(), "--no-progress");
                assertThat(replayResults[1]).isEmpty();
                assertThat(replayResults[0]).contains("table rows       " + results.size()).contains("partitions kept  yes");
                awaitSize(restored, Topics.AUDIT.name(), afterResults);
                String[] replayShares = run(env, "replay", "--from-journal", "--table", "share_commands",
                        "--into", Topics.SHARE_COMMANDS.name(), "--no-progress");
                assertThat(replayShares[1]).isEmpty();
                assertThat(replayShares[0]).contains("table rows       " + shares.size());
                awaitSize(restored, Topics.AUDIT.name(), afterShares);

                // the restored topics: byte for byte, at the same partitions and offsets, with the same timestamps
                for (String topic : List.of(Topics.OBJECT_EVENTS.name(), Topics.PROCESSING_RESULTS.name(),
                        Topics.SHARE_COMMANDS.name())) {
                    assertThat(exactRecords(restored, topic)).as(topic).isEqualTo(exactRecords(original, topic))
                            .isNotEmpty();
                }
                // heads: the latest record per object of the compacted topic
                assertThat(latestPerKey(restored, Topics.FILES.name())).isEqualTo(latestPerKey(original, Topics.FILES.name()))
                        .hasSize(KEYS);
                assertThat(records(restored, Topics.FILE_VERSIONS.name()))
                        .isEqualTo(records(original, Topics.FILE_VERSIONS.name())).isNotEmpty();
                assertThat(records(restored, Topics.AUDIT.name())).isEqualTo(records(original, Topics.AUDIT.name()))
                        .hasSize(afterShares);
                assertThat(latestPerKey(restored, Topics.SHARE_LINKS.name()))
                        .isEqualTo(latestPerKey(original, Topics.SHARE_LINKS.name())).hasSize(shares.size() - 1);

                // the read model, as the API answers it
                ApiClient before = new ApiClient(original.endpoints().api(), original.endpoints().adminApiKey());
                ApiClient after = new ApiClient(restored.endpoints().api(), restored.endpoints().adminApiKey());
                for (int k = 0; k < KEYS; k++) {
                    String key = key(k);
                    int versions = (int) events.stream().filter(e -> e.key().equals(key)).count();
                    int k2 = k;
                    JsonNode a = before.await(Demo.versionsPath(BUCKET, key), body -> settled(body, versions, k2), WAIT);
                    JsonNode b = after.await(Demo.versionsPath(BUCKET, key), body -> settled(body, versions, k2), WAIT);
                    assertThat(b).as(key).isEqualTo(a);
                }
                // the share links, as the API answers them: active, revoked, rejected alike
                for (ShareCommand c : shares) {
                    if (c.type() != ShareCommand.Type.CREATE) {
                        continue;
                    }
                    String path = "/v1/shares/" + c.linkId();
                    java.util.function.Predicate<JsonNode> done = body -> body.hasNonNull("status")
                            && (!c.linkId().equals(REVOKED_LINK) || "REVOKED".equals(body.path("status").asText()));
                    JsonNode a = before.await(path, done, WAIT);
                    JsonNode b = after.await(path, done, WAIT);
                    assertThat(b).as(path).isEqualTo(a);
                }
            }
        }
    }

    private static final int KEYS = 6;
    private static final String REVOKED_LINK = link(1);

    /** A link id of the form the API makes and accepts ({@code shl_} and 24 hex digits). */
    private static String link(int n) {
        return String.format("shl_%024x", n);
    }

    /** The history as the API answers it once every result is in: the thumbnails and the tags shown. */
    private static boolean settled(JsonNode body, int versions, int k) {
        if (body.path("versions").size() < versions) {
            return false;
        }
        boolean thumbs = false;
        boolean tags = false;
        for (JsonNode v : body.path("versions")) {
            thumbs |= v.path("versionId").asText().equals("v" + k + "x0") && v.path("thumbnailCount").asInt() == 2;
            tags |= v.path("versionId").asText().equals("v" + k + "x1") && v.path("tags").has("team");
        }
        return thumbs && tags;
    }

    /** For each key: thumbnails of its first version, metadata (EXIF, GPS, tags) of its second. */
    private static List<ProcessingResult> results() {
        List<ProcessingResult> out = new ArrayList<>();
        Instant base = Instant.parse("2026-11-30T12:00:00.123456789Z");
        for (int k = 0; k < KEYS; k++) {
            Instant at = base.plusSeconds(k * 60L);
            out.add(new ProcessingResult("drill-thumbs-" + k, ProcessingResult.THUMBNAILER, BUCKET, key(k), "v" + k + "x0",
                    ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 4000, 3000, 1000L + k, null, null,
                    List.of(new Thumbnail(256, 256, 192, "image/webp", "drill-thumbs", "t/" + k + "-256.webp", 9_000L + k),
                            new Thumbnail(1024, 1024, 768, "image/webp", "drill-thumbs", "t/" + k + "-1024.webp", 80_000L)),
                    at));
            out.add(new ProcessingResult("drill-meta-" + k, ProcessingResult.METADATA, BUCKET, key(k), "v" + k + "x1",
                    ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 4000, 3000, 1001L + k, "sha-" + k,
                    new ExifData(at.minusSeconds(86_400), "Canon", "EOS R" + k, 1, 48.1 + k, 11.5), List.of(), at)
                    .withTags(Map.of("team", "t" + k, "class", "drill"), at.plusMillis(5)));
        }
        return out;
    }

    /**
     * A link per key, pinned to the first version on even keys (their newest entry is a delete marker) and following
     * the current version on odd ones; one unpinned link on a deleted key (rejected); link 1 revoked.
     */
    private static List<ShareCommand> shares() {
        List<ShareCommand> out = new ArrayList<>();
        Instant base = Instant.parse("2026-11-30T14:00:00.5Z");
        for (int k = 0; k < KEYS; k++) {
            Instant at = base.plusSeconds(k * 60L);
            out.add(new ShareCommand("drill-share-" + k, ShareCommand.Type.CREATE, link(k), BUCKET, key(k),
                    "token-sha-" + k, k % 2 == 0 ? "v" + k + "x0" : null, at.plusSeconds(86_400L * 30),
                    k == 3 ? "$argon2id$drill" : null, k != 5, "key:drill", "198.51.100." + k, at));
        }
        out.add(new ShareCommand("drill-share-rejected", ShareCommand.Type.CREATE, link(99), BUCKET, key(2),
                "token-sha-r", null, null, null, true, "key:drill", "198.51.100.9", base.plusSeconds(900)));
        out.add(new ShareCommand("drill-revoke-1", ShareCommand.Type.REVOKE, REVOKED_LINK, BUCKET, key(1), null, null,
                null, null, null, "key:drill", "198.51.100.1", base.plusSeconds(1_200)));
        return out;
    }

    private static void produce(LocalStack stack, KafkaRole role, String topic, List<Map.Entry<String, byte[]>> records) {
        try (KafkaProducer<String, byte[]> producer = stack.kafka().settings(role).newProducer(
                Map.of(), new StringSerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> r : records) {
                producer.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()));
            }
            producer.flush();
        }
    }

    /** Waits until the first stack's journal table holds {@code rows} rows. */
    private static void awaitJournal(LocalStack stack, String table, int rows) throws Exception {
        String query = "SELECT 'rows=' || count(*) || ';' AS n FROM " + table;
        String expected = "rows=" + rows + ";";
        long deadline = System.nanoTime() + WAIT.toNanos();
        String[] count = run(stack.serviceEnvironment(), "sql", query);
        while (!count[0].contains(expected)) {
            assertThat(System.nanoTime()).as("%s rows: %s", table, count[0] + count[1]).isLessThan(deadline);
            Thread.sleep(500);
            count = run(stack.serviceEnvironment(), "sql", query);
        }
    }

    /** Every record's partition, offset, timestamp, key and value, in partition and offset order. */
    private static List<String> exactRecords(LocalStack stack, String topic) {
        return TopicContents.all(stack.kafka().settings(KafkaRole.OPS), topic).stream()
                .map(r -> r.partition() + "@" + r.offset() + "|" + r.timestamp() + "|" + text(r.key()) + "|"
                        + java.util.Base64.getEncoder().encodeToString(r.value())).toList();
    }

    private static String key(int k) {
        return "drill/file " + k + (k % 2 == 0 ? ".jpg" : " ü.pdf");
    }

    /** Three versions of each key, a delete marker on every other one, with S3-like sequencers and ids. */
    private static List<ObjectEvent> events() {
        List<ObjectEvent> out = new ArrayList<>();
        Instant base = Instant.parse("2026-11-30T09:00:00.123Z");
        int n = 0;
        for (int k = 0; k < KEYS; k++) {
            int steps = k % 2 == 0 ? 4 : 3;
            for (int s = 0; s < steps; s++, n++) {
                boolean marker = s == 3;
                Instant at = base.plusSeconds(k * 600L + s * 60L);
                out.add(new ObjectEvent("drill-" + k + "-" + s, BUCKET, key(k), "v" + k + "x" + s,
                        String.format("%016X", at.toEpochMilli()),
                        marker ? ObjectEventType.DELETE_MARKER_CREATED : ObjectEventType.VERSION_CREATED,
                        marker ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectCreated:Put",
                        marker ? null : 1000L + n, marker ? null : "\"etag" + n + "\"", marker ? null : "STANDARD",
                        at, "us-east-1", "AIDADRILL", "203.0.113.7", null, null,
                        new Origin(Origin.S3_NOTIFICATION, "sqs-" + n, "sns-" + n, "cfg"),
                        at.plusMillis(350).plusNanos(123_456)));
            }
        }
        return out;
    }

    private static void produce(LocalStack stack, List<ObjectEvent> events) {
        try (KafkaProducer<String, byte[]> producer = stack.kafka().settings(KafkaRole.BRIDGE).newProducer(
                Map.of(), new StringSerializer(), new ByteArraySerializer())) {
            for (ObjectEvent e : events) {
                producer.send(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), e.recordKey(), ObjectEventWriter.write(e)));
            }
            producer.flush();
        }
    }

    private static void awaitSize(LocalStack stack, String topic, int size) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (TopicContents.all(stack.kafka().settings(KafkaRole.OPS), topic).size() < size) {
            assertThat(System.nanoTime()).as("%s has fewer than %d records", topic, size).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** Every record's key and value as text, in partition and offset order. */
    private static List<String> records(LocalStack stack, String topic) {
        return TopicContents.all(stack.kafka().settings(KafkaRole.OPS), topic).stream()
                .map(r -> r.partition() + "|" + text(r.key()) + "|" + text(r.value())).toList();
    }

    private static Map<String, String> latestPerKey(LocalStack stack, String topic) {
        Map<String, String> latest = new TreeMap<>();
        TopicContents.all(stack.kafka().settings(KafkaRole.OPS), topic)
                .forEach(r -> latest.put(text(r.key()), text(r.value())));
        return latest;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String[] run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FiletrailCommand.run(env, new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {out.toString(), err.toString()};
    }
}
