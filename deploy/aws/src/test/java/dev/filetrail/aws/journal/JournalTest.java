package dev.filetrail.aws.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaOperation;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.ResourceKind;
import dev.filetrail.journal.sink.SinkConnector;
import dev.filetrail.journal.table.InventoryView;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The journal's AWS part: warehouse, Glue database, MSK Connect connector and plugin, Athena, least privilege. */
class JournalTest {
    private static final Synth.Result SYNTH = Synth.defaults();
    private static final Template DEFAULTS = SYNTH.main();

    @Test
    void theWarehouseIsVersionedEncryptedPrivateAndExpiresWhatIcebergLetGo() {
        DEFAULTS.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "BucketName", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of("filetrail-journal-")))),
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                        "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "LifecycleConfiguration", Map.of("Rules", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Id", "noncurrent-versions", "NoncurrentVersionExpiration",
                                Map.of("NoncurrentDays", 30))),
                        Match.objectLike(Map.of("Id", "incomplete-uploads",
                                "AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 1))))))));
        DEFAULTS.hasResource("AWS::S3::Bucket", Map.of("DeletionPolicy", "Retain", "Properties", Match.objectLike(Map.of(
                "BucketName", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of("filetrail-journal-"))))))));
    }

    @Test
    void theGlueDatabaseIsTheCatalogOfTheConnector() {
        DEFAULTS.hasResourceProperties("AWS::Glue::Database", Map.of(
                "DatabaseInput", Match.objectLike(Map.of("Name", "filetrail"))));
        Map<String, Object> config = connectorConfiguration();
        assertThat(config).containsEntry("iceberg.catalog.catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog")
                .containsEntry("iceberg.catalog.io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
                .containsEntry("iceberg.tables", "filetrail.journal,filetrail.audit,filetrail.inventory_changes,"
                        + "filetrail.processing_results,filetrail.share_commands")
                .containsEntry("topics", "filetrail.object-events.v1,filetrail.audit.v1,filetrail.files.v1,"
                        + "filetrail.processing-results.v1,filetrail.share-commands.v1")
                .containsEntry("iceberg.table.filetrail.processing_results.route-regex", "\\Qprocessing_results\\E")
                .containsEntry("iceberg.table.filetrail.share_commands.route-regex", "\\Qshare_commands\\E")
                .containsEntry("transforms.rows.processing-results.topic", "filetrail.processing-results.v1")
                .containsEntry("transforms.rows.share-commands.topic", "filetrail.share-commands.v1")
                .containsEntry("transforms.rows.type", "dev.filetrail.journal.sink.JournalRows")
                .containsEntry("errors.deadletterqueue.topic.name", "filetrail.journal-dlq.v1")
                .containsEntry("iceberg.control.commit.interval-ms", "60000")
                .containsEntry("iceberg.kafka.sasl.mechanism", "AWS_MSK_IAM")
                .doesNotContainKeys("iceberg.catalog.uri", "iceberg.catalog.jdbc.password", "iceberg.catalog.s3.endpoint",
                        "iceberg.catalog.s3.access-key-id");
        assertThat(config.get("iceberg.catalog.warehouse").toString()).contains("JournalWarehouse").contains("/warehouse");
    }

    @Test
    void mskConnectRunsTheProjectsPluginWithIamAuthAndLogs() {
        DEFAULTS.hasResourceProperties("AWS::KafkaConnect::CustomPlugin", Map.of(
                "ContentType", "ZIP",
                "Location", Map.of("S3Location", Match.objectLike(Map.of("FileKey", Match.stringLikeRegexp(".+\\.zip"))))));
        DEFAULTS.hasResourceProperties("AWS::KafkaConnect::Connector", Match.objectLike(Map.of(
                "KafkaConnectVersion", "3.7.x",
                "KafkaClusterClientAuthentication", Map.of("AuthenticationType", "IAM"),
                "KafkaClusterEncryptionInTransit", Map.of("EncryptionType", "TLS"),
                "Capacity", Map.of("ProvisionedCapacity", Map.of("McuCount", 1, "WorkerCount", 1)),
                "ServiceExecutionRoleArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("KafkaJournalConnectorRole.*"), "Arn")),
                "LogDelivery", Map.of("WorkerLogDelivery", Map.of("CloudWatchLogs", Match.objectLike(Map.of("Enabled", true)))),
                "Plugins", List.of(Map.of("CustomPlugin", Match.objectLike(Map.of(
                        "CustomPluginArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("JournalPlugin.*"), "CustomPluginArn"))))))
        )));
        Map<String, Map<String, Object>> workers = Synth.resources(SYNTH.json(), "AWS::KafkaConnect::WorkerConfiguration");
        assertThat(workers).hasSize(1);
        String properties = new String(Base64.getDecoder().decode(
                Synth.properties(workers.values().iterator().next()).get("PropertiesFileContent").toString()),
                StandardCharsets.UTF_8);
        assertThat(properties).contains("offset.flush.interval.ms=500",
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter");
    }

    @Test
    void withAnExistingClusterWithoutIamThereIsNoConnectorButTheCatalogAndAthenaStay() {
        Template noIam = Synth.of(Map.of("kafkaBootstrapServers", "b-1.example:9092")).main();
        noIam.resourceCountIs("AWS::KafkaConnect::Connector", 0);
        noIam.resourceCountIs("AWS::Glue::Database", 1);
        noIam.resourceCountIs("AWS::Athena::WorkGroup", 1);
        Synth.existing().main().resourceCountIs("AWS::KafkaConnect::Connector", 1);
        // paused (the first deploy, before journal init made the tables): plugin and catalog, no connector yet
        Template paused = Synth.of(Map.of("pauseServices", "true")).main();
        paused.resourceCountIs("AWS::KafkaConnect::Connector", 0);
        paused.resourceCountIs("AWS::KafkaConnect::CustomPlugin", 1);
    }

    @Test
    void athenaHasAnEnforcedEncryptedWorkgroupAndAResultsBucketThatForgets() {
        DEFAULTS.hasResourceProperties("AWS::Athena::WorkGroup", Map.of(
                "Name", "filetrail-journal",
                "WorkGroupConfiguration", Match.objectLike(Map.of(
                        "EnforceWorkGroupConfiguration", true,
                        "EngineVersion", Map.of("SelectedEngineVersion", "Athena engine version 3"),
                        "ResultConfiguration", Match.objectLike(Map.of(
                                "EncryptionConfiguration", Map.of("EncryptionOption", "SSE_S3")))))));
        DEFAULTS.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "BucketName", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of("filetrail-athena-results-")))),
                "BucketEncryption", Match.anyValue(),
                "PublicAccessBlockConfiguration", Match.anyValue(),
                "LifecycleConfiguration", Map.of("Rules", List.of(Match.objectLike(Map.of(
                        "ExpirationInDays", 30, "AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 1)))))));
        Synth.tuned().main().hasResourceProperties("AWS::Athena::WorkGroup", Map.of(
                "WorkGroupConfiguration", Match.objectLike(Map.of("ResultConfiguration", Match.objectLike(Map.of(
                        "EncryptionConfiguration", Match.objectLike(Map.of("EncryptionOption", "SSE_KMS"))))))));
    }

    @Test
    void theInventoryViewIsTheSameQueryAsTheLocalOneInAthenasViewFormat() {
        Map<String, Map<String, Object>> tables = Synth.resources(SYNTH.json(), "AWS::Glue::Table");
        assertThat(tables).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) Synth.properties(tables.values().iterator().next()).get("TableInput");
        assertThat(input).containsEntry("Name", "inventory").containsEntry("TableType", "VIRTUAL_VIEW")
                .containsEntry("ViewExpandedText", "/* Presto View */");
        String original = input.get("ViewOriginalText").toString();
        assertThat(original).startsWith("/* Presto View: ").endsWith(" */");
        String json = new String(Base64.getDecoder().decode(original.substring(16, original.length() - 3)),
                StandardCharsets.UTF_8);
        assertThat(json).contains("\"originalSql\":\"" + InventoryView.sql(InventoryView.CHANGES) + "\"")
                .contains("\"schema\":\"filetrail\"").contains("{\"name\":\"version_id\",\"type\":\"varchar\"}");
    }

    @Test
    void athenaUsersGetAManagedPolicyThatReadsTheJournalAndWritesOnlyResults() {
        DEFAULTS.hasOutput("*", Map.of("Description", Match.stringLikeRegexp("Managed policy to attach.*")));
        Map<String, Map<String, Object>> policies = Synth.resources(SYNTH.json(), "AWS::IAM::ManagedPolicy");
        String athena = policies.entrySet().stream().filter(e -> e.getKey().startsWith("JournalAthenaUsers"))
                .map(e -> e.getValue().toString()).findFirst().orElseThrow();
        assertThat(athena).contains("athena:StartQueryExecution", "glue:GetTable", "s3:GetObject")
                .doesNotContain("s3:DeleteObject", "glue:UpdateTable", "glue:CreateTable", "athena:DeleteWorkGroup");
        assertThat(athena).contains("workgroup/filetrail-journal");
    }

    @Test
    void theOpsTaskCreatesTheTablesInGlue() {
        String ops = Synth.resources(SYNTH.json(), "AWS::ECS::TaskDefinition").entrySet().stream()
                .filter(e -> e.getKey().startsWith("ServicesOps")).map(e -> e.getValue().toString()).findFirst()
                .orElseThrow();
        assertThat(ops).contains("JOURNAL_CATALOG_TYPE", "glue", "JOURNAL_WAREHOUSE", "JOURNAL_NAMESPACE");
    }

    /**
     * Every topic the connector reads is one its Kafka role may read and not write (KafkaAccessTest holds the role's
     * IAM policy to the same table), and each table it writes is a table {@code filetrail journal init} creates.
     */
    @Test
    void theConnectorReadsOnlyTopicsItsRoleIsGrantedAndWritesTheJournalsTables() {
        Map<String, Object> config = connectorConfiguration();
        List<String> topics = List.of(config.get("topics").toString().split(","));
        assertThat(topics).hasSize(SinkConnector.TABLES.size())
                .contains(Topics.PROCESSING_RESULTS.name(), Topics.SHARE_COMMANDS.name());
        for (String topic : topics) {
            assertThat(KafkaRole.JOURNAL.allows(KafkaOperation.READ, ResourceKind.TOPIC, topic)).as(topic).isTrue();
            assertThat(KafkaRole.JOURNAL.allows(KafkaOperation.WRITE, ResourceKind.TOPIC, topic)).as(topic).isFalse();
        }
        assertThat(List.of(config.get("iceberg.tables").toString().split(",")))
                .containsExactlyElementsOf(SinkConnector.TABLES.stream().map(t -> "filetrail." + t).toList());
    }

    private static Map<String, Object> connectorConfiguration() {
        Map<String, Map<String, Object>> connectors = Synth.resources(SYNTH.json(), "AWS::KafkaConnect::Connector");
        assertThat(connectors).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) Synth.properties(connectors.values().iterator().next())
                .get("ConnectorConfiguration");
        return config;
    }

}
