package dev.filetrail.streams;

import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Json;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.streams.replay.StreamsRebuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/**
 * Events/s through the metadata topology beside a pass-through topology with the same exactly-once settings, one
 * object with N versions beside N objects with one version, and state bytes per object, on a local broker.
 * {@code mvn -q -o -pl metadata-streams test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.filetrail.streams.MetadataStreamsBenchmark [-Dbench.events=100000]}
 */
public final class MetadataStreamsBenchmark {
    private static final int PARTITIONS = 6;
    private static final int THREADS = Integer.getInteger("bench.threads", 1);
    private static final long POLL_MS = Long.getLong("bench.pollMs", 50);
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private MetadataStreamsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = Integer.getInteger("bench.events", 100_000);
        System.out.printf("machine: %d cores, JVM max heap %d MB, events per run %d, partitions %d, stream threads %d,"
                        + " commit interval %d ms%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, events,
                PARTITIONS, THREADS, Long.getLong("bench.commitMs", MetadataStreamsConfig.DEFAULT_COMMIT_INTERVAL.toMillis()));
        Map<String, Object> results = new TreeMap<>();

        // Run 1: N objects x 1 version, pass-through and history on the same input, same broker, same settings.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            setup(kafka);
            produce(kafka, events, i -> Facts.put("bench", "obj-" + i, "v1", String.format("%016X", 16L), at(i)));
            // First pair on a cold JVM (as the original benchmark measured), then the same pair again on warm
            // code: a long-running service lives in the second; the first mostly measures the JIT compiler.
            double coldPass = run(kafka, app("pass-cold"), passThrough(), null);
            double coldHistory = run(kafka, app("hist-cold"), null, null);
            double pass = run(kafka, app("pass"), passThrough(), null);
            double io = run(kafka, app("io-only"), ioOnly(3), null);
            double ioMin = run(kafka, app("io-min"), ioOnly(1), null);
            Path state = Files.createTempDirectory("bench-state-");
            Run history = runHistory(kafka, app("hist-many"), state);
            results.put("3b io-only events/s (history's record count, no parsing)", Math.round(io));
            results.put("3c io-only / passthrough", String.format("%.2f", io / pass));
            results.put("3d history / io-only", String.format("%.2f", history.rate / io));
            results.put("3f io-min events/s (one logged store put, three outputs, no parsing)", Math.round(ioMin));
            results.put("3g io-min / passthrough", String.format("%.2f", ioMin / pass));
            results.put("3h history / io-min (issue 23 item 4: goal >= 0.70)", String.format("%.2f",
                    history.rate / ioMin));
            Map<String, Long> topics = topicBytes(kafka, List.of(Topics.OBJECT_EVENTS.name(), Topics.FILE_VERSIONS.name(),
                    Topics.FILES.name(), Topics.AUDIT.name(), "filetrail.bench.passthrough"));
            System.out.println("topic bytes on the broker: " + topics);
            results.put("3e history output bytes per input byte (on the broker)", String.format("%.1f",
                    // two history runs (cold and warm) wrote the outputs, one producer wrote the input
                    (topics.get(Topics.FILE_VERSIONS.name()) + topics.get(Topics.FILES.name()) + topics.get(Topics.AUDIT.name())) / 2.0
                            / topics.get(Topics.OBJECT_EVENTS.name())));
            results.put("0a cold JVM: passthrough events/s", Math.round(coldPass));
            results.put("0b cold JVM: history events/s", Math.round(coldHistory));
            results.put("0c cold JVM: history / passthrough", String.format("%.2f", coldHistory / coldPass));
            results.put("1 passthrough events/s", Math.round(pass));
            results.put("2 history events/s (N objects x 1 version)", Math.round(history.rate));
            results.put("3 history / passthrough", String.format("%.2f", history.rate / pass));
            StateBytes bytes = StateBytes.of(kafka, state, app("hist-many"));
            double perMillion = 1_000_000.0 / events;
            results.put("6 rocksdb bytes per object", bytes.rocksTotal() / events);
            results.put("7 rocksdb bytes per million objects", Math.round(bytes.rocksTotal() * perMillion));
            results.put("8 changelog bytes per object", bytes.changelogTotal() / events);
            results.put("9 changelog bytes per million objects", Math.round(bytes.changelogTotal() * perMillion));
            System.out.println("rocksdb bytes by store: " + bytes.rocks());
            System.out.println("changelog bytes by store: " + bytes.changelogs());
        }
        // Run 2: one object with N versions (a log file rewritten every minute).
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            setup(kafka);
            produce(kafka, events, i -> Facts.put("bench", "logs/app.log", String.format("v%08d", i),
                    String.format("%016X", (i + 1L) * 16), at(i)));
            Path state = Files.createTempDirectory("bench-state-");
            Run one = runHistory(kafka, app("hist-one"), state);
            results.put("4 history events/s (1 object x N versions)", Math.round(one.rate));
            double many = ((Number) results.get("2 history events/s (N objects x 1 version)")).doubleValue();
            results.put("5 many-objects / one-object rate ratio", String.format("%.2f", many / one.rate));
            StateBytes bytes = StateBytes.of(kafka, state, app("hist-one"));
            results.put("a rocksdb bytes per version (1 object x N versions)", bytes.rocksTotal() / events);
            results.put("b changelog bytes per version (1 object x N versions)", bytes.changelogTotal() / events);
            results.put("c state bytes per version, RocksDB + changelog (1 object x N versions; goal <= 100)",
                    bytes.total() / events);
            System.out.println("one object, rocksdb bytes by store: " + bytes.rocks());
            System.out.println("one object, changelog bytes by store: " + bytes.changelogs());
        }
        // Run 3: the same object history with ids as S3 makes them (32-character versionIds, MD5 ETags, 18-digit
        // sequencers), random and so nearly incompressible, where run 2's sequential test ids compress well.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            setup(kafka);
            java.util.Random random = new java.util.Random(23);
            produce(kafka, events, i -> s3LikePut(random, i));
            Path state = Files.createTempDirectory("bench-state-");
            runHistory(kafka, app("hist-one-s3ids"), state);
            StateBytes bytes = StateBytes.of(kafka, state, app("hist-one-s3ids"));
            results.put("d rocksdb bytes per version, S3-like ids", bytes.rocksTotal() / events);
            results.put("e changelog bytes per version, S3-like ids", bytes.changelogTotal() / events);
            results.put("f state bytes per version, RocksDB + changelog, S3-like ids", bytes.total() / events);
            System.out.println("one object, S3-like ids, changelog bytes by store: " + bytes.changelogs());
        }
        System.out.println("RESULTS");
        results.forEach((k, v) -> System.out.println("  " + k.substring(k.indexOf(' ') + 1) + ": " + v));
        System.exit(0);
    }

    private record Run(double rate) {
    }

    /** An application's state after its run, by store: RocksDB files in its state dir and changelog log sizes. */
    private record StateBytes(Map<String, Long> rocks, Map<String, Long> changelogs) {

        static StateBytes of(KafkaCluster kafka, Path stateDir, String app) throws Exception {
            return new StateBytes(rocksBytes(stateDir.resolve(app)), changelogBytes(kafka, app));
        }

        long rocksTotal() {
            return rocks.values().stream().mapToLong(Long::longValue).sum();
        }

        long changelogTotal() {
            return changelogs.values().stream().mapToLong(Long::longValue).sum();
        }

        long total() {
            return rocksTotal() + changelogTotal();
        }
    }

    private static final String VERSION_ID_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

    /** The i-th version of one object with a random 32-character versionId and a random MD5 ETag, as S3 gives them. */
    private static ObjectEvent s3LikePut(java.util.Random random, int i) {
        StringBuilder versionId = new StringBuilder(32);
        for (int c = 0; c < 32; c++) {
            versionId.append(VERSION_ID_CHARS.charAt(random.nextInt(VERSION_ID_CHARS.length())));
        }
        byte[] md5 = new byte[16];
        random.nextBytes(md5);
        String sequencer = String.format("%018X", 0x6500000000000000L + (i + 1L) * 0x1F3A7L);
        return Facts.event(dev.filetrail.events.object.ObjectEventType.VERSION_CREATED, "ObjectCreated:Put", "bench",
                "logs/app.log", versionId.toString(), sequencer, at(i), 1000L + random.nextInt(1_000_000),
                java.util.HexFormat.of().formatHex(md5), null, dev.filetrail.events.object.Origin.S3_NOTIFICATION);
    }

    /** Application ids under the streams prefix, the only ones a role may run. */
    private static String app(String name) {
        return KafkaRole.STREAMS_APPLICATION_PREFIX + "-bench-" + name;
    }

    private static Instant at(int i) {
        return T0.plusMillis(i);
    }

    private static void setup(KafkaCluster kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            new TopicSetup(PARTITIONS, (short) 1, -1).ensure(admin);
            admin.createTopics(List.of(new NewTopic("filetrail.bench.passthrough", PARTITIONS, (short) 1),
                    new NewTopic("filetrail.bench.io.io-a", PARTITIONS, (short) 1),
                    new NewTopic("filetrail.bench.io.io-b", PARTITIONS, (short) 1),
                    new NewTopic("filetrail.bench.io.io-c", PARTITIONS, (short) 1))).all().get();
        }
    }

    private static void produce(KafkaCluster kafka, int n, IntFunction<ObjectEvent> event) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.OPS).newProducer(p,
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                ObjectEvent e = event.apply(i);
                producer.send(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), e.recordKey(), Json.write(e)));
            }
            producer.flush();
        }
    }

    private static Topology passThrough() {
        Topology t = new Topology();
        t.addSource("in", new StringDeserializer(), new ByteArrayDeserializer(), Topics.OBJECT_EVENTS.name());
        t.addSink("out", "filetrail.bench.passthrough", new StringSerializer(), new ByteArraySerializer(), "in");
        return t;
    }

    /**
     * The ceiling of any topology that must write what the history topology writes: per input, {@code storeCount}
     * logged store puts and three output records, values being the input's bytes, with no parsing and no logic.
     * Three stores is what the history topology writes for a new version; one store and the three outputs the issue
     * names (file-versions, files, audit) is the least any design with a changelogged state can write.
     */
    private static Topology ioOnly(int storeCount) {
        Topology t = new Topology();
        t.addSource("in", new StringDeserializer(), new ByteArrayDeserializer(), Topics.OBJECT_EVENTS.name());
        List<String> sinks = List.of("io-a", "io-b", "io-c");
        List<String> stores = sinks.subList(0, storeCount);
        t.addProcessor("io", () -> new org.apache.kafka.streams.processor.api.Processor<String, byte[], String,
                byte[]>() {
            private org.apache.kafka.streams.processor.api.ProcessorContext<String, byte[]> context;

            @Override
            public void init(org.apache.kafka.streams.processor.api.ProcessorContext<String, byte[]> context) {
                this.context = context;
            }

            @Override
            public void process(org.apache.kafka.streams.processor.api.Record<String, byte[]> record) {
                for (String store : stores) {
                    context.<org.apache.kafka.streams.state.KeyValueStore<String, byte[]>>getStateStore(store)
                            .put(record.key() + store, record.value());
                }
                context.forward(record);
            }
        }, "in");
        for (String store : stores) {
            t.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                    org.apache.kafka.streams.state.Stores.persistentKeyValueStore(store),
                    org.apache.kafka.common.serialization.Serdes.String(),
                    org.apache.kafka.common.serialization.Serdes.ByteArray()), "io");
        }
        for (String sink : sinks) {
            t.addSink("out-" + sink, "filetrail.bench.io." + sink, new StringSerializer(), new ByteArraySerializer(), "io");
        }
        return t;
    }

    private static Map<String, Long> topicBytes(KafkaCluster kafka, List<String> topics) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Admin admin = kafka.admin()) {
            var dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
            dirs.values().forEach(d -> d.replicaInfos().forEach((tp, info) -> {
                if (topics.contains(tp.topic())) {
                    out.merge(tp.topic(), info.size(), Long::sum);
                }
            }));
        }
        return out;
    }

    private static Run runHistory(KafkaCluster kafka, String app, Path state) throws Exception {
        return new Run(run(kafka, app, null, state));
    }

    /**
     * Runs a topology (null: the metadata topology) from the start of the input. Events/s over the processing window:
     * from the first record processed to the last (the stream threads' {@code process-total}), so neither the group
     * join before it nor the wait for the last commit after it counts, whatever the thread count. Then waits until
     * the group's committed lag is 0, so state and outputs are complete before the next run.
     */
    private static double run(KafkaCluster kafka, String app, Topology topology, Path stateDir) throws Exception {
        Path dir = stateDir != null ? stateDir : Files.createTempDirectory("bench-state-");
        // The ops role: it may run any application id under the streams prefix and write the bench.* topics.
        MetadataStreamsConfig config = MetadataStreamsConfig.local(kafka.settings(KafkaRole.OPS)).withApplicationId(app)
                .withStateDir(dir).withPartitions(PARTITIONS).withMetricsPort(-1).withThreads(THREADS)
                .withCommitInterval(java.time.Duration.ofMillis(Long.getLong("bench.commitMs",
                        MetadataStreamsConfig.DEFAULT_COMMIT_INTERVAL.toMillis())));
        Map<String, Object> props = MetadataStreams.streamsSettings(config);
        String upperLevels = System.getProperty("bench.rocksdbUpperLevels");
        if (upperLevels != null) {
            props.put(dev.filetrail.streams.state.StoreCompression.UPPER_LEVELS, upperLevels);
        }
        String compression = System.getProperty("bench.compression");
        if (compression != null) {
            // To compare codecs side by side on one build: the producer's (outputs) and the internal topics'.
            props.put(org.apache.kafka.streams.StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG),
                    compression);
            props.put(org.apache.kafka.streams.StreamsConfig.topicPrefix(
                    org.apache.kafka.common.config.TopicConfig.COMPRESSION_TYPE_CONFIG), compression);
        }
        Topology built = topology;
        if (built == null) {
            MetadataTopology metadata = MetadataTopology.of(config,
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            props.putAll(metadata.errorHandling());
            built = metadata.build();
        }
        long inputs;
        try (Admin admin = kafka.admin()) {
            inputs = StreamsRebuild.retainedRecords(admin, List.of(Topics.OBJECT_EVENTS.name()));
            try (KafkaStreams streams = config.kafka().newStreams(built, props)) {
                streams.start();
                long first = 0;
                long firstCpu = 0;
                long processed;
                do {
                    // Not every 2 ms, as before: reading the metrics map (every store's RocksDB metrics) took a
                    // third of the samples during a history run (JFR, issue 23 item 4), more the more stores a
                    // topology has; 50 ms costs the window at most 50 ms at each end.
                    TimeUnit.MILLISECONDS.sleep(POLL_MS);
                    processed = processed(streams);
                    if (first == 0 && processed > 0) {
                        first = System.nanoTime();
                        firstCpu = processCpuNanos();
                    }
                } while (processed < inputs);
                double seconds = (System.nanoTime() - first) / 1e9;
                double cpuMicros = (processCpuNanos() - firstCpu) / 1e3 / inputs;
                while (StreamsRebuild.lag(admin, app, List.of(Topics.OBJECT_EVENTS.name())) > 0) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                double rate = inputs / seconds;
                System.out.printf("%s: %d events in %.2f s = %.0f events/s, JVM CPU %.1f us per event%n", app, inputs,
                        seconds, rate, cpuMicros);
                return rate;
            }
        }
    }

    /** Records the stream threads have processed so far. */
    private static long processed(KafkaStreams streams) {
        double total = 0;
        for (var metric : streams.metrics().entrySet()) {
            if (metric.getKey().group().equals("stream-thread-metrics") && metric.getKey().name().equals("process-total")) {
                total += ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        return (long) total;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Map<String, Long> rocksBytes(Path appDir) {
        Map<String, Long> byStore = new TreeMap<>();
        try (Stream<Path> files = Files.walk(appDir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                String rel = appDir.relativize(f).toString();
                String[] parts = rel.split("/");
                // <task>/rocksdb/<store>/... or <task>/<window-store>/<segment>/...
                String store = parts.length > 2 && parts[1].equals("rocksdb") ? parts[2]
                        : parts.length > 1 ? parts[1] : "other";
                if (store.startsWith(".") || store.endsWith(".lock") || store.equals("other")) {
                    return;
                }
                try {
                    byStore.merge(store, Files.size(f), Long::sum);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byStore;
    }

    private static Map<String, Long> changelogBytes(KafkaCluster kafka, String app) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Admin admin = kafka.admin()) {
            var dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
            dirs.values().forEach(d -> d.replicaInfos().forEach((tp, info) -> {
                if (tp.topic().startsWith(app + "-") && tp.topic().endsWith("-changelog")) {
                    String store = tp.topic().substring(app.length() + 1, tp.topic().length() - "-changelog".length());
                    out.merge(store, info.size(), Long::sum);
                }
            }));
        }
        return out;
    }

}
