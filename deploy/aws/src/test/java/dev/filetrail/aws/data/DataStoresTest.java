package dev.filetrail.aws.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class DataStoresTest {
    private static final Template DEFAULTS = Synth.defaults().main();
    private static final Template EXISTING = Synth.existing().main();

    @Test
    void mskAuthenticatesWithIamOverTlsOnly() {
        DEFAULTS.hasResourceProperties("AWS::MSK::Cluster", Map.of(
                "ClientAuthentication", Map.of(
                        "Sasl", Map.of("Iam", Map.of("Enabled", true)),
                        "Unauthenticated", Map.of("Enabled", false)),
                "EncryptionInfo", Match.objectLike(Map.of(
                        "EncryptionInTransit", Map.of("ClientBroker", "TLS", "InCluster", true))),
                "NumberOfBrokerNodes", 3,
                "StorageMode", "TIERED",
                "EnhancedMonitoring", "DEFAULT"));
        DEFAULTS.hasResourceProperties("AWS::MSK::Configuration", Map.of(
                "ServerProperties", Match.stringLikeRegexp(
                        "[\\s\\S]*auto.create.topics.enable=false[\\s\\S]*min.insync.replicas=2[\\s\\S]*")));
    }

    @Test
    void onlyTheServicesAndTheJournalConnectorReachTheBrokersAndOnlyTheApiAndOpsTasksReachPostgres() {
        Map<String, Map<String, Object>> ingress = Synth.resources(Synth.defaults().json(), "AWS::EC2::SecurityGroupIngress");
        List<Map<String, Object>> kafka = ingress.values().stream().map(Synth::properties)
                .filter(p -> p.get("GroupId").toString().contains("KafkaBrokers")).toList();
        assertThat(kafka).hasSize(5).allSatisfy(rule -> {
            assertThat(rule.get("FromPort")).isEqualTo(9098);
            assertThat(rule.get("ToPort")).isEqualTo(9098);
            assertThat(rule).doesNotContainKey("CidrIp");
        });
        assertThat(kafka).extracting(rule -> rule.get("SourceSecurityGroupId").toString())
                .anySatisfy(s -> assertThat(s).contains("ServicesBridgeSecurity"))
                .anySatisfy(s -> assertThat(s).contains("ServicesStreamsSecurity"))
                .anySatisfy(s -> assertThat(s).contains("ServicesApiSecurity"))
                .anySatisfy(s -> assertThat(s).contains("ServicesOpsSecurity"))
                .anySatisfy(s -> assertThat(s).contains("JournalConnectorSecurity"));

        List<Map<String, Object>> database = ingress.values().stream().map(Synth::properties)
                .filter(p -> p.get("GroupId").toString().contains("DatabaseCluster")).toList();
        assertThat(database).hasSize(2).allSatisfy(rule -> assertThat(rule.get("FromPort")).isEqualTo(5432))
                .extracting(rule -> rule.get("SourceSecurityGroupId").toString())
                .anySatisfy(s -> assertThat(s).contains("ServicesApiSecurity"))
                .anySatisfy(s -> assertThat(s).contains("ServicesOpsSecurity"));
    }

    @Test
    void bootstrapBrokersAreReadWithOneScopedApiCall() {
        DEFAULTS.resourceCountIs("Custom::AWS", 1);
        assertThat(Synth.resources(Synth.defaults().json(), "Custom::AWS").values().iterator().next().toString())
                .contains("\"service\":\"Kafka\"", "\"action\":\"getBootstrapBrokers\"");
        DEFAULTS.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", List.of(Map.of(
                        "Effect", "Allow",
                        "Action", "kafka:GetBootstrapBrokers",
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("KafkaCluster.*"), "Arn")))))));
    }

    @Test
    void auroraPostgresIsEncryptedProtectedAndServerless() {
        DEFAULTS.hasResourceProperties("AWS::RDS::DBCluster", Map.of(
                "Engine", "aurora-postgresql",
                "StorageEncrypted", true,
                "DeletionProtection", true,
                "BackupRetentionPeriod", 14,
                "DatabaseName", "filetrail",
                "ServerlessV2ScalingConfiguration", Map.of("MinCapacity", 0.5, "MaxCapacity", 16),
                "EngineLifecycleSupport", "open-source-rds-extended-support-disabled"));
        DEFAULTS.hasResource("AWS::RDS::DBCluster", Map.of("DeletionPolicy", "Snapshot"));
        DEFAULTS.resourceCountIs("AWS::RDS::DBInstance", 2);
        DEFAULTS.hasResourceProperties("AWS::RDS::DBClusterParameterGroup", Map.of(
                "Parameters", Map.of("rds.force_ssl", "1")));
        // Credentials are generated into Secrets Manager, never written in the template.
        DEFAULTS.hasResourceProperties("AWS::SecretsManager::Secret", Map.of(
                "Name", "filetrail/database",
                "GenerateSecretString", Match.objectLike(Map.of("GenerateStringKey", "password"))));
    }

    @Test
    void existingKafkaAndPostgresReplaceTheManagedOnes() {
        EXISTING.resourceCountIs("AWS::MSK::Cluster", 0);
        EXISTING.resourceCountIs("AWS::RDS::DBCluster", 0);
        EXISTING.resourceCountIs("Custom::AWS", 0);
        EXISTING.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(Match.objectLike(Map.of(
                "Name", "api",
                "Environment", Match.arrayWith(List.of(
                        Map.of("Name", "KAFKA_BOOTSTRAP_SERVERS", "Value", Synth.EXISTING_BOOTSTRAP),
                        Map.of("Name", "DATABASE_URL", "Value", Synth.EXISTING_DATABASE_URL))),
                "Secrets", Match.arrayWith(List.of(Map.of(
                        "Name", "DATABASE_PASSWORD", "ValueFrom", Synth.EXISTING_SECRET_ARN + ":password::"))))))));
        // IAM access still names the existing cluster's topics one by one.
        EXISTING.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Map.of(
                        "Effect", "Allow",
                        "Action", List.of("kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"),
                        "Resource",
                        "arn:aws:kafka:eu-west-1:111122223333:topic/prod/1111-2222-3333/filetrail.object-events.v1"))))));
    }
}
