package dev.filetrail.streams;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.streams.state.TaskZone;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Everything the metadata-streams service is configured with, read from environment variables whose defaults
 * point at the local stack.
 *
 * @param kafka                 KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*: the streams role's login
 * @param applicationId         STREAMS_APPLICATION_ID: Kafka Streams application id (consumer group, store and
 *                              changelog prefix); a new id rebuilds all state from the retained log
 * @param stateDir              STREAMS_STATE_DIR: where RocksDB keeps the local stores
 * @param threads               STREAMS_THREADS: stream threads in this instance
 * @param standbyReplicas       STREAMS_STANDBY_REPLICAS: warm copies of each store on other instances
 * @param partitions            TOPIC_PARTITIONS: partitions of a rebuild's side-by-side output topics
 * @param replicationFactor     TOPIC_REPLICATION_FACTOR: replication of Kafka Streams' changelog and repartition
 *                              topics (and of a rebuild's side-by-side outputs)
 * @param auditRetentionMs      AUDIT_RETENTION_MS: retention of the audit topic, -1 forever
 * @param metricsPort           STREAMS_METRICS_PORT: port of /metrics and /health, 0 picks a free one, -1 none
 * @param auditSource           AUDIT_SOURCE: CloudEvents {@code source} of every audit event
 * @param dedupeHorizon         STREAMS_DEDUPE_HORIZON_MS: how long a seen event/result/command id is remembered
 * @param outputTopicSuffix     STREAMS_OUTPUT_TOPIC_SUFFIX: appended to the four output topic names (blank in
 *                              production; a rebuild may write side-by-side topics)
 * @param startTimeout          STREAMS_START_TIMEOUT_MS: how long {@code start()} waits for RUNNING
 * @param commitInterval        STREAMS_COMMIT_INTERVAL_MS: exactly-once transaction length; outputs become visible
 *                              to read_committed readers at most this late
 * @param stuckAfter            STREAMS_STUCK_AFTER_MS: how long the streams may be out of RUNNING/REBALANCING,
 *                              rebalancing, or failing stream threads again and again before /ready answers 503
 * @param membership            STREAMS_INSTANCE_ID, STREAMS_RACK (or the ECS task's zone), STREAMS_RACK_AWARE_STRATEGY,
 *                              STREAMS_SESSION_TIMEOUT_MS: who this instance is in the group and where it runs
 */
public record MetadataStreamsConfig(
        KafkaClientSettings kafka,
        String applicationId,
        Path stateDir,
        int threads,
        int standbyReplicas,
        int partitions,
        short replicationFactor,
        long auditRetentionMs,
        int metricsPort,
        String auditSource,
        Duration dedupeHorizon,
        String outputTopicSuffix,
        Duration startTimeout,
        Duration commitInterval,
        Duration stuckAfter,
        Membership membership) {

    public static final String DEFAULT_APPLICATION_ID = "filetrail-metadata-streams";
    public static final Duration DEFAULT_DEDUPE_HORIZON = Duration.ofDays(7);
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofMinutes(2);

    public MetadataStreamsConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(auditSource, "auditSource");
        Objects.requireNonNull(dedupeHorizon, "dedupeHorizon");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(stuckAfter, "stuckAfter");
        membership = membership == null ? Membership.DYNAMIC : membership;
        outputTopicSuffix = outputTopicSuffix == null ? "" : outputTopicSuffix;
        if (threads < 1 || standbyReplicas < 0 || partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("threads, partitions and replication factor must be >= 1, standby >= 0");
        }
        if (dedupeHorizon.isNegative() || dedupeHorizon.isZero()) {
            throw new IllegalArgumentException("dedupe horizon must be positive: " + dedupeHorizon);
        }
        if (stuckAfter.isNegative() || stuckAfter.isZero()) {
            throw new IllegalArgumentException("STREAMS_STUCK_AFTER_MS must be positive: " + stuckAfter);
        }
    }

    /** Reads the process environment. */
    public static MetadataStreamsConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Reads the given variables, with local-stack defaults for the absent ones. */
    public static MetadataStreamsConfig fromEnvironment(Map<String, String> env) {
        return new MetadataStreamsConfig(
                KafkaClientSettings.fromEnvironment(env),
                get(env, "STREAMS_APPLICATION_ID", DEFAULT_APPLICATION_ID),
                Path.of(get(env, "STREAMS_STATE_DIR", defaultStateDir().toString())),
                Integer.parseInt(get(env, "STREAMS_THREADS", "1")),
                Integer.parseInt(get(env, "STREAMS_STANDBY_REPLICAS", "0")),
                Integer.parseInt(get(env, "TOPIC_PARTITIONS", "6")),
                Short.parseShort(get(env, "TOPIC_REPLICATION_FACTOR", "1")),
                Long.parseLong(get(env, "AUDIT_RETENTION_MS", "-1")),
                Integer.parseInt(get(env, "STREAMS_METRICS_PORT", "9402")),
                get(env, "AUDIT_SOURCE", "urn:filetrail:local"),
                Duration.ofMillis(Long.parseLong(get(env, "STREAMS_DEDUPE_HORIZON_MS",
                        String.valueOf(DEFAULT_DEDUPE_HORIZON.toMillis())))),
                get(env, "STREAMS_OUTPUT_TOPIC_SUFFIX", ""),
                Duration.ofMillis(Long.parseLong(get(env, "STREAMS_START_TIMEOUT_MS", "120000"))),
                Duration.ofMillis(Long.parseLong(get(env, "STREAMS_COMMIT_INTERVAL_MS",
                        String.valueOf(DEFAULT_COMMIT_INTERVAL.toMillis())))),
                Duration.ofMillis(Long.parseLong(get(env, "STREAMS_STUCK_AFTER_MS",
                        String.valueOf(DEFAULT_STUCK_AFTER.toMillis())))),
                new Membership(get(env, "STREAMS_INSTANCE_ID", ""),
                        get(env, "STREAMS_RACK", "").isEmpty() ? TaskZone.fromEnvironment(env).orElse("")
                                : get(env, "STREAMS_RACK", ""),
                        get(env, "STREAMS_RACK_AWARE_STRATEGY", StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_NONE),
                        Duration.ofMillis(Long.parseLong(get(env, "STREAMS_SESSION_TIMEOUT_MS",
                                String.valueOf(Membership.DEFAULT_SESSION_TIMEOUT.toMillis()))))));
    }

    /** The local stack's settings against the given broker and login (tests and benchmarks). */
    public static MetadataStreamsConfig local(KafkaClientSettings kafka) {
        return fromEnvironment(kafka.environment());
    }

    /** The same service logging in otherwise (a rebuild runs as the ops role). */
    public MetadataStreamsConfig withKafka(KafkaClientSettings settings) {
        return new MetadataStreamsConfig(settings, applicationId, stateDir, threads, standbyReplicas, partitions,
                replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon, outputTopicSuffix,
                startTimeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withApplicationId(String id) {
        return new MetadataStreamsConfig(kafka, id, stateDir, threads, standbyReplicas, partitions,
                replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon, outputTopicSuffix,
                startTimeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withStateDir(Path dir) {
        return new MetadataStreamsConfig(kafka, applicationId, dir, threads, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon,
                outputTopicSuffix, startTimeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withMetricsPort(int port) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, threads, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, port, auditSource, dedupeHorizon, outputTopicSuffix,
                startTimeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withOutputTopicSuffix(String suffix) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, threads, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon, suffix,
                startTimeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withPartitions(int count) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, threads, standbyReplicas,
                count, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon,
                outputTopicSuffix, startTimeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withThreads(int count) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, count, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon,
                outputTopicSuffix, startTimeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withCommitInterval(Duration interval) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, threads, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon,
                outputTopicSuffix, startTimeout, interval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withStuckAfter(Duration bound) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, threads, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon,
                outputTopicSuffix, startTimeout, commitInterval, bound, membership);
    }

    public MetadataStreamsConfig withStartTimeout(Duration timeout) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, threads, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon,
                outputTopicSuffix, timeout, commitInterval, stuckAfter, membership);
    }

    public MetadataStreamsConfig withMembership(Membership value) {
        return new MetadataStreamsConfig(kafka, applicationId, stateDir, threads, standbyReplicas,
                partitions, replicationFactor, auditRetentionMs, metricsPort, auditSource, dedupeHorizon,
                outputTopicSuffix, startTimeout, commitInterval, stuckAfter, value);
    }

    /** The output topic names this configuration writes to. */
    public OutputTopics outputTopics() {
        return OutputTopics.standard().withSuffix(outputTopicSuffix);
    }

    /**
     * How this instance joins its group. A blank instance id is dynamic membership (every restart is a new member
     * and moves tasks); a stable one per task slot is static membership: a member that comes back within the
     * session timeout gets its tasks back without a rebalance, so it keeps using the state it left on disk.
     *
     * @param instanceId        STREAMS_INSTANCE_ID: {@code group.instance.id} (Kafka Streams appends the thread
     *                          index), blank for dynamic membership
     * @param rack              STREAMS_RACK, else the ECS task's availability zone: {@code client.rack} and the
     *                          {@code zone} client tag that keeps a standby out of its active task's zone; blank
     *                          when unknown
     * @param rackAwareStrategy STREAMS_RACK_AWARE_STRATEGY: {@code rack.aware.assignment.strategy} ({@code none},
     *                          {@code min_traffic}, {@code balance_subtopology})
     * @param sessionTimeout    STREAMS_SESSION_TIMEOUT_MS: how long the group waits for a member before moving its
     *                          tasks; a static member's restart must fit in it
     */
    public record Membership(String instanceId, String rack, String rackAwareStrategy, Duration sessionTimeout) {
        public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);
        /** The client tag that carries the zone; standbys go to a client whose tag differs from the active's. */
        public static final String ZONE_TAG = "zone";
        private static final Set<String> STRATEGIES = Set.of(StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_NONE,
                StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_MIN_TRAFFIC,
                StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_BALANCE_SUBTOPOLOGY);
        /** No instance id, no rack: the local stack's membership. */
        public static final Membership DYNAMIC = new Membership("", "",
                StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_NONE, DEFAULT_SESSION_TIMEOUT);

        public Membership {
            instanceId = instanceId == null ? "" : instanceId.trim();
            rack = rack == null ? "" : rack.trim();
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
            if (!STRATEGIES.contains(rackAwareStrategy)) {
                throw new IllegalArgumentException("STREAMS_RACK_AWARE_STRATEGY must be one of " + STRATEGIES
                        + ": " + rackAwareStrategy);
            }
            if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
                throw new IllegalArgumentException("STREAMS_SESSION_TIMEOUT_MS must be positive: " + sessionTimeout);
            }
        }

        /** Static membership: a stable instance id. */
        public boolean isStatic() {
            return !instanceId.isEmpty();
        }

        public Membership withInstanceId(String id) {
            return new Membership(id, rack, rackAwareStrategy, sessionTimeout);
        }

        public Membership withRack(String value) {
            return new Membership(instanceId, value, rackAwareStrategy, sessionTimeout);
        }

        public Membership withSessionTimeout(Duration value) {
            return new Membership(instanceId, rack, rackAwareStrategy, value);
        }
    }

    private static Path defaultStateDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "filetrail-metadata-streams");
    }

    private static String get(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
