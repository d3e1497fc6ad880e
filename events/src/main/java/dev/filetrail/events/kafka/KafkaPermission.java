package dev.filetrail.events.kafka;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One row of the role table: {@code operations} on the resources of one {@code kind} whose name is {@code name}
 * ({@code prefixed}: starts with it). The cluster has no name.
 */
public record KafkaPermission(ResourceKind kind, String name, boolean prefixed, Set<KafkaOperation> operations) {
    public static final String CLUSTER_NAME = "kafka-cluster";

    public KafkaPermission {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (operations.isEmpty()) {
            throw new IllegalArgumentException("a permission grants at least one operation");
        }
        operations = Set.copyOf(EnumSet.copyOf(operations));
    }

    public static KafkaPermission literal(ResourceKind kind, String name, KafkaOperation... operations) {
        return new KafkaPermission(kind, name, false, Set.of(operations));
    }

    public static KafkaPermission prefixed(ResourceKind kind, String prefix, KafkaOperation... operations) {
        return new KafkaPermission(kind, prefix, true, Set.of(operations));
    }

    public static KafkaPermission cluster(KafkaOperation... operations) {
        return new KafkaPermission(ResourceKind.CLUSTER, CLUSTER_NAME, false, Set.of(operations));
    }

    /** Whether this row lets its holder do {@code operation} on the resource {@code kind}/{@code resource}. */
    public boolean allows(KafkaOperation operation, ResourceKind resourceKind, String resource) {
        if (resourceKind != kind || !(prefixed ? resource.startsWith(name) : resource.equals(name))) {
            return false;
        }
        return operation.allowedBy().stream().anyMatch(operations::contains);
    }
}
