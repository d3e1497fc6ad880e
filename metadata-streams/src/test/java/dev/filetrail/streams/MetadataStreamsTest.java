package dev.filetrail.streams;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RealParts.class)
class MetadataStreamsTest {

    private static int activeTasks(MetadataStreams s) {
        return s.kafkaStreams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    @Test
    void twoInstancesShareThePartitionsAndTogetherProduceTheRightHistory(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        try (var admin = kafka.admin()) {
            int partitions = admin.describeTopics(List.of(Topics.OBJECT_EVENTS.name())).allTopicNames().get()
                    .get(Topics.OBJECT_EVENTS.name()).partitions().size();
            assertThat(partitions).isGreaterThanOrEqualTo(2);
        }
        String app = RealKafka.applicationId("two");
        String bucket = RealKafka.unique("two-bucket");
        MetadataStreamsConfig base = RealKafka.config(kafka, app, dir.resolve("a"));
        try (MetadataStreams a = new MetadataStreams(base).start();
             MetadataStreams b = new MetadataStreams(base.withStateDir(dir.resolve("b"))).start()) {
            RealKafka.await(Duration.ofSeconds(60), () -> activeTasks(a) > 0 && activeTasks(b) > 0
                    && activeTasks(a) + activeTasks(b) == RealKafka.PARTITIONS, "both instances did not get tasks");

            List<Scenario.Delivery> inputs = new ArrayList<>();
            Map<String, String> expectedCurrent = new HashMap<>();
            int keys = 40;
            for (int i = 0; i < keys; i++) {
                String key = "k" + i;
                // Out of order on purpose: v2 before v1.
                var v2 = Facts.put(bucket, key, "v2", "02", at(2));
                var v1 = Facts.put(bucket, key, "v1", "01", at(1));
                inputs.add(new Scenario.Delivery(Topics.OBJECT_EVENTS.name(), v2.recordKey(), Json.write(v2)));
                inputs.add(new Scenario.Delivery(Topics.OBJECT_EVENTS.name(), v1.recordKey(), Json.write(v1)));
                if (i % 5 == 0) {
                    var m = Facts.marker(bucket, key, "m3", "03", at(3));
                    inputs.add(new Scenario.Delivery(Topics.OBJECT_EVENTS.name(), m.recordKey(), Json.write(m)));
                    expectedCurrent.put(key, null);
                } else {
                    expectedCurrent.put(key, "v2");
                }
            }
            RealKafka.produce(kafka, inputs);
            RealKafka.awaitCaughtUp(kafka, app, Duration.ofSeconds(90));

            OutputTopics out = base.outputTopics();
            Map<String, FileHead> heads = new HashMap<>();
            for (ConsumerRecord<String, FileHead> r : RealKafka.readAll(kafka, out.files(), FileHead.class)) {
                if (r.key().startsWith(bucket + "/")) {
                    heads.put(r.value().key(), r.value());
                }
            }
            assertThat(heads).hasSize(keys);
            expectedCurrent.forEach((key, current) -> {
                assertThat(heads.get(key).currentVersionId()).as(key).isEqualTo(current);
                assertThat(heads.get(key).deleted()).as(key).isEqualTo(current == null);
                assertThat(heads.get(key).versionCount()).as(key).isEqualTo(2);
            });
            // Exactly once across two instances: one history record per input, no more.
            long changes = RealKafka.readAll(kafka, out.fileVersions(), FileVersionChange.class).stream()
                    .filter(r -> r.key().startsWith(bucket + "/")).count();
            assertThat(changes).isEqualTo(inputs.size());
            // The state's changelogs are created zstd-compressed (BENCHMARKS.md, state bytes per version).
            try (var admin = kafka.admin()) {
                List<String> changelogs = admin.listTopics().names().get().stream()
                        .filter(t -> t.startsWith(app + "-") && t.endsWith("-changelog")).toList();
                assertThat(changelogs).contains(app + "-versions-v2-changelog", app + "-version-index-v2-changelog");
                var resources = changelogs.stream().map(t -> new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, t)).toList();
                admin.describeConfigs(resources).all().get().forEach((topic, config) ->
                        assertThat(config.get("compression.type").value()).as(topic.name()).isEqualTo("zstd"));
            }

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.metricsPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.metricsPort() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"READY\"");
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + b.metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("filetrail_streams_records_total").contains("kafka_stream");
        }
        // Closed, the stores are flushed: every table of their data is ZSTD-compressed (state.StoreCompression).
        // Kafka Streams keeps its own "offsets" column family beside the data, with options of its own.
        List<Path> tables;
        try (var files = java.nio.file.Files.walk(dir)) {
            tables = files.filter(f -> f.toString().endsWith(".sst")).toList();
        }
        org.rocksdb.RocksDB.loadLibrary();
        Map<Path, String> dataTables = new HashMap<>();
        for (Path table : tables) {
            try (var options = new org.rocksdb.Options(); var reader = new org.rocksdb.SstFileReader(options)) {
                reader.open(table.toString());
                var properties = reader.getTableProperties();
                if (!"offsets".equals(new String(properties.getColumnFamilyName(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    dataTables.put(table, properties.getCompressionName());
                }
            }
        }
        assertThat(dataTables.keySet()).anyMatch(f -> f.toString().contains("versions-v2"));
        assertThat(dataTables).allSatisfy((table, codec) -> assertThat(codec).as(table.toString()).isEqualTo("ZSTD"));
    }

    @Test
    void configurationComesFromTheEnvironmentWithLocalDefaults() {
        MetadataStreamsConfig defaults = MetadataStreamsConfig.fromEnvironment(Map.of());
        assertThat(defaults.kafka()).isEqualTo(KafkaClientSettings.plaintext("127.0.0.1:9092"));
        assertThat(defaults.applicationId()).isEqualTo("filetrail-metadata-streams");
        assertThat(defaults.threads()).isEqualTo(1);
        assertThat(defaults.standbyReplicas()).isZero();
        assertThat(defaults.partitions()).isEqualTo(6);
        assertThat(defaults.metricsPort()).isEqualTo(9402);
        assertThat(defaults.auditSource()).isEqualTo("urn:filetrail:local");
        assertThat(defaults.outputTopics()).isEqualTo(OutputTopics.standard());
        MetadataStreamsConfig set = MetadataStreamsConfig.fromEnvironment(Map.of("STREAMS_THREADS", "4",
                "STREAMS_STANDBY_REPLICAS", "1", "TOPIC_PARTITIONS", "12", "AUDIT_SOURCE", "urn:x",
                "STREAMS_OUTPUT_TOPIC_SUFFIX", ".v"));
        assertThat(set.threads()).isEqualTo(4);
        assertThat(set.standbyReplicas()).isEqualTo(1);
        assertThat(set.partitions()).isEqualTo(12);
        assertThat(set.auditSource()).isEqualTo("urn:x");
        assertThat(set.outputTopics().files()).isEqualTo(Topics.FILES.name() + ".v");
        assertThat(MetadataStreams.streamsSettings(set).get("processing.guarantee")).isEqualTo("exactly_once_v2");
        assertThat(MetadataStreams.streamsSettings(set).get("num.standby.replicas")).isEqualTo(1);
        assertThat(defaults.stuckAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(MetadataStreamsConfig.fromEnvironment(Map.of("STREAMS_STUCK_AFTER_MS", "5000")).stuckAfter())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.outputTopics().deadLetters()).isEqualTo(Topics.STREAMS_DLQ.name());
        assertThat(set.outputTopics().deadLetters()).isEqualTo(Topics.STREAMS_DLQ.name() + ".v");
    }
}
