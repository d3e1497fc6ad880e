package dev.filetrail.events.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** The role table as Kafka ACLs: what a broker with an authorizer enforces for a role's principal. */
public final class KafkaAcls {
    private KafkaAcls() {
    }

    /** One ALLOW binding per operation of each of the role's permissions, for {@code User:<username>}. */
    public static List<AclBinding> bindings(KafkaRole role, String username) {
        List<AclBinding> bindings = new ArrayList<>();
        for (KafkaPermission permission : role.permissions()) {
            ResourcePattern pattern = new ResourcePattern(resourceType(permission.kind()), permission.name(),
                    permission.prefixed() ? PatternType.PREFIXED : PatternType.LITERAL);
            for (KafkaOperation operation : permission.operations()) {
                bindings.add(new AclBinding(pattern, new AccessControlEntry("User:" + username, "*",
                        AclOperation.valueOf(operation.name()), AclPermissionType.ALLOW)));
            }
        }
        return bindings;
    }

    private static ResourceType resourceType(ResourceKind kind) {
        return switch (kind) {
            case TOPIC -> ResourceType.TOPIC;
            case GROUP -> ResourceType.GROUP;
            case TRANSACTIONAL_ID -> ResourceType.TRANSACTIONAL_ID;
            case CLUSTER -> ResourceType.CLUSTER;
        };
    }
}
