package dev.filetrail.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Filetrail's topics with the retention and cleanup policy their contract states. Idempotent: every
 * service runs it at start, and a topic that already exists is left exactly as it is.
 */
public final class TopicSetup {
    private final int partitions;
    private final short replicationFactor;
    private final long auditRetentionMs;

    /**
     * @param partitions        partitions of every topic; all per-object topics must agree, because the streams
     *                          co-partition object events, results and share commands by {@code bucket/key}
     * @param auditRetentionMs  retention of the audit topic, -1 for forever
     */
    public TopicSetup(int partitions, short replicationFactor, long auditRetentionMs) {
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.auditRetentionMs = auditRetentionMs;
    }

    public List<NewTopic> definitions() {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : Topics.ALL) {
            Map<String, String> config = new HashMap<>();
            if (Topics.COMPACTED.contains(name)) {
                config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            } else {
                config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
                long retention = name.equals(Topics.AUDIT) ? auditRetentionMs : -1L;
                config.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention));
                config.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
            }
            // S3 notifications can be 64 KB and results carry EXIF; leave generous room over Kafka's 1 MB default.
            config.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(4 * 1024 * 1024));
            topics.add(new NewTopic(name, partitions, replicationFactor).configs(config));
        }
        return topics;
    }

    /** Creates whichever topics are missing; returns the names it created. */
    public Set<String> ensure(Admin admin) {
        Set<String> created = new java.util.TreeSet<>();
        for (NewTopic topic : definitions()) {
            try {
                admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                created.add(topic.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + topic.name(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topic " + topic.name(), e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka did not answer creating topic " + topic.name(), e);
            }
        }
        return created;
    }
}
