package dev.filetrail.aws;

import dev.filetrail.aws.alarms.OperationalAlarms;
import dev.filetrail.aws.cdn.ContentDelivery;
import dev.filetrail.aws.data.Database;
import dev.filetrail.aws.data.ReadModel;
import dev.filetrail.aws.data.KafkaCluster;
import dev.filetrail.aws.journal.Journal;
import dev.filetrail.aws.delivery.ReleaseRoles;
import dev.filetrail.aws.ingest.IngestMessaging;
import dev.filetrail.aws.network.Network;
import dev.filetrail.aws.processing.Processors;
import dev.filetrail.aws.security.DataKey;
import dev.filetrail.aws.services.FiletrailServices;
import dev.filetrail.aws.storage.FileBuckets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.kms.IKey;
import software.constructs.Construct;

/** Filetrail's production stack: storage, ingest, processing, CDN, Kafka, PostgreSQL, services, journal and alarms. */
public final class FiletrailStack extends Stack {
    private final FileBuckets buckets;
    private final IngestMessaging ingest;
    private final Processors processors;
    private final ContentDelivery cdn;
    private final KafkaCluster kafka;
    private final ReadModel readModel;
    private final FiletrailServices services;
    private final OperationalAlarms alarms;
    private final Journal journal;
    private final Optional<ReleaseRoles> releaseRoles;

    public FiletrailStack(Construct scope, String id, StackConfig config) {
        super(scope, id, StackProps.builder()
                .stackName(config.stackName())
                .env(Environment.builder().region(config.region()).account(config.account().orElse(null)).build())
                .description("Filetrail: event-sourced file metadata for versioned S3 buckets")
                .terminationProtection(true)
                .build());

        Optional<IKey> key = new DataKey(this, "DataKey", config).key();
        Network network = new Network(this, "Network", config);

        buckets = new FileBuckets(this, "Buckets", config, key);
        ingest = new IngestMessaging(this, "Ingest", config, key);
        buckets.notify(ingest.objectEvents());

        processors = new Processors(this, "Processing", config, new Processors.Wiring(
                buckets.source(), buckets.derivatives(), ingest.objectEvents(), ingest.processingResults(), key));

        cdn = new ContentDelivery(this, "Cdn", config, buckets.source(), buckets.derivatives(), key);

        kafka = new KafkaCluster(this, "Kafka", config, network.vpc(), key);
        readModel = new ReadModel(this, config, network.vpc(), key);

        String cdnDomain = config.cdn().domainName().orElse(cdn.distribution().getDistributionDomainName());
        services = new FiletrailServices(this, "Services", config, new FiletrailServices.Wiring(
                network.vpc(), kafka, readModel, ingest.queue(), ingest.deadLetters(), ingest.objectEvents(),
                ingest.processingResults(),
                buckets.source(), buckets.derivatives(), cdnDomain, cdn.publicKey().getPublicKeyId(),
                cdn.privateKey(), key));

        processors.reprocessableBy(services.ops(), buckets.source(), ingest.objectEvents());

        journal = new Journal(this, "Journal", config, new Journal.Wiring(network.vpc(), kafka, services.ops(), key));

        alarms = new OperationalAlarms(this, "Alarms", config, new OperationalAlarms.Watched(
                ingest.queue(), ingest.deadLetters(), processors.failures(),
                List.of(processors.thumbnailer(), processors.metadata()),
                kafka.clusterName(), services.loadBalancer(), Map.of("bridge", services.logs("bridge"),
                "streams", services.logs("streams"), "api", services.logs("api"))));

        // Only a stack a release pipeline deploys hands it roles.
        releaseRoles = config.deliveredBy().map(pipeline -> new ReleaseRoles(this, "Delivery", config,
                new ReleaseRoles.Wiring(services, buckets.source(), key)));

        output("SourceBucketName", buckets.source().getBucketName(), "Bucket the files are stored in (versioned)");
        output("DerivativesBucketName", buckets.derivatives().getBucketName(), "Bucket of thumbnails");
        output("ObjectEventsTopicArn", ingest.objectEvents().getTopicArn(), "SNS topic of the source bucket's events");
        output("ProcessingResultsTopicArn", ingest.processingResults().getTopicArn(), "SNS topic of Lambda results");
        output("IngestQueueUrl", ingest.queue().getQueueUrl(), "SQS queue the bridge consumes");
        output("IngestDlqUrl", ingest.deadLetters().getQueueUrl(), "Dead-letter queue of the ingest queue");
        output("ProcessingFailuresQueueUrl", processors.failures().getQueueUrl(), "Failed Lambda invocations");
        output("DistributionDomainName", cdn.distribution().getDistributionDomainName(), "CloudFront domain");
        output("DistributionId", cdn.distribution().getDistributionId(), "CloudFront distribution id");
        output("CloudFrontKeyPairId", cdn.publicKey().getPublicKeyId(), "Key-Pair-Id of signed URLs");
        output("CloudFrontPrivateKeySecretArn", cdn.privateKey().getSecretArn(),
                "Put the URL-signing private key (PEM) in this secret after the first deploy");
        output("KafkaBootstrapServers", kafka.bootstrapServers(), "Kafka bootstrap servers (IAM auth, port 9098)");
        kafka.clusterArn().ifPresent(arn -> output("KafkaClusterArn", arn, "MSK cluster ARN"));
        output("DatabaseJdbcUrl", readModel.first().jdbcUrl(), "PostgreSQL read model, shard 0 (JDBC URL)");
        output("DatabaseSecretArn", readModel.first().credentials().getSecretArn(),
                "Database username and password of shard 0");
        readModel.shards().stream().skip(1).forEach(shard -> {
            output("DatabaseShard" + shard.shard() + "JdbcUrl", shard.jdbcUrl(),
                    "PostgreSQL read model, shard " + shard.shard() + " (JDBC URL)");
            output("DatabaseShard" + shard.shard() + "SecretArn", shard.credentials().getSecretArn(),
                    "Database username and password of shard " + shard.shard());
        });
        output("ApiUrl", services.apiUrl(), "query-api base URL (load balancer)");
        output("EcsClusterName", services.cluster().getClusterName(), "ECS cluster of the services");
        output("OpsTaskDefinitionArn", services.ops().getTaskDefinitionArn(), "Task definition for ops commands");
        output("OpsSecurityGroupId", services.opsSecurity().getSecurityGroupId(), "Security group for ops tasks");
        output("OpsLogGroupName", services.logs("ops").getLogGroupName(), "Output of ops tasks (aws logs tail)");
        output("PrivateSubnetIds", String.join(",", network.vpc().getPrivateSubnets().stream()
                .map(subnet -> subnet.getSubnetId()).toList()), "Subnets for ops tasks");
        services.repository().ifPresent(repo ->
                output("ImageRepositoryUri", repo.getRepositoryUri(), "Push the filetrail image here"));
        output("AlarmTopicArn", alarms.topic().getTopicArn(), "SNS topic of the operational alarms");
        output("ReleaseHealthAlarmName", alarms.releaseHealth().getAlarmName(),
                "Composite alarm the release pipeline watches after a deploy");
        releaseRoles.ifPresent(roles -> {
            output("ReleaseRoleArn", roles.release().getRoleArn(), "Role the release pipeline runs ops tasks with");
            output("SmokeRoleArn", roles.smoke().getRoleArn(), "Role the release pipeline's smoke check runs with");
        });
    }

    public FileBuckets buckets() {
        return buckets;
    }

    public IngestMessaging ingest() {
        return ingest;
    }

    public Processors processors() {
        return processors;
    }

    public ContentDelivery cdn() {
        return cdn;
    }

    public KafkaCluster kafka() {
        return kafka;
    }

    /** Shard 0 of the read model (the only one unless {@code readModelShards} is above 1). */
    public Database database() {
        return readModel.first();
    }

    /** Every shard of the read model. */
    public ReadModel readModel() {
        return readModel;
    }

    public FiletrailServices services() {
        return services;
    }

    /** The journal: warehouse, Glue database, MSK Connect connector, Athena workgroup. */
    public Journal journal() {
        return journal;
    }

    public OperationalAlarms alarms() {
        return alarms;
    }

    /** The roles handed to the release pipeline, when {@code deliveredBy} names one. */
    public Optional<ReleaseRoles> releaseRoles() {
        return releaseRoles;
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }
}
