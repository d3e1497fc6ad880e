package dev.filetrail.streams;

import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.events.service.AdminServer;
import dev.filetrail.events.service.Service;
import dev.filetrail.events.service.ServiceShell;
import dev.filetrail.streams.http.Health;
import dev.filetrail.streams.http.StreamsReadiness;
import dev.filetrail.streams.state.RestoreProgress;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata-streams service: checks its topics, runs the topology with exactly-once and its dead-letter
 * handlers, serves metrics, liveness and readiness.
 */
public final class MetadataStreams implements Service {
    private static final Logger log = LoggerFactory.getLogger(MetadataStreams.class);

    private final MetadataStreamsConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MetadataTopology topology;
    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private final StreamsReadiness readiness;
    private final RestoreProgress restores;
    /** What the last sample found, so that only changes of readiness are logged (the sampler thread alone writes it). */
    private boolean lastReady;
    private KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private AdminServer metricsServer;
    private boolean closed;
    private ScheduledExecutorService progressSampler;

    public MetadataStreams(MetadataStreamsConfig config) {
        this.config = config;
        unifyRocksDbTags(registry);
        this.topology = MetadataTopology.of(config, registry);
        this.readiness = new StreamsReadiness(config.stuckAfter(), Instant::now);
        this.restores = new RestoreProgress(registry);
    }

    /**
     * Kafka Streams tags the RocksDB metrics of key-value, window and session stores with different tag keys;
     * Prometheus needs one key set per metric name and would drop the later ones, so all use the key-value key.
     */
    static void unifyRocksDbTags(MeterRegistry meters) {
        meters.config().meterFilter(MeterFilter.renameTag("kafka.stream", "rocksdb.window.state.id", "rocksdb.state.id"));
        meters.config().meterFilter(MeterFilter.renameTag("kafka.stream", "rocksdb.session.state.id", "rocksdb.state.id"));
    }

    public MetadataStreamsConfig config() {
        return config;
    }

    /**
     * The Kafka Streams settings this service runs with, but for the connection (from {@code config.kafka()}) and
     * the topology's error handling (see start).
     */
    public static Map<String, Object> streamsSettings(MetadataStreamsConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
        // Changelogs and repartition topics get the contract topics' min.insync.replicas (TopicSetup's rule).
        p.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                new TopicSetup(1, config.replicationFactor(), -1).minInsyncReplicas());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Results are merged with events by timestamp; a task waits for data already on the broker (Kafka's
        // default), which keeps replays in the same order as the first run.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 4 * 1024 * 1024);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        // Each input fans out to several outputs and changelogs: compression and a short linger fill batches.
        // zstd, not lz4: the outputs and changelogs are kept (replays, compaction), and zstd stores the outputs in
        // 2.0-2.1 bytes per input byte instead of 3.6-3.7 and a version's changelog records in 22 B instead of 59
        // (100 instead of 140 with S3's random ids), for 0.89-1.20x lz4's CPU per event on the stream thread
        // (BENCHMARKS.md, "Changelog, output and store codecs"). The changelogs are created zstd too, so that a
        // producer set otherwise cannot make the state's topics bigger (the broker then recompresses).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        p.put(StreamsConfig.topicPrefix(TopicConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        // RocksDB blocks compressed (Kafka Streams' default is none): see StoreCompression for the choices.
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, dev.filetrail.streams.state.StoreCompression.class);
        membership(config.membership(), p);
        return p;
    }

    /**
     * Static membership and rack awareness: a stable {@code group.instance.id} (main consumer only: the restore and
     * global consumers are not group members), the zone as {@code client.rack} (every consumer, so fetches may go
     * to a replica in the same zone) and as the {@code zone} client tag, which the standby assignor keeps apart from
     * the active task's.
     */
    private static void membership(MetadataStreamsConfig.Membership membership, Map<String, Object> p) {
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                (int) membership.sessionTimeout().toMillis());
        p.put(StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_CONFIG, membership.rackAwareStrategy());
        if (membership.isStatic()) {
            p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), membership.instanceId());
        }
        if (!membership.rack().isEmpty()) {
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.CLIENT_RACK_CONFIG), membership.rack());
            p.put(StreamsConfig.clientTagPrefix(MetadataStreamsConfig.Membership.ZONE_TAG), membership.rack());
            p.put(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG, MetadataStreamsConfig.Membership.ZONE_TAG);
        }
    }

    /**
     * Checks that its input and output topics exist and the inputs are co-partitioned (creating them is the
     * operator's job), starts the streams and waits (bounded by the start timeout) until RUNNING.
     */
    public synchronized MetadataStreams start() {
        if (streams != null || closed) {
            throw new IllegalStateException(closed ? "closed; build a new one" : "already started");
        }
        List<String> topics = new ArrayList<>(Topics.CO_PARTITIONED);
        topics.addAll(config.outputTopics().all());
        ServiceShell.requireTopics(config.kafka(), topics);
        try (org.apache.kafka.clients.admin.Admin admin = config.kafka().newAdmin()) {
            dev.filetrail.streams.state.StateFormatGuard.check(admin, config.applicationId());
        }
        CountDownLatch running = new CountDownLatch(1);
        Map<String, Object> settings = streamsSettings(config);
        settings.putAll(topology.errorHandling());
        streams = config.kafka().newStreams(topology.build(), settings);
        streams.setGlobalStateRestoreListener(restores);
        streams.setStateListener((newState, oldState) -> {
            state.set(newState);
            readiness.stateChanged(newState);
            log.info("streams state applicationId={} from={} to={}", config.applicationId(), oldState, newState);
            if (newState == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            // The handler runs on the failing stream thread, which stays listed (RUNNING, with its tasks' last
            // offsets) for a moment after it returns.
            failedThreads.add(Thread.currentThread().getName());
            readiness.threadFailed(e);
            log.error("stream thread failed applicationId={} task={}; replacing the thread", config.applicationId(),
                    e instanceof StreamsException se ? se.taskId().map(Object::toString).orElse("none") : "none", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        if (config.metricsPort() >= 0) {
            metricsServer = new AdminServer("metadata-streams", config.metricsPort(), registry,
                    () -> health().status("UP", "DOWN"), () -> readiness.check().status("READY", "NOT_READY")).start();
        }
        streams.start();
        progressSampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "streams-progress-" + config.applicationId());
            thread.setDaemon(true);
            return thread;
        });
        progressSampler.scheduleWithFixedDelay(this::sampleProgress, 1, 1, TimeUnit.SECONDS);
        try {
            if (!running.await(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("streams did not reach RUNNING within " + config.startTimeout()
                        + " (state " + streams.state() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for streams to start", e);
        }
        log.info("metadata streams running applicationId={} metricsPort={} instanceId={} rack={} restoredRecords={}",
                config.applicationId(), metricsPort(), config.membership().instanceId(), config.membership().rack(),
                restores.restoredRecords());
        return this;
    }

    /** Thread states whose task metadata is stale. */
    private static final Set<String> DYING = Set.of("PENDING_SHUTDOWN", "DEAD");
    /** Stream threads that failed and may still be listed: their tasks' offsets are stale. */
    private final Set<String> failedThreads = ConcurrentHashMap.newKeySet();

    /** Hands readiness the committed and end offsets of the local tasks' input partitions, live threads only. */
    private void sampleProgress() {
        try {
            Set<TopicPartition> assigned = new HashSet<>();
            Map<TopicPartition, Long> committed = new HashMap<>();
            Map<TopicPartition, Long> end = new HashMap<>();
            Set<String> listed = new HashSet<>();
            for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
                listed.add(thread.threadName());
                if (DYING.contains(thread.threadState()) || failedThreads.contains(thread.threadName())) {
                    continue;
                }
                for (TaskMetadata task : thread.activeTasks()) {
                    assigned.addAll(task.topicPartitions());
                    committed.putAll(task.committedOffsets());
                    end.putAll(task.endOffsets());
                }
            }
            // A failed thread's name may be given to a later replacement once it is gone from the list.
            failedThreads.retainAll(listed);
            readiness.sample(assigned, committed, end);
            log.debug("progress sampled applicationId={} state={} assigned={} committed={} end={}",
                    config.applicationId(), streams.state(), assigned, committed, end);
            Health now = readiness.check();
            if (now.up() != lastReady) {
                lastReady = now.up();
                log.info("streams readiness changed applicationId={} ready={} reason={}", config.applicationId(),
                        now.up(), now.reason());
            }
        } catch (RuntimeException e) {
            log.debug("progress not sampled applicationId={} error={}", config.applicationId(), e.toString());
        }
    }

    /** Kafka Streams state now; RUNNING and REBALANCING count as healthy (alive). */
    public Health health() {
        KafkaStreams.State s = state.get();
        return new Health(s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING,
                s.name(), null);
    }

    /** Whether the streams are doing their work, or have been stuck for longer than STREAMS_STUCK_AFTER_MS. */
    public Health ready() {
        return readiness.check();
    }

    /** The recorder of this instance's dead letters (counts by kind). */
    public dev.filetrail.streams.deadletters.DeadLetterRecorder deadLetters() {
        return topology.deadLetters();
    }

    /** What this instance restored from the changelogs since it started. */
    public RestoreProgress restores() {
        return restores;
    }

    public KafkaStreams.State state() {
        return state.get();
    }

    /** The running KafkaStreams (for metadata and interactive queries); null before start. */
    public KafkaStreams kafkaStreams() {
        return streams;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public ProcessingMetrics processingMetrics() {
        return topology.metrics();
    }

    /** The bound metrics port, or -1 when not serving. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    @Override
    public int adminPort() {
        return metricsPort();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (progressSampler != null) {
            progressSampler.shutdownNow();
        }
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
            streams = null;
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
            metricsServer = null;
        }
        registry.close();
    }
}
