package dev.filetrail.aws.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * MSK IAM permissions for one Kafka client, named topic by topic and group by group: each service may read and
 * write exactly the topics ARCHITECTURE.md says it reads and writes.
 */
public final class KafkaAccess {
    /** The topic contracts (same names as dev.filetrail.events.Topics, which this module cannot depend on). */
    public static final String OBJECT_EVENTS = "filetrail.object-events.v1";
    public static final String PROCESSING_RESULTS = "filetrail.processing-results.v1";
    public static final String SHARE_COMMANDS = "filetrail.share-commands.v1";
    public static final String FILE_VERSIONS = "filetrail.file-versions.v1";
    public static final String FILES = "filetrail.files.v1";
    public static final String SHARE_LINKS = "filetrail.share-links.v1";
    public static final String AUDIT = "filetrail.audit.v1";
    public static final String INGEST_DLQ = "filetrail.ingest-dlq.v1";

    /** Kafka Streams application.id of metadata-streams: its group, internal topics and transactional ids. */
    public static final String STREAMS_APPLICATION_ID = "filetrail-metadata-streams";
    /** Consumer group of the query-api projector. */
    public static final String API_CONSUMER_GROUP = "filetrail-query-projector";

    private final String clusterArn;
    private final List<PolicyStatement> statements = new ArrayList<>();

    /** @param clusterArn arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID, literal or a CloudFormation token */
    public KafkaAccess(String clusterArn) {
        this.clusterArn = clusterArn;
        statements.add(statement(List.of("kafka-cluster:Connect", "kafka-cluster:DescribeCluster"), List.of(clusterArn)));
    }

    public KafkaAccess produces(String... topics) {
        statements.add(statement(List.of("kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"), topicArns(topics)));
        // Producers are idempotent by default since Kafka 3.0, which MSK authorises on the cluster.
        statements.add(statement(List.of("kafka-cluster:WriteDataIdempotently"), List.of(clusterArn)));
        return this;
    }

    public KafkaAccess consumes(String group, String... topics) {
        statements.add(statement(List.of("kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"), topicArns(topics)));
        statements.add(statement(List.of("kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"),
                List.of(arn("group", group))));
        return this;
    }

    /** Kafka Streams' own changelog and repartition topics, and exactly_once_v2 transactions, under its id. */
    public KafkaAccess streamsApplication(String applicationId) {
        statements.add(statement(List.of(
                        "kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:AlterTopic",
                        "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:ReadData",
                        "kafka-cluster:WriteData"),
                List.of(arn("topic", applicationId + "-*"))));
        statements.add(statement(List.of("kafka-cluster:DescribeTransactionalId", "kafka-cluster:AlterTransactionalId"),
                List.of(arn("transactional-id", applicationId + "-*"))));
        return this;
    }

    /** Creating and configuring the contract topics, and resetting Filetrail groups: the ops task only. */
    public KafkaAccess administersTopics() {
        statements.add(statement(List.of(
                        "kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:AlterTopic",
                        "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:AlterTopicDynamicConfiguration"),
                List.of(arn("topic", "filetrail.*"))));
        statements.add(statement(List.of("kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup",
                        "kafka-cluster:DeleteGroup"),
                List.of(arn("group", "filetrail-*"))));
        return this;
    }

    public List<PolicyStatement> statements() {
        return List.copyOf(statements);
    }

    private List<String> topicArns(String... topics) {
        return Arrays.stream(topics).map(topic -> arn("topic", topic)).toList();
    }

    /** arn:...:cluster/NAME/UUID becomes arn:...:KIND/NAME/UUID/RESOURCE (MSK's resource ARN scheme). */
    private String arn(String kind, String resource) {
        List<String> parts = Fn.split(":cluster/", clusterArn, 2);
        return Fn.join("", List.of(Fn.select(0, parts), ":" + kind + "/", Fn.select(1, parts), "/" + resource));
    }

    private static PolicyStatement statement(List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().actions(actions).resources(resources).build();
    }
}
