package dev.filetrail.streams.state;

import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.replay.StreamsRebuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How fast one instance restores its state from the changelogs: N versions written through the topology, the
 * service stopped, then started again twice side by side on the same broker — once with its state dir kept, once
 * with it wiped — timing each start until RUNNING, with the restore listener's record counts and the changelogs'
 * bytes on the broker; then the kept state dir once more as a new dynamic member (no instance id). One partition by
 * default, so the numbers are per partition.
 * {@code mvn -q -o -pl metadata-streams test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.filetrail.streams.state.RestoreBenchmark [-Dbench.versions=500000] [-Dbench.partitions=1]}
 */
public final class RestoreBenchmark {
    private static final int PARTITIONS = Integer.getInteger("bench.partitions", 1);
    private static final int VERSIONS_PER_OBJECT = Integer.getInteger("bench.versionsPerObject", 10);
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private RestoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int versions = Integer.getInteger("bench.versions", 200_000);
        System.out.printf("machine: %d cores, JVM max heap %d MB, versions %d (%d per object), partitions %d%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, versions,
                VERSIONS_PER_OBJECT, PARTITIONS);
        Map<String, Object> results = new TreeMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            try (Admin admin = kafka.admin()) {
                new TopicSetup(PARTITIONS, (short) 1, -1).ensure(admin);
            }
            produce(kafka, versions);
            String app = KafkaRole.STREAMS_APPLICATION_PREFIX + "-bench-restore";
            Path kept = Files.createTempDirectory("bench-restore-kept-");
            MetadataStreamsConfig config = MetadataStreamsConfig.local(kafka.settings(KafkaRole.OPS))
                    .withApplicationId(app).withStateDir(kept).withPartitions(PARTITIONS).withMetricsPort(-1)
                    .withStartTimeout(Duration.ofMinutes(30));
            // A task slot: the same instance id at every start (static membership), as in AWS.
            config = config.withMembership(config.membership().withInstanceId("bench-slot-0"));
            long written = System.nanoTime();
            try (MetadataStreams first = new MetadataStreams(config).start(); Admin admin = kafka.admin()) {
                while (StreamsRebuild.lag(admin, app, StreamsRebuild.INPUTS) > 0) {
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
            System.out.printf("wrote %d versions through the topology in %.1f s%n", versions,
                    (System.nanoTime() - written) / 1e9);
            Map<String, Long> changelogRecords = changelogRecords(kafka, app);
            Map<String, Long> changelogBytes = changelogBytes(kafka, app);
            long records = changelogRecords.values().stream().mapToLong(Long::longValue).sum();
            long bytes = changelogBytes.values().stream().mapToLong(Long::longValue).sum();
            System.out.println("changelog records by store: " + changelogRecords);
            System.out.println("changelog bytes by store (the shipping codec, uncompacted): " + changelogBytes);

            // Side by side: the kept state dir, then a wiped copy of the same application.
            Start keptStart = start(config);
            Path empty = Files.createTempDirectory("bench-restore-empty-");
            Start wipedStart = start(config.withStateDir(empty));
            // The same kept state dir as a new (dynamic) member: it joins while the stopped static member still
            // holds the tasks, so the group first waits out that member's session (Kafka Streams does not leave
            // the group on close).
            Start dynamicStart = start(config.withMembership(MetadataStreamsConfig.Membership.DYNAMIC));
            delete(kept);
            delete(empty);

            results.put("1 changelog records (all stores, " + PARTITIONS + " partition(s))", records);
            results.put("2 changelog bytes on the broker", bytes);
            results.put("3 kept state dir: records restored", keptStart.restored);
            results.put("4 kept state dir: start until RUNNING ms", keptStart.toRunning.toMillis());
            results.put("5 wiped state dir: records restored", wipedStart.restored);
            results.put("6 wiped state dir: start until RUNNING ms", wipedStart.toRunning.toMillis());
            results.put("7 wiped state dir: restore window ms (first restore start to last end)",
                    wipedStart.restoreWindow.toMillis());
            double seconds = wipedStart.restoreWindow.toNanos() / 1e9;
            results.put("8 restore records/s per partition", Math.round(wipedStart.restored / seconds / PARTITIONS));
            results.put("9 restore changelog bytes/s per partition", Math.round(bytes / seconds / PARTITIONS));
            results.put("a restore records/s per partition, start to RUNNING",
                    Math.round(wipedStart.restored / (wipedStart.toRunning.toNanos() / 1e9) / PARTITIONS));
            results.put("b wiped / kept start time ratio", String.format("%.1f",
                    (double) wipedStart.toRunning.toNanos() / keptStart.toRunning.toNanos()));
            results.put("c changelog bytes per version", bytes / versions);
            results.put("d kept state dir, new dynamic member: start until RUNNING ms", dynamicStart.toRunning.toMillis());
            results.put("e kept state dir, new dynamic member: records restored", dynamicStart.restored);
        }
        System.out.println("RESULTS");
        results.forEach((k, v) -> System.out.println("  " + k.substring(k.indexOf(' ') + 1) + ": " + v));
        System.exit(0);
    }

    private record Start(Duration toRunning, long restored, Duration restoreWindow) {
    }

    /** Starts the service (start() returns at RUNNING, restores done), stops it, and says what the start cost. */
    private static Start start(MetadataStreamsConfig config) {
        long began = System.nanoTime();
        try (MetadataStreams service = new MetadataStreams(config)) {
            service.start();
            Duration toRunning = Duration.ofNanos(System.nanoTime() - began);
            RestoreProgress restores = service.restores();
            Duration window = restores.finished().stream().map(RestoreProgress.Restored::took)
                    .max(Comparator.naturalOrder()).orElse(Duration.ZERO);
            System.out.printf("start with %s: RUNNING after %d ms, %d records restored, restores %s%n",
                    config.stateDir(), toRunning.toMillis(), restores.restoredRecords(),
                    restores.finished().stream().filter(r -> r.records() > 0).toList());
            return new Start(toRunning, restores.restoredRecords(), window);
        }
    }

    /** N versions: objects of VERSIONS_PER_OBJECT versions each, in sequencer order. */
    private static void produce(KafkaCluster kafka, int versions) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.OPS).newProducer(p,
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < versions; i++) {
                int object = i % Math.max(1, versions / VERSIONS_PER_OBJECT);
                int version = i / Math.max(1, versions / VERSIONS_PER_OBJECT);
                ObjectEvent e = Facts.put("bench", "obj-" + object, String.format("v%08d", version),
                        String.format("%016X", (version + 1L) * 16), T0.plusMillis(i));
                producer.send(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), e.recordKey(), Json.write(e)));
                if (i % 1000 == 0) {
                    // One sequencer-less fact per thousand versions: the dedupe store gets changelog records too.
                    ObjectEvent moved = Facts.transition("bench", "obj-" + object, String.format("v%08d", version),
                            "STANDARD_IA", T0.plusMillis(i + 1));
                    producer.send(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), moved.recordKey(),
                            Json.write(moved)));
                }
            }
            producer.flush();
        }
    }

    private static Map<String, Long> changelogRecords(KafkaCluster kafka, String app) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Admin admin = kafka.admin()) {
            List<String> topics = admin.listTopics().names().get().stream()
                    .filter(t -> t.startsWith(app + "-") && t.endsWith("-changelog")).toList();
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
                d.partitions().forEach(p -> specs.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            // End offsets count transaction markers too: an upper bound of the data records.
            admin.listOffsets(specs).all().get().forEach((tp, info) -> out.merge(store(app, tp.topic()), info.offset(),
                    Long::sum));
        }
        return out;
    }

    private static Map<String, Long> changelogBytes(KafkaCluster kafka, String app) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Admin admin = kafka.admin()) {
            var dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
            dirs.values().forEach(d -> d.replicaInfos().forEach((tp, info) -> {
                if (tp.topic().startsWith(app + "-") && tp.topic().endsWith("-changelog")) {
                    out.merge(store(app, tp.topic()), info.size(), Long::sum);
                }
            }));
        }
        return out;
    }

    private static String store(String app, String topic) {
        return topic.substring(app.length() + 1, topic.length() - "-changelog".length());
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
