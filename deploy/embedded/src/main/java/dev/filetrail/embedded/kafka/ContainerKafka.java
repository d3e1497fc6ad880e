package dev.filetrail.embedded.kafka;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import org.testcontainers.kafka.KafkaContainer;

/** Apache Kafka in a Testcontainers container, for machines with a Docker engine: an open broker (no roles). */
public final class ContainerKafka implements KafkaCluster {
    private static final String IMAGE = "apache/kafka:4.1.0";
    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    public static ContainerKafka start() {
        KafkaContainer container = new KafkaContainer(IMAGE);
        container.start();
        return new ContainerKafka(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public boolean secured() {
        return false;
    }

    @Override
    public KafkaClientSettings settings(KafkaRole role) {
        return KafkaClientSettings.plaintext(bootstrapServers());
    }

    @Override
    public void close() {
        container.stop();
    }
}
