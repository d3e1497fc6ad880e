package dev.filetrail.events.kafka;

/** The kinds of Kafka resource a permission names (Kafka's {@code ResourceType}; MSK IAM's resource types). */
public enum ResourceKind {
    TOPIC, GROUP, TRANSACTIONAL_ID, CLUSTER
}
