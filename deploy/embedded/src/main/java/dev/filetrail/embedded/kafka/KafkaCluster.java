package dev.filetrail.embedded.kafka;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** A Kafka cluster the tests and the local stack talk to, whoever started it. */
public interface KafkaCluster extends AutoCloseable {

    String bootstrapServers();

    default Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    void close();

    /**
     * The cluster named by the environment: {@code KAFKA_BOOTSTRAP_SERVERS} (an existing cluster), else
     * {@code FILETRAIL_TEST_KAFKA=testcontainers} (a Kafka container, where a Docker engine exists), else a
     * broker started in this JVM.
     */
    static KafkaCluster fromEnvironment() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return new ExternalKafka(external);
        }
        if ("testcontainers".equalsIgnoreCase(System.getenv("FILETRAIL_TEST_KAFKA"))) {
            return ContainerKafka.start();
        }
        return EmbeddedKafka.start(0);
    }
}
