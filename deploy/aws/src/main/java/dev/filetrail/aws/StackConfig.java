package dev.filetrail.aws;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Every deploy-time choice of the Filetrail stack, read from CDK context ({@code -c key=value} or cdk.json);
 * the defaults below are the documented production defaults (see the repository README, "Deploying to AWS", "Parameters").
 */
public record StackConfig(
        String stackName,
        String region,
        Optional<String> account,
        List<String> availabilityZones,
        int zoneCount,
        int natGateways,
        Encryption encryption,
        int logRetentionDays,
        Storage storage,
        Ingest ingest,
        Processing processing,
        Kafka kafka,
        Database database,
        Services services,
        Cdn cdn,
        Alarms alarms,
        Journal journal,
        Optional<String> deliveredBy) {

    public static final String DEFAULT_REGION = "ap-northeast-2";

    /** Every context key this app reads; the repository README documents each one (a test keeps the two in step). */
    public static final List<String> KEYS = List.of(
            "stackName", "region", "account", "availabilityZones", "zoneCount", "natGateways", "encryption", "logRetentionDays",
            "sourceBucketName", "derivativesBucketName", "intelligentTiering", "noncurrentToStandardIaDays",
            "noncurrentToGlacierIrDays", "noncurrentExpirationDays", "abortIncompleteMultipartDays",
            "visibilityTimeoutSeconds", "dlqMaxReceives", "ingestRetentionDays", "dlqRetentionDays",
            "lambdaJar", "lambdaLayer", "lambdaTimeoutSeconds", "thumbnailerMemoryMb", "metadataMemoryMb",
            "thumbnailerConcurrency", "metadataConcurrency", "lambdaRetryAttempts",
            "kafkaBootstrapServers", "kafkaClusterArn", "kafkaInstanceType", "kafkaBrokersPerAz", "kafkaVersion",
            "kafkaVolumeGb", "kafkaStorageMode", "kafkaTopicPartitions", "kafkaReplicationFactor", "auditRetentionMs",
            "databaseUrl", "databaseSecretArn", "databaseName", "databaseMinAcu", "databaseMaxAcu", "databaseInstanceClass", "databaseStorageType",
            "readModelShards",
            "imageUri", "imageTag", "cpuArchitecture", "pauseServices",
            "bridgeCpu", "bridgeMemoryMb", "bridgeMinTasks", "bridgeMaxTasks",
            "streamsCpu", "streamsMemoryMb", "streamsSlots", "streamsInstanceType", "streamsVolumeGb",
            "streamsStandbyReplicas",
            "apiCpu", "apiMemoryMb", "apiMinTasks", "apiMaxTasks", "opsCpu", "opsMemoryMb",
            "apiCertificateArn", "apiDomainName", "apiAllowedCidr", "apiHealthPath",
            "cloudFrontPublicKeyPem", "cloudFrontPublicKeyFile", "cdnPriceClass", "cdnDomainName", "cdnCertificateArn",
            "alarmEmail", "billingAlarmUsd", "anomalyThresholdUsd", "costMonitor", "maxMessageAgeSeconds",
            "maxConsumerLagSeconds", "api5xxPercent", "lambdaErrorThreshold",
            "journalPlugin", "journalDatabase", "journalCommitIntervalMs", "journalWorkers", "journalMcuCount",
            "journalTasks", "athenaResultsExpirationDays", "deliveredBy");

    // CloudWatch Logs accepts only these retention periods.
    private static final Set<Integer> LOG_RETENTION_DAYS = Set.of(
            1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653);

    public StackConfig {
        availabilityZones = List.copyOf(availabilityZones);
        require(availabilityZones.isEmpty() || availabilityZones.size() == zoneCount,
                "zoneCount must equal the number of availabilityZones named");
        // MSK needs brokers in 2 or 3 zones; Aurora and the ALB need at least 2.
        require(zoneCount == 2 || zoneCount == 3, "the stack spans 2 or 3 availability zones");
        require(natGateways >= 0 && natGateways <= zoneCount,
                "natGateways must be between 0 and the number of availability zones");
        require(LOG_RETENTION_DAYS.contains(logRetentionDays),
                "logRetentionDays must be one CloudWatch accepts, e.g. 30, 90, 365; got " + logRetentionDays);
        require(stackName.matches("[A-Za-z][A-Za-z0-9-]{0,30}"), "stackName must be letters, digits and '-', at most 31");
        // Default bucket names are <stack>-derivatives-<12-digit account>-<region>; S3 allows 63 characters.
        require(storage.derivativesBucketName().isPresent()
                        || stackName.length() + "-derivatives-".length() + 13 + region.length() <= 63,
                "stackName and region are too long for the default bucket names; set sourceBucketName and derivativesBucketName");
        // A queue that Lambda polls must keep a message invisible at least as long as the function may run
        // (AWS rejects the event source mapping otherwise); the same bound keeps the bridge's queue usable by a
        // Lambda consumer and keeps retries of a slow Lambda from outliving the message's lease.
        require(deliveredBy.isEmpty() || deliveredBy.get().matches("[a-z][a-z0-9-]{0,19}"),
                "deliveredBy names a release pipeline: lower-case letters, digits and '-', at most 20");
        // The read-model shard of a key is its Kafka partition mod the shard count (the services check it again at
        // start): with a partition count that is not a multiple, shards would own unequal numbers of partitions.
        require(kafka.topicPartitions() % database.shards() == 0,
                "kafkaTopicPartitions (" + kafka.topicPartitions() + ") must be a multiple of readModelShards ("
                        + database.shards() + ")");
        require(processing.timeoutSeconds() <= ingest.visibilityTimeoutSeconds(),
                "lambdaTimeoutSeconds (" + processing.timeoutSeconds() + ") must not exceed visibilityTimeoutSeconds ("
                        + ingest.visibilityTimeoutSeconds() + ")");
    }

    /** Reads the configuration from CDK context; unset keys take the documented defaults. */
    public static StackConfig from(ContextValues ctx) {
        String region = ctx.string("region", DEFAULT_REGION);
        // Empty: the first zoneCount zones of Fn::GetAZs, resolved at deploy time, so synth needs no account.
        List<String> zones = ctx.list("availabilityZones", List.of());
        int zoneCount = zones.isEmpty() ? ctx.integer("zoneCount", 3) : zones.size();
        return new StackConfig(
                ctx.string("stackName", "Filetrail"),
                region,
                ctx.optional("account"),
                zones,
                zoneCount,
                ctx.integer("natGateways", zoneCount),
                Encryption.parse(ctx.string("encryption", "s3")),
                ctx.integer("logRetentionDays", 90),
                new Storage(
                        ctx.optional("sourceBucketName"),
                        ctx.optional("derivativesBucketName"),
                        ctx.bool("intelligentTiering", false),
                        ctx.integer("noncurrentToStandardIaDays", 30),
                        ctx.integer("noncurrentToGlacierIrDays", 90),
                        ctx.integer("noncurrentExpirationDays", 365),
                        ctx.integer("abortIncompleteMultipartDays", 7)),
                new Ingest(
                        ctx.integer("visibilityTimeoutSeconds", 120),
                        ctx.integer("dlqMaxReceives", 100),
                        ctx.integer("ingestRetentionDays", 7),
                        ctx.integer("dlqRetentionDays", 14)),
                new Processing(
                        ctx.optional("lambdaJar"),
                        ctx.optional("lambdaLayer"),
                        ctx.integer("lambdaTimeoutSeconds", 60),
                        ctx.integer("thumbnailerMemoryMb", 2048),
                        ctx.integer("metadataMemoryMb", 1024),
                        ctx.optionalInteger("thumbnailerConcurrency"),
                        ctx.optionalInteger("metadataConcurrency"),
                        ctx.integer("lambdaRetryAttempts", 2)),
                new Kafka(
                        ctx.optional("kafkaBootstrapServers"),
                        ctx.optional("kafkaClusterArn"),
                        ctx.string("kafkaInstanceType", "kafka.m7g.large"),
                        ctx.integer("kafkaBrokersPerAz", 1),
                        ctx.string("kafkaVersion", "3.9.x"),
                        ctx.integer("kafkaVolumeGb", 1000),
                        ctx.string("kafkaStorageMode", "TIERED").toUpperCase(Locale.ROOT),
                        ctx.integer("kafkaTopicPartitions", 12),
                        // Three copies, or one per broker of a smaller MSK cluster.
                        ctx.integer("kafkaReplicationFactor", ctx.optional("kafkaBootstrapServers").isPresent() ? 3
                                : Math.min(3, zoneCount * ctx.integer("kafkaBrokersPerAz", 1))),
                        Long.parseLong(ctx.string("auditRetentionMs", "-1"))),
                new Database(
                        ctx.optional("databaseUrl"),
                        ctx.optional("databaseSecretArn"),
                        ctx.string("databaseName", "filetrail"),
                        ctx.decimal("databaseMinAcu", 0.5),
                        ctx.decimal("databaseMaxAcu", 16),
                        ctx.integer("readModelShards", 1),
                        ctx.optional("databaseInstanceClass"),
                        ctx.optional("databaseStorageType").map(text -> text.toLowerCase(Locale.ROOT))),
                new Services(
                        ctx.optional("imageUri"),
                        ctx.string("imageTag", "0.1.0"),
                        ctx.string("cpuArchitecture", "X86_64").toUpperCase(Locale.ROOT),
                        ctx.bool("pauseServices", false),
                        new ServiceSize(ctx.integer("bridgeCpu", 512), ctx.integer("bridgeMemoryMb", 1024),
                                ctx.integer("bridgeMinTasks", 1), ctx.integer("bridgeMaxTasks", 10)),
                        // Streams slots are fixed (each has a host and a volume of its own): min = max.
                        new ServiceSize(ctx.integer("streamsCpu", 1024), ctx.integer("streamsMemoryMb", 4096),
                                ctx.integer("streamsSlots", 2), ctx.integer("streamsSlots", 2)),
                        new ServiceSize(ctx.integer("apiCpu", 1024), ctx.integer("apiMemoryMb", 2048),
                                ctx.integer("apiMinTasks", 2), ctx.integer("apiMaxTasks", 10)),
                        // One-off commands: rebuild --streams restores RocksDB state, so more memory than the bridge.
                        new ServiceSize(ctx.integer("opsCpu", 1024), ctx.integer("opsMemoryMb", 4096), 1, 1),
                        ctx.optional("apiCertificateArn"),
                        ctx.optional("apiDomainName"),
                        ctx.string("apiAllowedCidr", "0.0.0.0/0"),
                        ctx.string("apiHealthPath", "/ready"),
                        new StreamsHosts(
                                ctx.string("streamsInstanceType",
                                        "ARM64".equals(ctx.string("cpuArchitecture", "X86_64").toUpperCase(Locale.ROOT))
                                                ? "m7g.large" : "m7i.large"),
                                ctx.integer("streamsVolumeGb", 200),
                                ctx.integer("streamsStandbyReplicas", 1))),
                new Cdn(
                        ctx.optional("cloudFrontPublicKeyPem"),
                        ctx.optional("cloudFrontPublicKeyFile"),
                        ctx.string("cdnPriceClass", "PriceClass_200"),
                        ctx.optional("cdnDomainName"),
                        ctx.optional("cdnCertificateArn")),
                new Alarms(
                        ctx.optional("alarmEmail"),
                        ctx.decimal("billingAlarmUsd", 1000),
                        ctx.decimal("anomalyThresholdUsd", 100),
                        CostMonitor.parse(ctx.string("costMonitor", "tag")),
                        ctx.integer("maxMessageAgeSeconds", 900),
                        ctx.integer("maxConsumerLagSeconds", 300),
                        ctx.decimal("api5xxPercent", 5),
                        ctx.integer("lambdaErrorThreshold", 5)),
                new Journal(
                        ctx.optional("journalPlugin"),
                        ctx.string("journalDatabase", "filetrail"),
                        ctx.integer("journalCommitIntervalMs", 60_000),
                        ctx.integer("journalWorkers", 1),
                        ctx.integer("journalMcuCount", 1),
                        ctx.integer("journalTasks", 1),
                        ctx.integer("athenaResultsExpirationDays", 30)),
                ctx.optional("deliveredBy"));
    }

    /**
     * The journal in AWS: the MSK Connect custom plugin's zip ({@code deploy/journal}'s connect-plugin assembly;
     * a placeholder without it), the Glue database of the Iceberg tables, the connector's commit interval and size.
     */
    public record Journal(Optional<String> plugin, String database, int commitIntervalMs, int workers, int mcuCount,
                          int tasks, int athenaResultsExpirationDays) {
        public Journal {
            // Glue and Athena fold names to lower case; Athena wants letters, digits and '_' in database names.
            require(database.matches("[a-z][a-z0-9_]{0,63}"), "journalDatabase must be lower-case letters, digits, '_'");
            require(commitIntervalMs >= 1_000, "journalCommitIntervalMs must be at least 1000");
            // MSK Connect's provisioned capacity: 1, 2, 4 or 8 MCUs per worker, 1..10 workers.
            require(Set.of(1, 2, 4, 8).contains(mcuCount), "journalMcuCount must be 1, 2, 4 or 8");
            require(workers >= 1 && workers <= 10, "journalWorkers must be 1..10");
            require(tasks >= 1, "journalTasks must be at least 1");
            require(athenaResultsExpirationDays >= 1, "athenaResultsExpirationDays must be at least 1");
        }
    }

    /** How data at rest is encrypted: S3/SQS-managed keys, or one customer-managed KMS key for the stack. */
    public enum Encryption {
        S3_MANAGED, KMS;

        static Encryption parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "s3", "s3_managed", "sse-s3" -> S3_MANAGED;
                case "kms", "sse-kms" -> KMS;
                default -> throw new IllegalArgumentException("encryption must be s3 or kms, got '" + text + "'");
            };
        }
    }

    /** Which Cost Anomaly Detection monitor the billing stack creates. */
    public enum CostMonitor {
        /** A custom monitor on the {@code Project=filetrail} cost allocation tag. */
        TAG,
        /** The account-wide AWS services monitor (an account may hold only one). */
        SERVICE,
        /** No monitor and no subscription (the account already watches its costs). */
        NONE;

        static CostMonitor parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "tag" -> TAG;
                case "service" -> SERVICE;
                case "none" -> NONE;
                default -> throw new IllegalArgumentException("costMonitor must be tag, service or none, got '" + text + "'");
            };
        }
    }

    /** The two buckets and the source bucket's lifecycle. */
    public record Storage(Optional<String> sourceBucketName, Optional<String> derivativesBucketName,
                          boolean intelligentTiering, int noncurrentToStandardIaDays, int noncurrentToGlacierIrDays,
                          int noncurrentExpirationDays, int abortIncompleteMultipartDays) {
        public Storage {
            // S3 refuses a transition to STANDARD_IA sooner than 30 days, and transitions must move forward in time.
            require(noncurrentToStandardIaDays >= 30, "noncurrentToStandardIaDays must be at least 30 (S3's minimum)");
            require(noncurrentToGlacierIrDays > noncurrentToStandardIaDays,
                    "noncurrentToGlacierIrDays must come after noncurrentToStandardIaDays");
            // Glacier IR bills 90 days at least: expiring sooner pays for days that are never stored.
            require(noncurrentExpirationDays >= noncurrentToGlacierIrDays + 90,
                    "noncurrentExpirationDays must be at least noncurrentToGlacierIrDays + 90 (Glacier IR's minimum)");
            require(abortIncompleteMultipartDays >= 1, "abortIncompleteMultipartDays must be at least 1");
        }
    }

    /** The SNS to SQS ingest path that the bridge consumes. */
    public record Ingest(int visibilityTimeoutSeconds, int dlqMaxReceives, int retentionDays, int dlqRetentionDays) {
        public Ingest {
            require(visibilityTimeoutSeconds >= 1 && visibilityTimeoutSeconds <= 43_200,
                    "visibilityTimeoutSeconds must be 1..43200 (SQS's limit)");
            require(dlqMaxReceives >= 1 && dlqMaxReceives <= 1000, "dlqMaxReceives must be 1..1000");
            require(retentionDays >= 1 && dlqRetentionDays <= 14, "queue retention must be 1..14 days (SQS's limit)");
            // A message's age in the DLQ counts from its first enqueue, so the DLQ must keep it longer than the queue did.
            require(dlqRetentionDays > retentionDays, "dlqRetentionDays must be longer than ingestRetentionDays");
        }
    }

    /**
     * The thumbnailer and metadata Lambdas. Reserved concurrency is unset by default: an account whose
     * concurrency quota is small (new accounts get 10) cannot reserve any and would fail the deploy.
     */
    public record Processing(Optional<String> lambdaJar, Optional<String> lambdaLayer, int timeoutSeconds,
                             int thumbnailerMemoryMb, int metadataMemoryMb, Optional<Integer> thumbnailerConcurrency,
                             Optional<Integer> metadataConcurrency, int retryAttempts) {
        public Processing {
            require(timeoutSeconds >= 1 && timeoutSeconds <= 900, "lambdaTimeoutSeconds must be 1..900 (Lambda's limit)");
            require(thumbnailerMemoryMb >= 128 && thumbnailerMemoryMb <= 10_240, "thumbnailerMemoryMb must be 128..10240");
            require(metadataMemoryMb >= 128 && metadataMemoryMb <= 10_240, "metadataMemoryMb must be 128..10240");
            require(thumbnailerConcurrency.orElse(1) >= 1 && metadataConcurrency.orElse(1) >= 1,
                    "reserved concurrency must be at least 1");
            require(retryAttempts >= 0 && retryAttempts <= 2, "lambdaRetryAttempts must be 0..2 (Lambda's limit)");
        }
    }

    /** Amazon MSK, or an existing Kafka cluster when {@code kafkaBootstrapServers} is set. */
    public record Kafka(Optional<String> bootstrapServers, Optional<String> clusterArn, String instanceType,
                        int brokersPerAz, String version, int volumeGb, String storageMode, int topicPartitions,
                        int replicationFactor, long auditRetentionMs) {
        public Kafka {
            require(clusterArn.isEmpty() || bootstrapServers.isPresent(),
                    "kafkaClusterArn is only used with kafkaBootstrapServers (an existing cluster)");
            require(clusterArn.isEmpty() || clusterArn.get().matches("arn:aws[a-z-]*:kafka:[^:]+:\\d{12}:cluster/[^/]+/[^/]+"),
                    "kafkaClusterArn must be an MSK cluster ARN");
            require(brokersPerAz >= 1, "kafkaBrokersPerAz must be at least 1");
            require(volumeGb >= 1 && volumeGb <= 16_384, "kafkaVolumeGb must be 1..16384");
            require(Set.of("LOCAL", "TIERED").contains(storageMode), "kafkaStorageMode must be LOCAL or TIERED");
            require(topicPartitions >= 1, "kafkaTopicPartitions must be at least 1");
            require(replicationFactor >= 1, "kafkaReplicationFactor must be at least 1");
            require(auditRetentionMs == -1 || auditRetentionMs > 0, "auditRetentionMs must be -1 (forever) or positive");
        }

        public boolean existing() {
            return bootstrapServers.isPresent();
        }
    }

    /**
     * The read model: {@code shards} Aurora PostgreSQL clusters (each a writer and a reader in another zone; Serverless
     * v2, or provisioned instances of {@code instanceClass}), or one existing PostgreSQL when {@code databaseUrl} is set.
     */
    public record Database(Optional<String> url, Optional<String> secretArn, String name, double minAcu, double maxAcu,
                           int shards, Optional<String> instanceClass, Optional<String> storageType) {
        public Database {
            // Unset leaves the template as it was (Aurora's default, Standard); "standard" names it, which is how a
            // cluster switched to I/O-Optimized is switched back (AWS allows that once in 30 days).
            require(storageType.isEmpty() || Set.of("standard", "io-optimized").contains(storageType.get()),
                    "databaseStorageType must be standard or io-optimized");
            require(url.isEmpty() || storageType.isEmpty(), "databaseStorageType applies to the clusters this stack"
                    + " creates, not an existing databaseUrl");
            // RDS's class names without their "db." prefix, which CDK adds: r7g.4xlarge, r8g.2xlarge.
            require(instanceClass.isEmpty() || instanceClass.get().matches("[a-z][a-z0-9-]*\\.[a-z0-9]+"),
                    "databaseInstanceClass must be an instance class without db., e.g. r7g.4xlarge");
            require(url.isEmpty() || instanceClass.isEmpty(), "databaseInstanceClass sizes the clusters this stack"
                    + " creates, not an existing databaseUrl");
            require(shards >= 1, "readModelShards must be at least 1");
            // One URL and one secret name one database; a sharded existing read model is not wired (README).
            require(url.isEmpty() || shards == 1, "readModelShards above 1 needs the Aurora clusters this stack creates"
                    + " (an existing databaseUrl is one shard)");
            require(url.isEmpty() || secretArn.isPresent(),
                    "databaseUrl needs databaseSecretArn (a Secrets Manager secret with username and password)");
            require(url.isEmpty() || url.get().startsWith("jdbc:postgresql://"), "databaseUrl must be a jdbc:postgresql:// URL");
            require(minAcu >= 0 && maxAcu >= minAcu && maxAcu <= 256, "database ACUs must satisfy 0 <= min <= max <= 256");
            require(name.matches("[a-z_][a-z0-9_]{0,62}"), "databaseName must be a lower-case PostgreSQL identifier");
        }

        public boolean existing() {
            return url.isPresent();
        }
    }

    /** The three ECS Fargate services run from one image of the {@code filetrail} launcher. */
    public record Services(Optional<String> imageUri, String imageTag, String cpuArchitecture, boolean paused,
                           ServiceSize bridge, ServiceSize streams, ServiceSize api, ServiceSize ops,
                           Optional<String> apiCertificateArn, Optional<String> apiDomainName, String apiAllowedCidr,
                           String apiHealthPath, StreamsHosts streamsHosts) {
        public Services {
            require(streamsHosts.standbyReplicas() < streams.minTasks() || streamsHosts.standbyReplicas() == 0,
                    "streamsStandbyReplicas must be below streamsSlots: a standby lives on another slot's host");
            require(Set.of("ARM64", "X86_64").contains(cpuArchitecture), "cpuArchitecture must be ARM64 or X86_64");
            require(apiHealthPath.startsWith("/"), "apiHealthPath must start with /");
            require(apiDomainName.isEmpty() || apiCertificateArn.isPresent(),
                    "apiDomainName needs apiCertificateArn (an ACM certificate for that name in the stack's region)");
        }
    }

    /**
     * The EC2 hosts of the streams slots: one instance per slot, whose root volume keeps RocksDB across task
     * replacements and deployments.
     */
    public record StreamsHosts(String instanceType, int volumeGb, int standbyReplicas) {
        public StreamsHosts {
            require(instanceType.matches("[a-z][a-z0-9-]*\\.[a-z0-9]+"), "streamsInstanceType must be an EC2 type, e.g. m7i.large");
            require(volumeGb >= 30 && volumeGb <= 16_384, "streamsVolumeGb must be 30..16384 (gp3; the AMI needs 30)");
            require(standbyReplicas >= 0, "streamsStandbyReplicas must be >= 0");
        }
    }

    /** Fargate size and autoscaling bounds of one service. */
    public record ServiceSize(int cpu, int memoryMb, int minTasks, int maxTasks) {
        public ServiceSize {
            require(Set.of(256, 512, 1024, 2048, 4096, 8192, 16384).contains(cpu), "Fargate cpu must be 256..16384 units");
            require(minTasks >= 1 && maxTasks >= minTasks, "tasks must satisfy 1 <= min <= max");
        }
    }

    /** The CloudFront distribution. */
    public record Cdn(Optional<String> publicKeyPem, Optional<String> publicKeyFile, String priceClass,
                      Optional<String> domainName, Optional<String> certificateArn) {
        public Cdn {
            require(Set.of("PriceClass_100", "PriceClass_200", "PriceClass_All").contains(priceClass),
                    "cdnPriceClass must be PriceClass_100, PriceClass_200 or PriceClass_All");
            require(domainName.isPresent() == certificateArn.isPresent(),
                    "cdnDomainName and cdnCertificateArn (an ACM certificate in us-east-1) go together");
            require(certificateArn.isEmpty() || certificateArn.get().startsWith("arn:aws:acm:us-east-1:"),
                    "CloudFront takes certificates from ACM in us-east-1 only");
        }
    }

    /** Alarm thresholds and where alarms go. */
    public record Alarms(Optional<String> email, double billingAlarmUsd, double anomalyThresholdUsd,
                         CostMonitor costMonitor, int maxMessageAgeSeconds, int maxConsumerLagSeconds,
                         double api5xxPercent, int lambdaErrorThreshold) {
        public Alarms {
            require(billingAlarmUsd > 0 && anomalyThresholdUsd > 0, "cost thresholds must be positive");
            require(maxMessageAgeSeconds > 0 && maxConsumerLagSeconds > 0, "lag thresholds must be positive");
            require(api5xxPercent > 0 && api5xxPercent < 100, "api5xxPercent must be in (0, 100)");
            require(lambdaErrorThreshold >= 1, "lambdaErrorThreshold must be at least 1");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
