package dev.filetrail.aws.data;

import dev.filetrail.aws.StackConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ec2.IConnectable;
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
import software.amazon.awscdk.services.rds.DatabaseCluster;
import software.amazon.awscdk.services.rds.DatabaseClusterEngine;
import software.amazon.awscdk.services.rds.EngineLifecycleSupport;
import software.amazon.awscdk.services.rds.ServerlessV2ClusterInstanceProps;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.constructs.Construct;

/**
 * PostgreSQL for the query-api read model: Aurora PostgreSQL Serverless v2 (writer and a reader in another
 * zone), or an existing database named by {@code databaseUrl} and {@code databaseSecretArn}.
 */
public final class Database extends Construct {
    public static final int PORT = 5432;

    private final String jdbcUrl;
    private final ISecret credentials;
    private final DatabaseCluster cluster;

    public Database(Construct scope, String id, StackConfig config, IVpc vpc, Optional<IKey> key) {
        super(scope, id);
        StackConfig.Database database = config.database();
        if (database.existing()) {
            jdbcUrl = database.url().orElseThrow();
            credentials = Secret.fromSecretCompleteArn(this, "Credentials", database.secretArn().orElseThrow());
            cluster = null;
            return;
        }
        String identifier = config.stackName().toLowerCase() + "-db";
        // Made here, with retention, before RDS would make it without any (logs kept and billed forever).
        LogGroup logs = LogGroup.Builder.create(this, "PostgresLogs")
                .logGroupName("/aws/rds/cluster/" + identifier + "/postgresql")
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        ((CfnLogGroup) logs.getNode().getDefaultChild())
                .setRetentionInDays(config.logRetentionDays());

        CredentialsBaseOptions.Builder secretOptions = CredentialsBaseOptions.builder()
                .secretName(config.stackName().toLowerCase() + "/database");
        key.ifPresent(secretOptions::encryptionKey);
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
                .writer(ClusterInstance.serverlessV2("Writer"))
                .readers(List.of(ClusterInstance.serverlessV2("Reader",
                        ServerlessV2ClusterInstanceProps.builder().scaleWithWriter(true).build())))
                .serverlessV2MinCapacity(database.minAcu())
                .serverlessV2MaxCapacity(database.maxAcu())
                .parameters(Map.of("rds.force_ssl", "1"))
                .storageEncrypted(true)
                .deletionProtection(true)
                .backup(BackupProps.builder().retention(Duration.days(14)).build())
                .cloudwatchLogsExports(List.of("postgresql"))
                .removalPolicy(RemovalPolicy.SNAPSHOT);
        key.ifPresent(builder::storageEncryptionKey);
        cluster = builder.build();
        cluster.getNode().addDependency(logs);
        credentials = cluster.getSecret();
        jdbcUrl = "jdbc:postgresql://" + cluster.getClusterEndpoint().getHostname() + ":"
                + cluster.getClusterEndpoint().getPort() + "/" + database.name() + "?sslmode=require";
    }

    public String jdbcUrl() {
        return jdbcUrl;
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
