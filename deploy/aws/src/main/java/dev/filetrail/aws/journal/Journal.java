package dev.filetrail.aws.journal;

import dev.filetrail.aws.LogGroups;
import dev.filetrail.aws.ModuleHome;
import dev.filetrail.aws.StackConfig;
import dev.filetrail.aws.data.KafkaCluster;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.sink.SinkConnector;
import dev.filetrail.journal.table.InventoryView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.athena.CfnWorkGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.glue.CfnDatabase;
import software.amazon.awscdk.services.glue.CfnTable;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kafkaconnect.CfnConnector;
import software.amazon.awscdk.services.kafkaconnect.CfnCustomPlugin;
import software.amazon.awscdk.services.kafkaconnect.CfnWorkerConfiguration;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.constructs.Construct;

/**
 * The journal in AWS: the Iceberg warehouse bucket, the Glue database that is the Iceberg catalog, MSK Connect
 * running Iceberg's sink with Filetrail's plugin (the same connector properties as the local worker, with
 * {@code GlueCatalog}), and Athena to query it: a workgroup with its results bucket, the inventory view, and the
 * managed policy Athena users get. Least privilege: the connector's S3 and Glue rights name the warehouse and the
 * database only.
 */
public final class Journal extends Construct {
    /** Where in the warehouse bucket the tables live (GlueCatalog puts each under {@code <database>.db/}). */
    public static final String WAREHOUSE_PREFIX = "warehouse";
    /** MSK Connect's Kafka Connect version the connector runs on (Iceberg's sink needs Connect 3). */
    public static final String CONNECT_VERSION = "3.7.x";
    /** The Glue calls Iceberg's GlueCatalog makes for the connector: load a table, commit a snapshot. */
    public static final List<String> CONNECTOR_GLUE_ACTIONS = List.of("glue:GetDatabase", "glue:GetTable",
            "glue:UpdateTable");
    /** The Glue calls of {@code filetrail journal init} and {@code replay --from-journal} in the ops task. */
    public static final List<String> OPS_GLUE_ACTIONS = List.of("glue:GetDatabase", "glue:GetTable", "glue:GetTables",
            "glue:CreateTable");
    /** What S3FileIO does in the warehouse: read and write data, manifest and metadata files; delete what a failed commit left. */
    public static final List<String> WAREHOUSE_WRITE_ACTIONS = List.of("s3:GetObject", "s3:PutObject",
            "s3:DeleteObject", "s3:AbortMultipartUpload");

    /** What the stack wires into the journal. */
    public record Wiring(IVpc vpc, KafkaCluster kafka, FargateTaskDefinition ops, Optional<IKey> key) {
    }

    private final Bucket warehouse;
    private final Bucket results;
    private final CfnDatabase database;
    private final CfnWorkGroup workgroup;
    private final CfnTable inventoryView;
    private final ManagedPolicy athenaUsers;
    private final CfnCustomPlugin plugin;
    private final Optional<CfnConnector> connector;
    private final String databaseName;
    private final Map<String, String> connectorProperties;

    public Journal(Construct scope, String id, StackConfig config, Wiring wiring) {
        super(scope, id);
        StackConfig.Journal journal = config.journal();
        String prefix = config.stackName().toLowerCase();
        String region = Stack.of(this).getRegion();
        databaseName = journal.database();

        warehouse = bucket("Warehouse", prefix + "-journal-" + Aws.ACCOUNT_ID + "-" + region, true, wiring.key(),
                List.of(
                        // Iceberg deletes files only when snapshots expire (Athena's VACUUM, OPTIMIZE); versioning
                        // keeps what it deleted for a month, then it goes.
                        LifecycleRule.builder().id("noncurrent-versions")
                                .noncurrentVersionExpiration(Duration.days(30)).build(),
                        // parts of a data file whose upload a worker never finished
                        LifecycleRule.builder().id("incomplete-uploads")
                                .abortIncompleteMultipartUploadAfter(Duration.days(1)).build(),
                        LifecycleRule.builder().id("expired-delete-markers").expiredObjectDeleteMarker(true).build()),
                RemovalPolicy.RETAIN);
        results = bucket("AthenaResults", prefix + "-athena-results-" + Aws.ACCOUNT_ID + "-" + region, false,
                wiring.key(), List.of(LifecycleRule.builder().id("query-results")
                        .expiration(Duration.days(journal.athenaResultsExpirationDays()))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1)).build()),
                RemovalPolicy.DESTROY);

        database = CfnDatabase.Builder.create(this, "Database")
                .catalogId(Aws.ACCOUNT_ID)
                .databaseInput(CfnDatabase.DatabaseInputProperty.builder()
                        .name(databaseName)
                        .description("Filetrail journal: Iceberg tables journal, audit, inventory_changes; view inventory")
                        .build())
                .build();

        inventoryView = createInventoryView();

        CfnWorkGroup.EncryptionConfigurationProperty.Builder encryption = CfnWorkGroup.EncryptionConfigurationProperty
                .builder();
        wiring.key().ifPresentOrElse(k -> encryption.encryptionOption("SSE_KMS").kmsKey(k.getKeyArn()),
                () -> encryption.encryptionOption("SSE_S3"));
        workgroup = CfnWorkGroup.Builder.create(this, "Workgroup")
                .name(prefix + "-journal")
                .description("Filetrail journal queries")
                .recursiveDeleteOption(true)
                .workGroupConfiguration(CfnWorkGroup.WorkGroupConfigurationProperty.builder()
                        // users cannot send results elsewhere or unencrypted
                        .enforceWorkGroupConfiguration(true)
                        .publishCloudWatchMetricsEnabled(true)
                        .engineVersion(CfnWorkGroup.EngineVersionProperty.builder()
                                .selectedEngineVersion("Athena engine version 3").build())
                        .resultConfiguration(CfnWorkGroup.ResultConfigurationProperty.builder()
                                .outputLocation("s3://" + results.getBucketName() + "/results/")
                                .expectedBucketOwner(Aws.ACCOUNT_ID)
                                .encryptionConfiguration(encryption.build())
                                .build())
                        .build())
                .build();

        athenaUsers = athenaUsersPolicy(wiring.key());

        Path pluginPath = journal.plugin().map(text -> {
            Path path = Path.of(text).toAbsolutePath().normalize();
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("context journalPlugin points to " + path + ", which is not a file");
            }
            return path;
        }).orElse(ModuleHome.asset("placeholder-journal-plugin"));
        Asset pluginZip = Asset.Builder.create(this, "PluginZip").path(pluginPath.toString()).build();
        plugin = CfnCustomPlugin.Builder.create(this, "Plugin")
                .name(prefix + "-journal-plugin")
                .description("Iceberg's Kafka Connect sink with Filetrail's transformation (deploy/journal)")
                .contentType("ZIP")
                .location(CfnCustomPlugin.CustomPluginLocationProperty.builder()
                        .s3Location(CfnCustomPlugin.S3LocationProperty.builder()
                                .bucketArn(pluginZip.getBucket().getBucketArn())
                                .fileKey(pluginZip.getS3ObjectKey()).build())
                        .build())
                .build();

        // The connector's configuration: SinkConnector's, as the local worker's, with Glue as the catalog.
        Map<String, String> journalEnv = new LinkedHashMap<>();
        journalEnv.put("JOURNAL_CATALOG_TYPE", JournalConfig.GLUE);
        journalEnv.put("JOURNAL_CATALOG_NAME", "glue");
        journalEnv.put("JOURNAL_WAREHOUSE", warehouseLocation());
        journalEnv.put("JOURNAL_NAMESPACE", databaseName);
        journalEnv.put("AWS_REGION", region);
        journalEnv.put("JOURNAL_COMMIT_INTERVAL_MS", Integer.toString(journal.commitIntervalMs()));
        JournalConfig journalConfig = JournalConfig.fromEnvironment(journalEnv);
        KafkaClientSettings kafkaSettings = KafkaClientSettings.fromEnvironment(wiring.kafka().clientEnvironment());
        Map<String, String> properties = new LinkedHashMap<>(SinkConnector.properties(SinkConnector.NAME,
                SinkConnector.Sources.FILETRAIL, journalConfig, kafkaSettings, journal.tasks()));
        // MSK's replication, not the single broker's of the local stack (init creates the topic beforehand anyway)
        properties.put("errors.deadletterqueue.topic.replication.factor",
                wiring.kafka().clientEnvironment().get("TOPIC_REPLICATION_FACTOR"));
        connectorProperties = Map.copyOf(properties);

        // ops: `filetrail journal init` creates the tables, `replay --from-journal` reads them
        journalEnv.forEach((k, v) -> {
            if (!k.equals("AWS_REGION")) {
                wiring.ops().getDefaultContainer().addEnvironment(k, v);
            }
        });
        grantOps(wiring.ops().getTaskRole(), wiring.key());

        // The connector's execution role (KafkaCluster's, with its Kafka rights): the warehouse and the database.
        wiring.kafka().journalConnector().ifPresent(role -> warehouseStatements(WAREHOUSE_WRITE_ACTIONS,
                CONNECTOR_GLUE_ACTIONS, wiring.key(), true).forEach(role::addToPrincipalPolicy));
        // Like the services, the connector waits for pauseServices=false: its tables and topics are made by the ops
        // task (journal init) after the first deploy, and a connector that cannot load its tables fails to create.
        connector = config.services().paused() ? Optional.empty()
                : wiring.kafka().journalConnector().map(role -> connector(config, wiring, role, properties));
        if (connector.isEmpty() && !config.services().paused()) {
            software.amazon.awscdk.Annotations.of(this).addWarningV2("filetrail:journal-without-connector",
                    "the journal connector needs MSK with IAM (kafkaClusterArn for an existing cluster): not created");
        }

        CfnOutput.Builder.create(this, "WarehouseBucketName").value(warehouse.getBucketName())
                .description("Bucket of the journal's Iceberg tables").build();
        CfnOutput.Builder.create(this, "GlueDatabaseName").value(databaseName)
                .description("Glue database (Iceberg catalog) of the journal's tables").build();
        CfnOutput.Builder.create(this, "AthenaWorkgroupName").value(workgroup.getRef())
                .description("Athena workgroup for journal queries").build();
        CfnOutput.Builder.create(this, "AthenaUsersPolicyArn").value(athenaUsers.getManagedPolicyArn())
                .description("Managed policy to attach to people and roles that query the journal with Athena").build();
    }

    private Bucket bucket(String id, String name, boolean versioned, Optional<IKey> key, List<LifecycleRule> rules,
                          RemovalPolicy removal) {
        Bucket.Builder builder = Bucket.Builder.create(this, id)
                .bucketName(name)
                .versioned(versioned)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .lifecycleRules(rules)
                .removalPolicy(removal);
        key.ifPresentOrElse(k -> builder.encryption(BucketEncryption.KMS).encryptionKey(k).bucketKeyEnabled(true),
                () -> builder.encryption(BucketEncryption.S3_MANAGED));
        return builder.build();
    }

    /** {@code s3://<warehouse bucket>/warehouse}: the JOURNAL_WAREHOUSE of the connector and the ops task. */
    public String warehouseLocation() {
        return "s3://" + warehouse.getBucketName() + "/" + WAREHOUSE_PREFIX;
    }

    private String tablesArn() {
        return "arn:" + Aws.PARTITION + ":glue:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":table/" + databaseName + "/*";
    }

    private List<String> glueResources() {
        return List.of("arn:" + Aws.PARTITION + ":glue:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":catalog",
                "arn:" + Aws.PARTITION + ":glue:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":database/" + databaseName,
                tablesArn());
    }

    private List<PolicyStatement> warehouseStatements(List<String> objectActions, List<String> glueActions,
                                                      Optional<IKey> key, boolean write) {
        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(PolicyStatement.Builder.create().sid("JournalWarehouseObjects").actions(objectActions)
                .resources(List.of(warehouse.arnForObjects(WAREHOUSE_PREFIX + "/*"))).build());
        statements.add(PolicyStatement.Builder.create().sid("JournalWarehouseList")
                .actions(List.of("s3:ListBucket", "s3:GetBucketLocation"))
                .resources(List.of(warehouse.getBucketArn())).build());
        statements.add(PolicyStatement.Builder.create().sid("JournalCatalog").actions(glueActions)
                .resources(glueResources()).build());
        key.ifPresent(k -> statements.add(PolicyStatement.Builder.create().sid("JournalWarehouseKey")
                .actions(write ? List.of("kms:Decrypt", "kms:GenerateDataKey") : List.of("kms:Decrypt"))
                .resources(List.of(k.getKeyArn())).build()));
        return statements;
    }

    private void grantOps(IRole ops, Optional<IKey> key) {
        // init writes the tables' first metadata files; replay reads data files
        warehouseStatements(List.of("s3:GetObject", "s3:PutObject"), OPS_GLUE_ACTIONS, key, true)
                .forEach(ops::addToPrincipalPolicy);
    }

    private CfnConnector connector(StackConfig config, Wiring wiring, IRole role, Map<String, String> properties) {
        StackConfig.Journal journal = config.journal();
        String prefix = config.stackName().toLowerCase();
        LogGroup logs = LogGroups.create(this, "ConnectorLogs", config, RemovalPolicy.DESTROY);
        role.addToPrincipalPolicy(PolicyStatement.Builder.create().sid("JournalConnectorLogs")
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logs.getLogGroupArn() + ":*")).build());
        SecurityGroup security = SecurityGroup.Builder.create(this, "ConnectorSecurity").vpc(wiring.vpc())
                .description("Filetrail journal connector (MSK Connect)").allowAllOutbound(true).build();
        wiring.kafka().allowFrom(security, "journal connector to Kafka");

        // The local worker's settings that MSK Connect lets a worker configuration hold: raw bytes in, and an
        // offset flush every 500 ms, without which an idle task answers Iceberg's commit requests once a minute.
        String workerProperties = String.join("\n",
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.flush.interval.ms=500") + "\n";
        CfnWorkerConfiguration worker = CfnWorkerConfiguration.Builder.create(this, "WorkerConfiguration")
                .name(prefix + "-journal-worker")
                .propertiesFileContent(Base64.getEncoder().encodeToString(workerProperties.getBytes(StandardCharsets.UTF_8)))
                .build();

        return CfnConnector.Builder.create(this, "Connector")
                .connectorName(prefix + "-journal")
                .connectorDescription("Filetrail journal: Iceberg sink into the Glue database " + databaseName)
                .kafkaConnectVersion(CONNECT_VERSION)
                .connectorConfiguration(properties)
                .capacity(CfnConnector.CapacityProperty.builder()
                        .provisionedCapacity(CfnConnector.ProvisionedCapacityProperty.builder()
                                .mcuCount(journal.mcuCount()).workerCount(journal.workers()).build())
                        .build())
                .kafkaCluster(CfnConnector.KafkaClusterProperty.builder()
                        .apacheKafkaCluster(CfnConnector.ApacheKafkaClusterProperty.builder()
                                .bootstrapServers(wiring.kafka().bootstrapServers())
                                .vpc(CfnConnector.VpcProperty.builder()
                                        .securityGroups(List.of(security.getSecurityGroupId()))
                                        .subnets(wiring.vpc().selectSubnets(SubnetSelection.builder()
                                                .subnetType(SubnetType.PRIVATE_WITH_EGRESS).build()).getSubnetIds())
                                        .build())
                                .build())
                        .build())
                .kafkaClusterClientAuthentication(CfnConnector.KafkaClusterClientAuthenticationProperty.builder()
                        .authenticationType("IAM").build())
                .kafkaClusterEncryptionInTransit(CfnConnector.KafkaClusterEncryptionInTransitProperty.builder()
                        .encryptionType("TLS").build())
                .plugins(List.of(CfnConnector.PluginProperty.builder()
                        .customPlugin(CfnConnector.CustomPluginProperty.builder()
                                .customPluginArn(plugin.getAttrCustomPluginArn())
                                .revision(plugin.getAttrRevision()).build())
                        .build()))
                .workerConfiguration(CfnConnector.WorkerConfigurationProperty.builder()
                        .workerConfigurationArn(worker.getAttrWorkerConfigurationArn())
                        .revision(worker.getAttrRevision()).build())
                .serviceExecutionRoleArn(role.getRoleArn())
                .logDelivery(CfnConnector.LogDeliveryProperty.builder()
                        .workerLogDelivery(CfnConnector.WorkerLogDeliveryProperty.builder()
                                .cloudWatchLogs(CfnConnector.CloudWatchLogsLogDeliveryProperty.builder()
                                        .enabled(true).logGroup(logs.getLogGroupName()).build())
                                .build())
                        .build())
                .build();
    }

    /** Athena users: run queries in the workgroup, read the catalog and the warehouse, keep results in its bucket. */
    private ManagedPolicy athenaUsersPolicy(Optional<IKey> key) {
        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(PolicyStatement.Builder.create().sid("JournalWorkgroup")
                .actions(List.of("athena:StartQueryExecution", "athena:StopQueryExecution", "athena:GetQueryExecution",
                        "athena:GetQueryResults", "athena:GetQueryRuntimeStatistics", "athena:GetWorkGroup",
                        "athena:ListQueryExecutions", "athena:BatchGetQueryExecution"))
                .resources(List.of("arn:" + Aws.PARTITION + ":athena:" + Aws.REGION + ":" + Aws.ACCOUNT_ID
                        + ":workgroup/" + workgroup.getName()))
                .build());
        statements.add(PolicyStatement.Builder.create().sid("JournalCatalogRead")
                .actions(List.of("glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables",
                        "glue:GetPartitions"))
                .resources(glueResources()).build());
        statements.add(PolicyStatement.Builder.create().sid("JournalWarehouseRead")
                .actions(List.of("s3:GetObject"))
                .resources(List.of(warehouse.arnForObjects(WAREHOUSE_PREFIX + "/*"))).build());
        statements.add(PolicyStatement.Builder.create().sid("JournalBucketsList")
                .actions(List.of("s3:ListBucket", "s3:GetBucketLocation"))
                .resources(List.of(warehouse.getBucketArn(), results.getBucketArn())).build());
        statements.add(PolicyStatement.Builder.create().sid("AthenaResults")
                .actions(List.of("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"))
                .resources(List.of(results.arnForObjects("results/*"))).build());
        key.ifPresent(k -> statements.add(PolicyStatement.Builder.create().sid("JournalKey")
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey")).resources(List.of(k.getKeyArn())).build()));
        return ManagedPolicy.Builder.create(this, "AthenaUsers")
                .description("Query the Filetrail journal with Athena (workgroup " + workgroup.getName() + ")")
                .statements(statements)
                .build();
    }

    /**
     * The inventory as an Athena view in Glue (Athena reads Presto-format views, not Iceberg views): the query
     * {@code InventoryTable.viewSql} holds, over {@code inventory_changes} (and {@code processing_results} for tags).
     */
    private CfnTable createInventoryView() {
        // Athena's column types for the view, and Hive's for Glue's own record of it
        List<String[]> columns = List.of(
                new String[] {"bucket", "varchar", "string"}, new String[] {"key", "varchar", "string"},
                new String[] {"version_id", "varchar", "string"}, new String[] {"size", "bigint", "bigint"},
                new String[] {"e_tag", "varchar", "string"}, new String[] {"content_type", "varchar", "string"},
                new String[] {"storage_class", "varchar", "string"},
                new String[] {"last_modified", "timestamp(6) with time zone", "timestamp"},
                new String[] {"version_count", "bigint", "bigint"},
                new String[] {"delete_marker_count", "bigint", "bigint"},
                new String[] {"tags", "map(varchar,varchar)", "map<string,string>"});
        StringBuilder json = new StringBuilder("{\"originalSql\":").append(jsonString(inventorySql()))
                .append(",\"catalog\":\"awsdatacatalog\",\"schema\":").append(jsonString(databaseName))
                .append(",\"columns\":[");
        for (int i = 0; i < columns.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":").append(jsonString(columns.get(i)[0]))
                    .append(",\"type\":").append(jsonString(columns.get(i)[1])).append('}');
        }
        json.append("]}");
        String original = "/* Presto View: " + Base64.getEncoder().encodeToString(
                json.toString().getBytes(StandardCharsets.UTF_8)) + " */";
        CfnTable view = CfnTable.Builder.create(this, "InventoryView")
                .catalogId(Aws.ACCOUNT_ID)
                .databaseName(databaseName)
                .tableInput(CfnTable.TableInputProperty.builder()
                        .name("inventory")
                        .description("One row per current object version: the latest inventory_changes row per "
                                + "(bucket, key) that names a version")
                        .tableType("VIRTUAL_VIEW")
                        .parameters(Map.of("presto_view", "true", "comment", "Presto View"))
                        .viewOriginalText(original)
                        .viewExpandedText("/* Presto View */")
                        .storageDescriptor(CfnTable.StorageDescriptorProperty.builder()
                                .columns(columns.stream().map(c -> CfnTable.ColumnProperty.builder()
                                        .name(c[0]).type(c[2]).build()).toList())
                                .build())
                        .build())
                .build();
        view.getNode().addDependency(database);
        return view;
    }

    /** The view's SQL, the one the local JDBC catalog's Iceberg view holds. */
    public static String inventorySql() {
        return InventoryView.sql(InventoryView.CHANGES);
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    public Bucket warehouse() {
        return warehouse;
    }

    public Bucket results() {
        return results;
    }

    public CfnDatabase database() {
        return database;
    }

    public String databaseName() {
        return databaseName;
    }

    public CfnWorkGroup workgroup() {
        return workgroup;
    }

    public CfnTable inventoryView() {
        return inventoryView;
    }

    public ManagedPolicy athenaUsers() {
        return athenaUsers;
    }

    public CfnCustomPlugin plugin() {
        return plugin;
    }

    /** The MSK Connect connector, when Kafka is MSK with IAM authentication. */
    public Optional<CfnConnector> connector() {
        return connector;
    }

    /** The connector's configuration as deployed. */
    public Map<String, String> connectorProperties() {
        return connectorProperties;
    }
}
