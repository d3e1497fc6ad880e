package dev.filetrail.embedded.kafka;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.TopicSetup;
import org.apache.kafka.clients.admin.Admin;

/** A Kafka cluster the tests and the local stack talk to, whoever started it. */
public interface KafkaCluster extends AutoCloseable {
    /** Partitions of the Filetrail topics the tests create (few: every test JVM has one small broker). */
    int TEST_PARTITIONS = 3;

    String bootstrapServers();

    /** Whether the cluster checks who a client is and what its role may do (false: every role is everyone). */
    boolean secured();

    /** How a client logs in as {@code role}: each service runs in its tests with its own role's identity. */
    KafkaClientSettings settings(KafkaRole role);

    /** An admin client as the ops role: topics, groups and offsets of everything Filetrail owns. */
    default Admin admin() {
        return settings(KafkaRole.OPS).newAdmin();
    }

    /** Creates the Filetrail topics as the ops role ({@link #TEST_PARTITIONS} partitions, one replica). */
    default TopicSetup.Report createFiletrailTopics() {
        try (Admin admin = admin()) {
            return new TopicSetup(TEST_PARTITIONS, (short) 1, -1).ensure(admin);
        }
    }

    @Override
    void close();

    /**
     * The cluster named by the environment: {@code KAFKA_BOOTSTRAP_SERVERS} (an existing cluster, see
     * {@link ExternalKafka}), else {@code FILETRAIL_TEST_KAFKA=testcontainers} (an open Kafka container, where a
     * Docker engine exists), else a secured broker started in this JVM.
     */
    static KafkaCluster fromEnvironment() {
        String external = System.getenv(KafkaClientSettings.BOOTSTRAP_SERVERS);
        if (external != null && !external.isBlank()) {
            return ExternalKafka.fromEnvironment(System::getenv);
        }
        if ("testcontainers".equalsIgnoreCase(System.getenv("FILETRAIL_TEST_KAFKA"))) {
            return ContainerKafka.start();
        }
        return EmbeddedKafka.start(0);
    }
}
