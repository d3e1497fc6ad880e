package dev.filetrail.embedded.kafka;

/** A cluster someone else runs; closing it leaves it running. */
public record ExternalKafka(String bootstrapServers) implements KafkaCluster {
    @Override
    public void close() {
    }
}
