package dev.filetrail.aws.data;

import dev.filetrail.aws.LogGroups;
import dev.filetrail.aws.StackConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.filetrail.events.kafka.KafkaRole;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ec2.IConnectable;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.msk.CfnCluster;
import software.amazon.awscdk.services.msk.CfnConfiguration;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.constructs.Construct;

/**
 * Kafka for the event log: an Amazon MSK cluster with IAM authentication, or an existing cluster named by
 * {@code kafkaBootstrapServers} (and, for MSK with IAM, {@code kafkaClusterArn}).
 */
public final class KafkaCluster extends Construct {
    /** MSK's port for IAM-authenticated TLS clients inside the VPC. */
    public static final int IAM_PORT = 9098;

    private final String bootstrapServers;
    private final int topicPartitions;
    private final short replicationFactor;
    private final boolean tiered;
    private final Optional<String> clusterArn;
    private final Optional<String> clusterName;
    private final Optional<Role> auditReader;
    private final Optional<Role> journalConnector;
    private final SecurityGroup securityGroup;

    public KafkaCluster(Construct scope, String id, StackConfig config, IVpc vpc, Optional<IKey> key) {
        super(scope, id);
        StackConfig.Kafka kafka = config.kafka();
        topicPartitions = kafka.topicPartitions();
        replicationFactor = (short) kafka.replicationFactor();
        tiered = !kafka.existing() && "TIERED".equals(kafka.storageMode());
        if (kafka.existing()) {
            bootstrapServers = kafka.bootstrapServers().orElseThrow();
            clusterArn = kafka.clusterArn();
            // arn:aws:kafka:region:account:cluster/NAME/UUID
            clusterName = clusterArn.map(arn -> arn.split("/")[1]);
            securityGroup = null;
            if (clusterArn.isEmpty()) {
                Annotations.of(this).addWarningV2("filetrail:kafka-without-iam",
                        "kafkaBootstrapServers without kafkaClusterArn: services get no Kafka IAM permissions and "
                                + "no consumer-lag alarm; the cluster must authenticate them some other way");
            }
            auditReader = clusterArn.map(this::auditReaderRole);
            journalConnector = clusterArn.map(this::journalConnectorRole);
            return;
        }

        int brokers = config.zoneCount() * kafka.brokersPerAz();
        if (kafka.replicationFactor() > brokers) {
            throw new IllegalArgumentException("kafkaReplicationFactor " + kafka.replicationFactor() + " exceeds the "
                    + brokers + " brokers of the cluster (zoneCount x kafkaBrokersPerAz)");
        }
        int replication = kafka.replicationFactor();
        String name = config.stackName().toLowerCase() + "-kafka";
        securityGroup = SecurityGroup.Builder.create(this, "Brokers")
                .vpc(vpc).description("MSK brokers: IAM/TLS clients from the Filetrail services only")
                .allowAllOutbound(false).build();
        LogGroup logs = LogGroups.create(this, "BrokerLogs", config, RemovalPolicy.DESTROY);

        CfnConfiguration configuration = CfnConfiguration.Builder.create(this, "Configuration")
                .name(name + "-config")
                .kafkaVersionsList(List.of(kafka.version()))
                // Topics are contracts (ARCHITECTURE.md): created on purpose with their retention, never by a typo.
                .serverProperties(String.join("\n",
                        "auto.create.topics.enable=false",
                        "default.replication.factor=" + replication,
                        "min.insync.replicas=" + Math.max(1, replication - 1),
                        "unclean.leader.election.enable=false",
                        "num.partitions=12",
                        "offsets.topic.replication.factor=" + replication,
                        "transaction.state.log.replication.factor=" + replication,
                        "transaction.state.log.min.isr=" + Math.max(1, replication - 1)))
                .build();

        CfnCluster.EncryptionInfoProperty.Builder encryption = CfnCluster.EncryptionInfoProperty.builder()
                .encryptionInTransit(CfnCluster.EncryptionInTransitProperty.builder()
                        .clientBroker("TLS").inCluster(true).build());
        key.ifPresent(k -> encryption.encryptionAtRest(CfnCluster.EncryptionAtRestProperty.builder()
                .dataVolumeKmsKeyId(k.getKeyArn()).build()));

        CfnCluster cluster = CfnCluster.Builder.create(this, "Cluster")
                .clusterName(name)
                .kafkaVersion(kafka.version())
                .numberOfBrokerNodes(brokers)
                .brokerNodeGroupInfo(CfnCluster.BrokerNodeGroupInfoProperty.builder()
                        .instanceType(kafka.instanceType())
                        .clientSubnets(vpc.selectSubnets(SubnetSelection.builder()
                                .subnetType(SubnetType.PRIVATE_ISOLATED).build()).getSubnetIds())
                        .securityGroups(List.of(securityGroup.getSecurityGroupId()))
                        .storageInfo(CfnCluster.StorageInfoProperty.builder()
                                .ebsStorageInfo(CfnCluster.EBSStorageInfoProperty.builder()
                                        .volumeSize(kafka.volumeGb()).build()).build())
                        .build())
                .clientAuthentication(CfnCluster.ClientAuthenticationProperty.builder()
                        .sasl(CfnCluster.SaslProperty.builder()
                                .iam(CfnCluster.IamProperty.builder().enabled(true).build()).build())
                        .unauthenticated(CfnCluster.UnauthenticatedProperty.builder().enabled(false).build())
                        .build())
                .encryptionInfo(encryption.build())
                // Tiered storage: "forever" topics keep old segments in cheap storage instead of on broker disks.
                .storageMode(kafka.storageMode())
                // Consumer-lag metrics (EstimatedMaxTimeLag per group and topic) come with the DEFAULT level.
                .enhancedMonitoring("DEFAULT")
                .configurationInfo(CfnCluster.ConfigurationInfoProperty.builder()
                        .arn(configuration.getAttrArn()).revision(1).build())
                .loggingInfo(CfnCluster.LoggingInfoProperty.builder()
                        .brokerLogs(CfnCluster.BrokerLogsProperty.builder()
                                .cloudWatchLogs(CfnCluster.CloudWatchLogsProperty.builder()
                                        .enabled(true).logGroup(logs.getLogGroupName()).build()).build())
                        .build())
                .build();
        cluster.applyRemovalPolicy(RemovalPolicy.RETAIN);

        // MSK exposes no bootstrap string to CloudFormation; one read-only API call fetches it at deploy time.
        String arn = cluster.getAttrArn();
        // Its own role and log group instead of CDK's defaults (the AWSLambdaBasicExecutionRole managed policy,
        // which may write to every log group, and logs kept forever).
        LogGroup lookupLogs = LogGroups.create(this, "BootstrapBrokersLogs", config, RemovalPolicy.DESTROY);
        Role lookupRole = Role.Builder.create(this, "BootstrapBrokersRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Reads the MSK bootstrap brokers at deploy time")
                .build();
        lookupRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(lookupLogs.getLogGroupArn() + ":*")).build());
        AwsCustomResource brokersLookup = AwsCustomResource.Builder.create(this, "BootstrapBrokers")
                .onUpdate(AwsSdkCall.builder()
                        .service("Kafka")
                        .action("getBootstrapBrokers")
                        .parameters(Map.of("ClusterArn", arn))
                        .physicalResourceId(PhysicalResourceId.of(arn))
                        .outputPaths(List.of("BootstrapBrokerStringSaslIam"))
                        .build())
                .policy(AwsCustomResourcePolicy.fromStatements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("kafka:GetBootstrapBrokers"))
                        .resources(List.of(arn)).build())))
                .installLatestAwsSdk(false)
                .role(lookupRole)
                .logGroup(lookupLogs)
                .build();
        bootstrapServers = brokersLookup.getResponseField("BootstrapBrokerStringSaslIam");
        clusterArn = Optional.of(arn);
        clusterName = Optional.of(name);
        auditReader = clusterArn.map(this::auditReaderRole);
        journalConnector = clusterArn.map(this::journalConnectorRole);
    }

    /**
     * The audit-reader role: audit consumers in this account assume it to read {@code filetrail.audit.v1} (and
     * commit offsets in their {@code filetrail-audit-*} groups), and nothing else.
     */
    private Role auditReaderRole(String arn) {
        Role role = Role.Builder.create(this, "AuditReaderRole")
                .assumedBy(new AccountPrincipal(Aws.ACCOUNT_ID))
                .description("Filetrail audit consumers: read filetrail.audit.v1 only")
                .build();
        KafkaAccess.statements(KafkaRole.AUDIT_READER, arn).forEach(role::addToPrincipalPolicy);
        CfnOutput.Builder.create(this, "AuditReaderRoleArn").value(role.getRoleArn())
                .description("IAM role audit consumers assume to read filetrail.audit.v1 (MSK IAM)").build();
        return role;
    }

    /**
     * The journal connector's service execution role (MSK Connect assumes it): its Kafka rights are exactly the
     * {@code journal} role's, the same table the local broker's ACLs for the journal worker come from.
     */
    private Role journalConnectorRole(String arn) {
        Role role = Role.Builder.create(this, "JournalConnectorRole")
                .assumedBy(new ServicePrincipal("kafkaconnect.amazonaws.com"))
                .description("Filetrail journal: MSK Connect running Iceberg's sink")
                .build();
        KafkaAccess.statements(KafkaRole.JOURNAL, arn).forEach(role::addToPrincipalPolicy);
        return role;
    }

    /** The journal connector's execution role, when the services authenticate with IAM. */
    public Optional<Role> journalConnector() {
        return journalConnector;
    }

    /** The audit consumers' role, when the services authenticate with IAM. */
    public Optional<Role> auditReader() {
        return auditReader;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * What every Kafka-using container is given: where the cluster is, how to log in (MSK IAM over TLS when the
     * stack knows the MSK cluster), and how the operator's {@code filetrail topics create} makes topics (the streams
     * also use the replication factor for their internal topics).
     */
    public Map<String, String> clientEnvironment() {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        if (clusterArn.isPresent()) {
            env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
            env.put("KAFKA_SASL_MECHANISM", "AWS_MSK_IAM");
        }
        env.put("TOPIC_PARTITIONS", Integer.toString(topicPartitions));
        env.put("TOPIC_REPLICATION_FACTOR", Integer.toString(replicationFactor));
        env.put("TOPIC_REMOTE_STORAGE", Boolean.toString(tiered));
        return env;
    }

    /** The MSK cluster ARN, when the services authenticate with IAM. */
    public Optional<String> clusterArn() {
        return clusterArn;
    }

    /** The MSK cluster name, the dimension of its consumer-lag metrics. */
    public Optional<String> clusterName() {
        return clusterName;
    }

    public Optional<SecurityGroup> securityGroup() {
        return Optional.ofNullable(securityGroup);
    }

    /** Lets {@code client} reach the brokers' IAM port (a no-op for an existing cluster, whose rules are its own). */
    public void allowFrom(IConnectable client, String description) {
        if (securityGroup != null) {
            securityGroup.getConnections().allowFrom(client, Port.tcp(IAM_PORT), description);
        }
    }
}
