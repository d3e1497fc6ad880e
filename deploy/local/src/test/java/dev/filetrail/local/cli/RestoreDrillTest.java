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
 * The restore drill to the end, as after losing the cluster: events are written to one stack and journalled; a second
 * stack with a new, empty cluster and read model gets its event topic back from the first one's journal (catalog and
 * warehouse) with {@code filetrail replay --from-journal}; its own topology and projector rebuild state and read
 * model from the restored topic; heads, history and audit are then identical on both, record for record.
 */
class RestoreDrillTest {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String BUCKET = "drill-bucket";

    @Test
    void aClusterRestoredFromTheJournalRebuildsIdenticalHeadsHistoryAndAudit(@TempDir Path one, @TempDir Path two)
            throws Exception {
        List<ObjectEvent> events = events();
        try (LocalStack original = LocalStack.start(LocalStackConfig.ephemeral(one).withJournal(1000))) {
            produce(original, events);
            awaitSize(original, Topics.AUDIT.name(), events.size());
            String expected = "rows=" + events.size() + ";";
            long deadline = System.nanoTime() + WAIT.toNanos();
            String[] count = run(original.serviceEnvironment(), "sql", "SELECT 'rows=' || count(*) || ';' AS n FROM journal");
            while (!count[0].contains(expected)) {
                assertThat(System.nanoTime()).as("journal rows: %s", count[0] + count[1]).isLessThan(deadline);
                Thread.sleep(500);
                count = run(original.serviceEnvironment(), "sql", "SELECT 'rows=' || count(*) || ';' AS n FROM journal");
            }

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
                String[] replay = run(env, "replay", "--from-journal", "--into", Topics.OBJECT_EVENTS.name(),
                        "--no-progress");
                assertThat(replay[1]).isEmpty();
                assertThat(replay[0]).contains("partitions kept  yes");

                awaitSize(restored, Topics.AUDIT.name(), events.size());
                assertThat(records(restored, Topics.OBJECT_EVENTS.name()))
                        .isEqualTo(records(original, Topics.OBJECT_EVENTS.name()));
                // heads: the latest record per object of the compacted topic
                assertThat(latestPerKey(restored, Topics.FILES.name())).isEqualTo(latestPerKey(original, Topics.FILES.name()))
                        .hasSize(KEYS);
                assertThat(records(restored, Topics.FILE_VERSIONS.name()))
                        .isEqualTo(records(original, Topics.FILE_VERSIONS.name())).isNotEmpty();
                assertThat(records(restored, Topics.AUDIT.name())).isEqualTo(records(original, Topics.AUDIT.name()))
                        .hasSize(events.size());

                // the read model, as the API answers it
                ApiClient before = new ApiClient(original.endpoints().api(), original.endpoints().adminApiKey());
                ApiClient after = new ApiClient(restored.endpoints().api(), restored.endpoints().adminApiKey());
                for (int k = 0; k < KEYS; k++) {
                    String key = key(k);
                    int versions = (int) events.stream().filter(e -> e.key().equals(key)).count();
                    JsonNode a = before.await(Demo.versionsPath(BUCKET, key),
                            body -> body.path("versions").size() >= versions, WAIT);
                    JsonNode b = after.await(Demo.versionsPath(BUCKET, key),
                            body -> body.path("versions").size() >= versions, WAIT);
                    assertThat(b).as(key).isEqualTo(a);
                }
            }
        }
    }

    private static final int KEYS = 6;

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
