package dev.filetrail.aws.data;

import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaOperation;
import dev.filetrail.events.kafka.KafkaPermission;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.ResourceKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * MSK IAM permissions of one Kafka role: a translation of the role table in {@code events}
 * ({@link KafkaRole#permissions()}), the same table the local broker's ACLs come from, so a role may do on MSK exactly
 * what it may do locally (a test evaluates both on the same probes).
 */
public final class KafkaAccess {
    /** Names the alarms use, from the contracts. */
    public static final String OBJECT_EVENTS = Topics.OBJECT_EVENTS.name();
    public static final String FILE_VERSIONS = Topics.FILE_VERSIONS.name();
    /** Kafka Streams application.id of metadata-streams (also the prefix its role may run under). */
    public static final String STREAMS_APPLICATION_ID = KafkaRole.STREAMS_APPLICATION_PREFIX;
    /** Consumer group of the query-api projector (also the prefix its role may use). */
    public static final String API_CONSUMER_GROUP = KafkaRole.PROJECTOR_GROUP_PREFIX;

    private KafkaAccess() {
    }

    /**
     * The MSK IAM actions that allow {@code operation} on a resource of {@code kind}, the action MSK checks for it
     * first, then the ones Kafka's authorizer grants along with it (READ, WRITE, DELETE and ALTER imply DESCRIBE;
     * ALTER_CONFIGS implies DESCRIBE_CONFIGS). This is the one mapping of Kafka ACL operations to IAM actions.
     */
    public static List<String> actions(ResourceKind kind, KafkaOperation operation) {
        return switch (kind) {
            case TOPIC -> switch (operation) {
                case READ -> List.of("kafka-cluster:ReadData", "kafka-cluster:DescribeTopic");
                case WRITE -> List.of("kafka-cluster:WriteData", "kafka-cluster:DescribeTopic");
                case CREATE -> List.of("kafka-cluster:CreateTopic");
                case DELETE -> List.of("kafka-cluster:DeleteTopic", "kafka-cluster:DescribeTopic");
                case ALTER -> List.of("kafka-cluster:AlterTopic", "kafka-cluster:DescribeTopic");
                case DESCRIBE -> List.of("kafka-cluster:DescribeTopic");
                case DESCRIBE_CONFIGS -> List.of("kafka-cluster:DescribeTopicDynamicConfiguration");
                case ALTER_CONFIGS -> List.of("kafka-cluster:AlterTopicDynamicConfiguration",
                        "kafka-cluster:DescribeTopicDynamicConfiguration");
                default -> unmapped(kind, operation);
            };
            case GROUP -> switch (operation) {
                // Joining a group and committing its offsets: MSK's AlterGroup.
                case READ -> List.of("kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup");
                case DELETE -> List.of("kafka-cluster:DeleteGroup", "kafka-cluster:DescribeGroup");
                case DESCRIBE -> List.of("kafka-cluster:DescribeGroup");
                default -> unmapped(kind, operation);
            };
            case TRANSACTIONAL_ID -> switch (operation) {
                case WRITE -> List.of("kafka-cluster:AlterTransactionalId", "kafka-cluster:DescribeTransactionalId");
                case DESCRIBE -> List.of("kafka-cluster:DescribeTransactionalId");
                default -> unmapped(kind, operation);
            };
            case CLUSTER -> switch (operation) {
                case IDEMPOTENT_WRITE -> List.of("kafka-cluster:WriteDataIdempotently");
                case DESCRIBE -> List.of("kafka-cluster:DescribeCluster");
                case ALTER -> List.of("kafka-cluster:AlterCluster", "kafka-cluster:DescribeCluster");
                case DESCRIBE_CONFIGS -> List.of("kafka-cluster:DescribeClusterDynamicConfiguration");
                case ALTER_CONFIGS -> List.of("kafka-cluster:AlterClusterDynamicConfiguration",
                        "kafka-cluster:DescribeClusterDynamicConfiguration");
                default -> unmapped(kind, operation);
            };
        };
    }

    /** The policy statements of {@code role} on the cluster {@code clusterArn} (literal or a CloudFormation token). */
    public static List<PolicyStatement> statements(KafkaRole role, String clusterArn) {
        // Every role connects; each resource pattern gets one statement with every action it is granted.
        Map<String, Set<String>> actionsByResource = new LinkedHashMap<>();
        Map<String, String> arns = new LinkedHashMap<>();
        actionsByResource.put("cluster", new LinkedHashSet<>(List.of("kafka-cluster:Connect")));
        arns.put("cluster", clusterArn);
        for (KafkaPermission permission : role.permissions()) {
            String key = permission.kind() + "/" + permission.name() + (permission.prefixed() ? "*" : "");
            if (permission.kind() == ResourceKind.CLUSTER) {
                key = "cluster";
            } else {
                arns.putIfAbsent(key, arn(clusterArn, permission));
            }
            Set<String> actions = actionsByResource.computeIfAbsent(key, k -> new LinkedHashSet<>());
            permission.operations().stream().sorted()
                    .forEach(operation -> actions.addAll(actions(permission.kind(), operation)));
        }
        List<PolicyStatement> statements = new ArrayList<>();
        actionsByResource.forEach((key, actions) -> statements.add(PolicyStatement.Builder.create()
                .actions(actions.stream().sorted().toList()).resources(List.of(arns.get(key))).build()));
        return statements;
    }

    /**
     * arn:...:cluster/NAME/UUID becomes arn:...:KIND/NAME/UUID/RESOURCE (MSK's resource ARN scheme); a prefixed
     * permission ends in {@code *}, which IAM matches as "starts with".
     */
    private static String arn(String clusterArn, KafkaPermission permission) {
        String kind = switch (permission.kind()) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactional-id";
            case CLUSTER -> throw new IllegalArgumentException("the cluster has its own ARN");
        };
        String resource = permission.name() + (permission.prefixed() ? "*" : "");
        List<String> parts = Fn.split(":cluster/", clusterArn, 2);
        return Fn.join("", List.of(Fn.select(0, parts), ":" + kind + "/", Fn.select(1, parts), "/" + resource));
    }

    private static List<String> unmapped(ResourceKind kind, KafkaOperation operation) {
        throw new IllegalArgumentException("MSK IAM has no action for " + operation + " on a " + kind);
    }
}
