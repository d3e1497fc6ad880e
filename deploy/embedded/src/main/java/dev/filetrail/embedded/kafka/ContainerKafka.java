package dev.filetrail.embedded.kafka;

import org.testcontainers.kafka.KafkaContainer;

/** Apache Kafka in a Testcontainers container, for machines with a Docker engine. */
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
    public void close() {
        container.stop();
    }
}
