package dev.filetrail.aws.data;

import dev.filetrail.aws.StackConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ec2.IConnectable;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.CfnLogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.rds.AuroraPostgresClusterEngineProps;
import software.amazon.awscdk.services.rds.AuroraPostgresEngineVersion;
import software.amazon.awscdk.services.rds.BackupProps;
import software.amazon.awscdk.services.rds.ClusterInstance;
import software.amazon.awscdk.services.rds.Credentials;
import software.amazon.awscdk.services.rds.CredentialsBaseOptions;
import software.amazon.awscdk.services.rds.DBClusterStorageType;
import software.amazon.awscdk.services.rds.DatabaseCluster;
import software.amazon.awscdk.services.rds.DatabaseClusterEngine;
import software.amazon.awscdk.services.rds.Endpoint;
import software.amazon.awscdk.services.rds.EngineLifecycleSupport;
import software.amazon.awscdk.services.rds.IClusterInstance;
import software.amazon.awscdk.services.rds.ProvisionedClusterInstanceProps;
import software.amazon.awscdk.services.rds.ServerlessV2ClusterInstanceProps;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.constructs.Construct;

/**
 * One shard of the query-api read model: an Aurora PostgreSQL cluster, Serverless v2 or of
 * {@code databaseInstanceClass} (a writer and a reader in another zone, each cluster with its own generated
 * credentials), or an existing database named by {@code databaseUrl} and
 * {@code databaseSecretArn}.
 */
public final class Database extends Construct {
    public static final int PORT = 5432;

    private final int shard;
    private final String jdbcUrl;
    private final String readerJdbcUrl;
    private final ISecret credentials;
    private final DatabaseCluster cluster;

    /**
     * Shard {@code shard} (0-based). Shard 0 keeps the names and the unpinned instances the single read model had, so
     * that a stack from before shards keeps its cluster (an instance's zone cannot change without replacing it);
     * later shards pin the writer and the reader to two different zones, one zone further per shard.
     */
    public Database(Construct scope, String id, StackConfig config, int shard, IVpc vpc, Optional<IKey> key) {
        super(scope, id);
        this.shard = shard;
        StackConfig.Database database = config.database();
        if (database.existing()) {
            jdbcUrl = database.url().orElseThrow();
            readerJdbcUrl = null;
            credentials = Secret.fromSecretCompleteArn(this, "Credentials", database.secretArn().orElseThrow());
            cluster = null;
            return;
        }
        String suffix = shard == 0 ? "" : "-shard-" + shard;
        String identifier = config.stackName().toLowerCase() + "-db" + suffix;
        // Made here, with retention, before RDS would make it without any (logs kept and billed forever).
        LogGroup logs = LogGroup.Builder.create(this, "PostgresLogs")
                .logGroupName("/aws/rds/cluster/" + identifier + "/postgresql")
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        ((CfnLogGroup) logs.getNode().getDefaultChild())
                .setRetentionInDays(config.logRetentionDays());

        CredentialsBaseOptions.Builder secretOptions = CredentialsBaseOptions.builder()
                .secretName(config.stackName().toLowerCase() + "/database" + suffix);
        key.ifPresent(secretOptions::encryptionKey);
        // Shard 0 leaves the zones to RDS, as before shards; shard i pins its writer and reader to two zones.
        List<String> zones = vpc.getAvailabilityZones();
        String writerZone = shard == 0 ? null : zones.get(shard % zones.size());
        String readerZone = shard == 0 ? null : zones.get((shard + 1) % zones.size());
        IClusterInstance writer;
        IClusterInstance reader;
        if (database.instanceClass().isPresent()) {
            // A steady, large shard costs less on a provisioned class than on the same memory in ACUs (README).
            InstanceType type = new InstanceType(database.instanceClass().get());
            writer = ClusterInstance.provisioned("Writer", ProvisionedClusterInstanceProps.builder()
                    .instanceType(type).promotionTier(0).availabilityZone(writerZone).build());
            reader = ClusterInstance.provisioned("Reader", ProvisionedClusterInstanceProps.builder()
                    .instanceType(type).promotionTier(1).availabilityZone(readerZone).build());
        } else {
            writer = ClusterInstance.serverlessV2("Writer", ServerlessV2ClusterInstanceProps.builder()
                    .availabilityZone(writerZone).build());
            // The reader follows the writer's size (promotion tier 1): it is the failover target, and the
            // replica that lag-tolerant reads (listing, audit) go to.
            reader = ClusterInstance.serverlessV2("Reader", ServerlessV2ClusterInstanceProps.builder()
                    .availabilityZone(readerZone).scaleWithWriter(true).build());
        }
        DatabaseCluster.Builder builder = DatabaseCluster.Builder.create(this, "Cluster")
                .clusterIdentifier(identifier)
                .engine(DatabaseClusterEngine.auroraPostgres(AuroraPostgresClusterEngineProps.builder()
                        .version(AuroraPostgresEngineVersion.VER_16_8).build()))
                // Staying on community-supported versions avoids RDS Extended Support's per-vCPU-hour charge.
                .engineLifecycleSupport(EngineLifecycleSupport.OPEN_SOURCE_RDS_EXTENDED_SUPPORT_DISABLED)
                .credentials(Credentials.fromGeneratedSecret("filetrail", secretOptions.build()))
                .defaultDatabaseName(database.name())
                .vpc(vpc)
                .vpcSubnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_ISOLATED).build())
                .writer(writer)
                .readers(List.of(reader))
                .parameters(Map.of("rds.force_ssl", "1"))
                .storageEncrypted(true)
                .deletionProtection(true)
                .backup(BackupProps.builder().retention(Duration.days(14)).build())
                .cloudwatchLogsExports(List.of("postgresql"))
                .removalPolicy(RemovalPolicy.SNAPSHOT);
        database.storageType().ifPresent(type -> builder.storageType(
                "io-optimized".equals(type) ? DBClusterStorageType.AURORA_IOPT1 : DBClusterStorageType.AURORA));
        if (database.instanceClass().isEmpty()) {
            builder.serverlessV2MinCapacity(database.minAcu()).serverlessV2MaxCapacity(database.maxAcu());
        }
        key.ifPresent(builder::storageEncryptionKey);
        cluster = builder.build();
        cluster.getNode().addDependency(logs);
        credentials = cluster.getSecret();
        jdbcUrl = url(cluster.getClusterEndpoint(), database.name());
        readerJdbcUrl = url(cluster.getClusterReadEndpoint(), database.name());
    }

    private static String url(Endpoint endpoint, String name) {
        // The socket address, not getHostname() + ":" + getPort(): the port is a numeric token, and Java's string of
        // it (-1.888…E289) is not a token CloudFormation resolves, so the URL carried that text as its port.
        return "jdbc:postgresql://" + endpoint.getSocketAddress() + "/" + name + "?sslmode=require";
    }

    /** This shard's index in {@code READ_MODEL_SHARDS} (0-based). */
    public int shard() {
        return shard;
    }

    /** The writer (cluster endpoint). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The cluster's reader endpoint; empty for an existing database, whose replicas this stack does not know. */
    public Optional<String> readerJdbcUrl() {
        return Optional.ofNullable(readerJdbcUrl);
    }

    /** A Secrets Manager secret whose JSON has {@code username} and {@code password}. */
    public ISecret credentials() {
        return credentials;
    }

    public Optional<DatabaseCluster> cluster() {
        return Optional.ofNullable(cluster);
    }

    /** Lets {@code client} reach PostgreSQL (a no-op for an existing database, whose rules are its own). */
    public void allowFrom(IConnectable client, String description) {
        if (cluster != null) {
            cluster.getConnections().allowFrom(client, Port.tcp(PORT), description);
        }
    }
}
