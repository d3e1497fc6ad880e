package dev.filetrail.events.kafka;

import java.util.Set;

/** The Kafka ACL operations Filetrail's roles are granted (Kafka's {@code AclOperation} names). */
public enum KafkaOperation {
    READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE;

    /**
     * The operations whose grant also allows this one, as Kafka's authorizer decides: READ, WRITE, DELETE and ALTER
     * imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS.
     */
    public Set<KafkaOperation> allowedBy() {
        return switch (this) {
            case DESCRIBE -> Set.of(DESCRIBE, READ, WRITE, DELETE, ALTER);
            case DESCRIBE_CONFIGS -> Set.of(DESCRIBE_CONFIGS, ALTER_CONFIGS);
            default -> Set.of(this);
        };
    }
}
