package dev.filetrail.events.kafka;

import dev.filetrail.events.Topic;
import dev.filetrail.events.Topics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates Filetrail's topics as their contracts state: partitions, replication, {@code min.insync.replicas},
 * retention and cleanup policy, and MSK tiered storage on the topics kept forever. It is the operator's job
 * ({@code filetrail topics create}, run as the ops role), the local stack's and the test fixtures'; services only
 * check the topics they use ({@link RequiredTopics}). Idempotent: missing topics are created, existing ones are
 * compared with their definition and any drift is reported, never changed.
 */
public final class TopicSetup {
    public static final String PARTITIONS = "TOPIC_PARTITIONS";
    public static final String REPLICATION_FACTOR = "TOPIC_REPLICATION_FACTOR";
    public static final String AUDIT_RETENTION = "AUDIT_RETENTION_MS";
    public static final String REMOTE_STORAGE = "TOPIC_REMOTE_STORAGE";
    /** S3 notifications can be 64 KB and results carry EXIF; generous room over Kafka's 1 MB default. */
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    private static final long TIMEOUT_SECONDS = 30;

    private final int partitions;
    private final short replicationFactor;
    private final long auditRetentionMs;
    private final boolean remoteStorage;

    public TopicSetup(int partitions, short replicationFactor, long auditRetentionMs) {
        this(partitions, replicationFactor, auditRetentionMs, false);
    }

    /**
     * @param partitions       partitions of every topic; the co-partitioned inputs must agree, because the streams
     *                         join object events, results and share commands by {@code bucket/key}
     * @param auditRetentionMs retention of the audit topic, -1 for forever
     * @param remoteStorage    {@code remote.storage.enable=true} on the delete-policy topics kept forever (MSK tiered
     *                         storage; the brokers must have it enabled, and compacted topics cannot tier)
     */
    public TopicSetup(int partitions, short replicationFactor, long auditRetentionMs, boolean remoteStorage) {
        if (partitions < 1) {
            throw new IllegalArgumentException(PARTITIONS + " must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(REPLICATION_FACTOR + " must be at least 1, was " + replicationFactor);
        }
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.auditRetentionMs = auditRetentionMs;
        this.remoteStorage = remoteStorage;
    }

    /** {@code TOPIC_PARTITIONS} (6), {@code TOPIC_REPLICATION_FACTOR} (1), {@code AUDIT_RETENTION_MS} (-1: forever),
     * {@code TOPIC_REMOTE_STORAGE} (false). */
    public static TopicSetup fromEnvironment(Function<String, String> env) {
        return new TopicSetup(number(env, PARTITIONS, 6), (short) number(env, REPLICATION_FACTOR, 1),
                number(env, AUDIT_RETENTION, -1L), Boolean.parseBoolean(text(env, REMOTE_STORAGE, "false")));
    }

    public int partitions() {
        return partitions;
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public long auditRetentionMs() {
        return auditRetentionMs;
    }

    public boolean remoteStorage() {
        return remoteStorage;
    }

    /** One replica may be down while {@code acks=all} writes still succeed; never below 1. */
    public int minInsyncReplicas() {
        return Math.max(1, replicationFactor - 1);
    }

    /** Every Filetrail topic, as it should be. */
    public List<NewTopic> definitions() {
        return Topics.ALL.stream().map(name -> definitionAs(name, name)).toList();
    }

    /** Contract topic {@code contract}'s definition under another name (a rebuild's side-by-side output). */
    public NewTopic definitionAs(String contract, String name) {
        Topic<?, ?> declared = Topics.named(contract)
                .orElseThrow(() -> new IllegalArgumentException(contract + " is not a Filetrail topic"));
        Map<String, String> config = new HashMap<>();
        if (declared.compacted()) {
            config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        } else {
            long retention = declared.retention() == Topic.Retention.AUDIT ? auditRetentionMs : -1L;
            config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            config.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention));
            config.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
            if (remoteStorage && retention == -1L) {
                config.put(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true");
            }
        }
        config.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        config.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(minInsyncReplicas()));
        return new NewTopic(name, partitions, replicationFactor).configs(config);
    }

    /** What {@link #ensure} did, or in a dry run would do: topics created, topics found, drift of those found. */
    public record Report(List<String> created, List<String> existing, Map<String, List<String>> drift) {
        public Report {
            created = List.copyOf(created);
            existing = List.copyOf(existing);
            drift = Collections.unmodifiableMap(new TreeMap<>(drift));
        }

        public boolean drifted() {
            return !drift.isEmpty();
        }
    }

    /** Creates whichever Filetrail topics are missing and reports drift of the others. */
    public Report ensure(Admin admin) {
        return ensure(admin, definitions(), false);
    }

    /**
     * Creates whichever of {@code topics} are missing (none in a {@code dryRun}, which lists them as created) and
     * compares the others with their definitions.
     */
    public Report ensure(Admin admin, List<NewTopic> topics, boolean dryRun) {
        Set<String> present = get(admin.listTopics().names(), "list topics");
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (NewTopic topic : topics) {
            if (present.contains(topic.name())) {
                existing.add(topic.name());
                continue;
            }
            if (!dryRun && !create(admin, topic)) {
                existing.add(topic.name());
                continue;
            }
            created.add(topic.name());
        }
        if (!dryRun) {
            awaitVisible(admin, topics.stream().map(NewTopic::name).toList());
        }
        Map<String, List<String>> drift = existing.isEmpty() ? Map.of() : drift(admin, topics.stream()
                .filter(t -> existing.contains(t.name())).toList());
        return new Report(created, existing, drift);
    }

    /**
     * A created topic reaches the brokers' metadata a moment after the controller acknowledged it: wait until every
     * one can be described, so a service started next never finds it missing.
     */
    private static void awaitVisible(Admin admin, List<String> names) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("created topics are not visible: " + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for topics " + names, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka did not answer describing topics " + names, e);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for topics " + names, e);
            }
        }
    }

    /** False when another client created it first. */
    private static boolean create(Admin admin, NewTopic topic) {
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("could not create topic " + topic.name() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + topic.name(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer creating topic " + topic.name(), e);
        }
    }

    /** Per topic whose partitions, replication or configs differ from its definition: what differs. */
    private static Map<String, List<String>> drift(Admin admin, List<NewTopic> wanted) {
        List<String> names = wanted.stream().map(NewTopic::name).toList();
        Map<String, TopicDescription> described = get(admin.describeTopics(names).allTopicNames(), "describe topics");
        List<ConfigResource> resources = names.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = get(admin.describeConfigs(resources).all(), "describe topic configs");
        Map<String, List<String>> drift = new TreeMap<>();
        for (NewTopic topic : wanted) {
            List<String> differences = new ArrayList<>();
            TopicDescription description = described.get(topic.name());
            int actualPartitions = description.partitions().size();
            if (actualPartitions != topic.numPartitions()) {
                differences.add("partitions " + actualPartitions + " (expected " + topic.numPartitions() + ")");
            }
            int actualReplicas = description.partitions().get(0).replicas().size();
            if (actualReplicas != topic.replicationFactor()) {
                differences.add("replication factor " + actualReplicas + " (expected " + topic.replicationFactor() + ")");
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
            new TreeMap<>(topic.configs()).forEach((key, expected) -> {
                ConfigEntry entry = config.get(key);
                String actual = entry == null ? null : entry.value();
                if (!expected.equals(actual)) {
                    differences.add(key + "=" + actual + " (expected " + expected + ")");
                }
            });
            if (!differences.isEmpty()) {
                drift.put(topic.name(), differences);
            }
        }
        return drift;
    }

    private static <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer: " + what, e);
        }
    }

    private static String text(Function<String, String> env, String name, String fallback) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int number(Function<String, String> env, String name, int fallback) {
        return (int) number(env, name, (long) fallback);
    }

    private static long number(Function<String, String> env, String name, long fallback) {
        String value = text(env, name, null);
        try {
            return value == null ? fallback : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'", e);
        }
    }
}
