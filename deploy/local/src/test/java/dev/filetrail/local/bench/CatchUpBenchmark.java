package dev.filetrail.local.bench;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.projection.ProjectionRebuild;
import dev.filetrail.api.projection.ProjectionListener;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.MetadataTopology;
import dev.filetrail.streams.replay.StreamsRebuild;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.postgresql.PGConnection;

/**
 * Catch-up of the whole pipeline, each stage beside its floor, in one run (issue 23, items 1-3): produce, topology
 * beside io-min, projector beside COPY, end to end, and a projection rebuild beside COPY of the same rows:
 * {@code mvn -q -pl deploy/local -am install -DskipTests && mvn -q -pl deploy/local test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=dev.filetrail.local.bench.CatchUpBenchmark
 * [-Dbench.events=200000] [-Dbench.keys=20000] [-Dbench.skip=io-min,end-to-end] [-Dbench.rounds=1]
 * [-Dbench.timeline=false]}. Skipping io-min and the end-to-end rounds (each adds an input of the same size) leaves the
 * stages the projector and the rebuild need: the 10⁶-row rebuild run. More rounds measure the live path warm.
 */
public final class CatchUpBenchmark {
    private static final int PARTITIONS = 6;
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final String IO_MIN_SINK = "filetrail.bench.catchup.io-min";
    /**
     * The tables a projection writes, counted as its rows and copied for the floor: since the change feed (issue 22)
     * that includes {@code changes}, one row per file-version record, which the projector and a rebuild write too.
     */
    private static final List<String> READ_MODEL_TABLES = List.of("files", "file_versions", "audit_events",
            "share_links", "changes");

    private CatchUpBenchmark() {
    }

    public static void main(String[] args) {
        int code = 0;
        try {
            measure(Integer.getInteger("bench.events", 200_000), Integer.getInteger("bench.keys", 20_000));
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            code = 1;
        }
        // The broker's and the server's leftover non-daemon threads would keep exec:java waiting.
        System.exit(code);
    }

    private static void measure(int events, int keys) throws Exception {
        List<String> skip = List.of(System.getProperty("bench.skip", "").split(","));
        System.out.printf("machine: %d cores, JVM max heap %d MB, events %,d over %,d keys, partitions %d, load %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, events, keys,
                PARTITIONS, Files.readString(Path.of("/proc/loadavg")).trim());
        List<String> rows = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0);
             PostgresServer postgres = PostgresServer.start(0);
             Admin admin = kafka.admin()) {
            new TopicSetup(PARTITIONS, (short) 1, -1).ensure(admin);
            for (String sink : List.of("a", "b", "c")) {
                admin.createTopics(List.of(new NewTopic(IO_MIN_SINK + "-" + sink, PARTITIONS, (short) 1))).all().get();
            }
            String url = postgres.createDatabaseNamed("catchup");
            Cpu pg = new Cpu(url);

            // 1. The broker takes the input bytes: the floor of every later stage.
            Inputs first = Inputs.of("catchup", events, keys);
            Stage produce = Stage.start(null);
            produce(kafka, first);
            produce.stop(first.count(), first.count());
            rows.add(produce.row("broker: produce the input (lz4, acks=all)", "events"));

            // 2. The least I/O any topology with changelogged state writes, then the real topology, same input.
            Stage ioMin = null;
            if (!skip.contains("io-min")) {
                ioMin = runTopology(kafka, admin, app("io-min"), ioMin(), first.count());
                rows.add(ioMin.row("topology floor: io-min (1 logged store put, 3 outputs, no parsing)", "events"));
            }
            Path state = Files.createTempDirectory("catchup-state-");
            Stage topology = runTopology(kafka, admin, app("history"), null, first.count(), state);
            rows.add(topology.row("topology: metadata-streams catch-up", "events"));

            // 3. The projector alone on what the topology wrote, then COPY of the very same rows.
            ReadModelDatabase db = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD,
                    "bench_projector", "bench_keys", 4, "bench");
            ReadModelDatabase.migrate(db.dataSource(), "bench_projector", ReadModelDatabase.READ_MODEL_MIGRATIONS);
            Stage project = Stage.start(pg);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API),
                    KafkaRole.PROJECTOR_GROUP_PREFIX + "-bench-" + System.nanoTime(), "bench_projector", registry,
                    ProjectionListener.NONE);
            projector.start();
            awaitProjected(admin, projector);
            long readModelRows = countRows(url, "bench_projector");
            project.stop(first.count(), readModelRows);
            rows.add(project.row("projector: Kafka -> read model (" + String.format("%,d", readModelRows) + " rows)",
                    "rows"));
            Stage copy = copyRows(url, pg, "bench_projector", "bench_copy", readModelRows);
            rows.add(copy.row("floor: PostgreSQL COPY of the same rows into tables of the same shape", "rows"));

            // 4. End to end: inputs of the same shape (other keys each round) with the topology and projector live.
            // The first round runs on a JVM that has compiled little of the live path yet; later rounds
            // (-Dbench.rounds) measure it warm, as a long-running service is.
            List<Stage> endToEnd = new ArrayList<>();
            if (!skip.contains("end-to-end")) {
                try (KafkaStreams streams = startStreams(kafka, app("history"), null, state)) {
                    awaitLag(admin, app("history"), 0);
                    // The clock starts once the instance owns its tasks: the group's rebalance after the previous stage's
                    // instance left (up to a session timeout) is start-up, not catch-up.
                    long joining = System.nanoTime();
                    while (streams.state() != KafkaStreams.State.RUNNING) {
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                    System.out.printf("end to end: streams RUNNING after %.1f s%n", (System.nanoTime() - joining) / 1e9);
                    int rounds = Integer.getInteger("bench.rounds", 1);
                    for (int round = 1; round <= rounds; round++) {
                        Inputs live = Inputs.of("live" + round, events, keys);
                        long before = countRows(url, "bench_projector");
                        System.out.printf("end to end, round %d: clock starts at %s%n", round, Instant.now());
                        Stage stage = Stage.start(pg);
                        Thread timeline = Boolean.getBoolean("bench.timeline") ? timeline(streams, registry, pg) : null;
                        produce(kafka, live);
                        awaitLag(admin, app("history"), 0);
                        System.out.printf("end to end, round %d: topology lag 0 after %.1f s%n", round, stage.elapsed());
                        awaitProjected(admin, projector);
                        stage.stop(live.count(), live.count());
                        if (timeline != null) {
                            timeline.interrupt();
                        }
                        long written = countRows(url, "bench_projector") - before;
                        System.out.printf("end to end, round %d: %,d rows written, clock stops at %s%n", round, written,
                                Instant.now());
                        endToEnd.add(stage);
                        rows.add(stage.row("end to end, round " + round + " of " + rounds
                                + ": events in -> all rows visible (topology + projector live; CPU per event)", "events"));
                    }
                }
            }
            projector.close();
            db.close();

            // 5. A rebuild of the whole read model (every round) beside COPY of the same rows, same run.
            Map<String, String> env = new HashMap<>(kafka.settings(KafkaRole.API).environment());
            env.put("DATABASE_URL", url);
            env.put("DATABASE_SCHEMA", "bench_projector");
            env.put("PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-bench");
            Stage rebuild = Stage.start(pg);
            new ProjectionRebuild(ApiConfig.fromMap(env)).run(p -> { }, false, true);
            long rebuiltRows = countRows(url, "bench_projector");
            rebuild.stop(rebuiltRows, rebuiltRows);
            rows.add(rebuild.row("rebuild: filetrail rebuild --projection (" + String.format("%,d", rebuiltRows)
                    + " rows, indexes built after the load)", "rows"));
            Stage copyAll = copyRows(url, pg, "bench_projector", "bench_copy_all", rebuiltRows);
            rows.add(copyAll.row("floor: COPY of the same rows", "rows"));

            System.out.println();
            System.out.println("| stage | rate | wall s | CPU µs per unit: JVM + PostgreSQL (of which PostgreSQL) |");
            System.out.println("|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.printf("%nRATIOS topology/io-min=%.2f projector/COPY=%.2f (CPU %.2f) rebuild/COPY=%.2f (CPU %.2f) "
                            + "end-to-end/produce=%.3f end-to-end=%,.0f events/s load=%s%n",
                    ioMin == null ? Double.NaN : topology.rate() / ioMin.rate(),
                    project.rate() / copy.rate(), copy.cpuPerUnit() / project.cpuPerUnit(),
                    rebuild.rate() / copyAll.rate(), copyAll.cpuPerUnit() / rebuild.cpuPerUnit(),
                    endToEnd.isEmpty() ? Double.NaN : endToEnd.get(endToEnd.size() - 1).rate() / produce.rate(),
                    endToEnd.isEmpty() ? Double.NaN : endToEnd.get(endToEnd.size() - 1).rate(),
                    Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    /** The input of one round: object events over {@code keys} keys, a tenth delete markers, a few thumbnails. */
    private record Inputs(List<ProducerRecord<String, byte[]>> records) {
        static Inputs of(String prefix, int events, int keys) {
            List<ProducerRecord<String, byte[]>> out = new ArrayList<>(events + events / 1000);
            for (int i = 0; i < events; i++) {
                int k = i % keys;
                int round = i / keys;
                String key = String.format("%s/%06d/file-%d.jpg", prefix, k, k % 7);
                String versionId = "v" + round + "-" + k;
                String sequencer = String.format("%016X", (i + 1L) * 16);
                Instant time = T0.plusMillis(i);
                boolean marker = (k + round) % 10 == 9;
                ObjectEventType type = marker ? ObjectEventType.DELETE_MARKER_CREATED : ObjectEventType.VERSION_CREATED;
                String name = marker ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectCreated:Put";
                ObjectEvent e = new ObjectEvent(EventIds.objectEventId("bench", key, versionId, sequencer, name, time),
                        "bench", key, versionId, sequencer, type, name, marker ? null : 1000L + i,
                        marker ? null : "etag-" + i, marker ? null : "STANDARD", time, "us-east-1", "AWS:AIDAEXAMPLE",
                        "203.0.113.9", null, null, Origin.of(Origin.S3_NOTIFICATION), time);
                out.add(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), e.recordKey(),
                        Topics.OBJECT_EVENTS.values().encode(e)));
                if (!marker && i % 1000 == 0) {
                    ProcessingResult thumbs = new ProcessingResult("thumb-" + prefix + i, ProcessingResult.THUMBNAILER,
                            "bench", key, versionId, ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 640, 480,
                            1000L, null, null, List.of(new Thumbnail(256, 256, 192, "image/jpeg", "derivatives",
                            "t/" + key + "/256.jpg", 900)), time.plusSeconds(1));
                    out.add(new ProducerRecord<>(Topics.PROCESSING_RESULTS.name(), e.recordKey(),
                            Topics.PROCESSING_RESULTS.values().encode(thumbs)));
                }
            }
            return new Inputs(out);
        }

        long count() {
            return records.size();
        }
    }

    private static void produce(EmbeddedKafka kafka, Inputs inputs) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.OPS).newProducer(p,
                new StringSerializer(), new ByteArraySerializer())) {
            inputs.records().forEach(producer::send);
            producer.flush();
        }
    }

    /** Application ids under the streams prefix, the only ones a role may run. */
    private static String app(String name) {
        return KafkaRole.STREAMS_APPLICATION_PREFIX + "-catchup-" + name;
    }

    private static Stage runTopology(EmbeddedKafka kafka, Admin admin, String app, Topology topology, long inputs)
            throws Exception {
        return runTopology(kafka, admin, app, topology, inputs, Files.createTempDirectory("catchup-state-"));
    }

    /**
     * Runs a topology (null: the metadata topology) from the start of the inputs; the window is from the first record
     * processed to the last (the stream threads' {@code process-total}), then it waits for committed lag 0.
     */
    private static Stage runTopology(EmbeddedKafka kafka, Admin admin, String app, Topology topology, long inputs,
                                     Path state) throws Exception {
        try (KafkaStreams streams = startStreams(kafka, app, topology, state)) {
            Stage stage = null;
            long processed;
            do {
                // Not faster: the metrics map holds every store's RocksDB metrics, and reading it every 2 ms cost
                // more CPU than the topology itself on this machine (JFR).
                TimeUnit.MILLISECONDS.sleep(50);
                processed = processed(streams);
                if (stage == null && processed > 0) {
                    stage = Stage.start(null);
                }
            } while (processed < inputs);
            stage.stop(inputs, inputs);
            awaitLag(admin, app, 0);
            return stage;
        }
    }

    private static KafkaStreams startStreams(EmbeddedKafka kafka, String app, Topology topology, Path state) {
        MetadataStreamsConfig config = MetadataStreamsConfig.local(kafka.settings(KafkaRole.OPS)).withApplicationId(app)
                .withStateDir(state).withPartitions(PARTITIONS).withMetricsPort(-1);
        Map<String, Object> props = MetadataStreams.streamsSettings(config);
        Topology built = topology;
        if (built == null) {
            MetadataTopology metadata = MetadataTopology.of(config, new SimpleMeterRegistry());
            props.putAll(metadata.errorHandling());
            built = metadata.build();
        }
        KafkaStreams streams = config.kafka().newStreams(built, props);
        streams.start();
        return streams;
    }

    private static void awaitLag(Admin admin, String app, long lag) throws InterruptedException {
        List<String> inputs = List.of(Topics.OBJECT_EVENTS.name(), Topics.PROCESSING_RESULTS.name());
        while (StreamsRebuild.lag(admin, app, inputs) > lag) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** One logged store put and three outputs per input, the input's bytes as values: no parsing, no logic. */
    private static Topology ioMin() {
        Topology t = new Topology();
        t.addSource("in", new StringDeserializer(), new ByteArrayDeserializer(), Topics.OBJECT_EVENTS.name(),
                Topics.PROCESSING_RESULTS.name());
        t.addProcessor("io", () -> new Processor<String, byte[], String, byte[]>() {
            private ProcessorContext<String, byte[]> context;

            @Override
            public void init(ProcessorContext<String, byte[]> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, byte[]> record) {
                context.<KeyValueStore<String, byte[]>>getStateStore("io-store").put(record.key(), record.value());
                context.forward(record);
            }
        }, "in");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("io-store"), Serdes.String(),
                Serdes.ByteArray()), "io");
        for (String sink : List.of("a", "b", "c")) {
            t.addSink("out-" + sink, IO_MIN_SINK + "-" + sink, new StringSerializer(), new ByteArraySerializer(), "io");
        }
        return t;
    }

    private static long processed(KafkaStreams streams) {
        double total = 0;
        for (var metric : streams.metrics().entrySet()) {
            if (metric.getKey().group().equals("stream-thread-metrics") && metric.getKey().name().equals("process-total")) {
                total += ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        return (long) total;
    }

    /**
     * Prints, every second, how far the stream threads and the projector are and the CPU the JVM and PostgreSQL used
     * in that second ({@code -Dbench.timeline=true}): where the end-to-end stage's wall clock goes.
     */
    private static Thread timeline(KafkaStreams streams, SimpleMeterRegistry registry, Cpu pg) {
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            long jvm = jvmCpuNanos();
            long server = pg.nanos();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    TimeUnit.SECONDS.sleep(1);
                    long jvmNow = jvmCpuNanos();
                    long serverNow = pg.nanos();
                    var batches = registry.find("filetrail_projector_batch").timer();
                    System.out.printf("timeline %5.1f s: processed %,d; projector batches %d (%.1f s in them);"
                                    + " CPU JVM %.2f PostgreSQL %.2f cores%n",
                            (System.nanoTime() - start) / 1e9, processed(streams),
                            batches == null ? 0 : batches.count(),
                            batches == null ? 0 : batches.totalTime(TimeUnit.MILLISECONDS) / 1e3,
                            (jvmNow - jvm) / 1e9, (serverNow - server) / 1e9);
                    jvm = jvmNow;
                    server = serverNow;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-timeline");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Waits until the projector has written every committed record of its topics: its stored next offset reaches the
     * last committed record + 1 (end offset - 1: the streams write transactions, so each partition ends with a commit
     * marker), or its own lag check says 0 after the end offsets were read.
     */
    private static void awaitProjected(Admin admin, Projector projector) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : Projector.TOPICS) {
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .forEach((p, info) -> ends.put(p, info.offset()));
        Map<TopicPartition, Long> last = Map.of();
        long unchangedSince = System.nanoTime();
        while (true) {
            if (projector.failure() != null) {
                throw new IllegalStateException("projector failed", projector.failure());
            }
            Map<TopicPartition, Long> committed = projector.committedOffsets();
            boolean done = ends.entrySet().stream()
                    .allMatch(e -> e.getValue() == 0 || committed.getOrDefault(e.getKey(), 0L) >= e.getValue() - 1);
            if (!committed.equals(last)) {
                last = committed;
                unchangedSince = System.nanoTime();
            }
            // The fallback (a partition that ends in more than one marker never reaches end - 1) also needs the
            // stored offsets to have stood still: a zero consumer lag alone is reached while the writing thread
            // still has the last batch in its transaction, and a run of 480,000 events was counted a batch short.
            if (done || (projector.lag() == 0 && System.nanoTime() - unchangedSince > 2_000_000_000L)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static long countRows(String url, String schema) throws Exception {
        long rows = 0;
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             Statement s = c.createStatement()) {
            for (String table : READ_MODEL_TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + "." + table)) {
                    rs.next();
                    rows += rs.getLong(1);
                }
            }
        }
        return rows;
    }

    /** Copies the projected rows out to memory, then times COPY FROM STDIN into same-shaped tables (indexes too). */
    private static Stage copyRows(String url, Cpu pg, String from, String to, long rows) throws Exception {
        Map<String, byte[]> data = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + to);
            for (String table : READ_MODEL_TABLES) {
                s.execute("CREATE TABLE " + to + "." + table + " (LIKE " + from + "." + table + " INCLUDING ALL)");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + from + "." + table + " TO STDOUT", out);
                data.put(table, out.toByteArray());
            }
            Stage stage = Stage.start(pg);
            c.setAutoCommit(false);
            for (String table : READ_MODEL_TABLES) {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + to + "." + table + " FROM STDIN",
                        new ByteArrayInputStream(data.get(table)));
            }
            c.commit();
            stage.stop(rows, rows);
            return stage;
        }
    }

    /** A timed stage: wall clock, this JVM's CPU and (when given) the PostgreSQL server's CPU. */
    private static final class Stage {
        private final Cpu pg;
        private final long startNanos;
        private final long startJvm;
        private final long startPg;
        private double seconds;
        private double cpuMicrosPerUnit;
        private double pgMicrosPerUnit;
        private double rate;

        private Stage(Cpu pg) {
            this.pg = pg;
            this.startNanos = System.nanoTime();
            this.startJvm = jvmCpuNanos();
            this.startPg = pg == null ? 0 : pg.nanos();
        }

        static Stage start(Cpu pg) {
            return new Stage(pg);
        }

        void stop(long rateUnits, long cpuUnits) {
            seconds = elapsed();
            long jvm = jvmCpuNanos() - startJvm;
            long server = pg == null ? 0 : pg.nanos() - startPg;
            cpuMicrosPerUnit = (jvm + server) / 1e3 / cpuUnits;
            pgMicrosPerUnit = server / 1e3 / cpuUnits;
            rate = rateUnits / seconds;
        }

        double elapsed() {
            return (System.nanoTime() - startNanos) / 1e9;
        }

        double rate() {
            return rate;
        }

        double cpuPerUnit() {
            return cpuMicrosPerUnit;
        }

        String row(String name, String unit) {
            String line = String.format("| %s | **%,.0f %s/s** | %.2f | %.1f (PostgreSQL %.1f) |", name, rate, unit,
                    seconds, cpuMicrosPerUnit, pgMicrosPerUnit);
            System.out.println(line);
            return line;
        }
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time of one PostgreSQL server: the postmaster, its live backends, and the backends that have exited. */
    private static final class Cpu {
        private final long postmaster;
        private final long tick = 10_000_000L; // USER_HZ = 100 on Linux

        Cpu(String url) throws Exception {
            try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SHOW data_directory")) {
                rs.next();
                postmaster = Long.parseLong(Files.readAllLines(Path.of(rs.getString(1), "postmaster.pid")).get(0).trim());
            }
        }

        long nanos() {
            long ticks = 0;
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path proc : (Iterable<Path>) procs::iterator) {
                    String name = proc.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        String stat = Files.readString(proc.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long pid = Long.parseLong(name);
                        long ppid = Long.parseLong(f[1]);
                        if (pid == postmaster) {
                            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                                    + Long.parseLong(f[14]);
                        } else if (ppid == postmaster) {
                            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        }
                    } catch (Exception gone) {
                        // the process exited between listing and reading
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot read /proc", e);
            }
            return ticks * tick;
        }
    }
}
