package dev.filetrail.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StackConfigTest {

    private static StackConfig config(Map<String, Object> context) {
        return StackConfig.from(new ContextValues(context::get));
    }

    @Test
    void defaultsAreTheDocumentedProductionDefaults() {
        StackConfig config = config(Map.of());

        assertThat(config.region()).isEqualTo("ap-northeast-2");
        assertThat(config.stackName()).isEqualTo("Filetrail");
        assertThat(config.zoneCount()).isEqualTo(3);
        assertThat(config.availabilityZones()).isEmpty();
        assertThat(config.encryption()).isEqualTo(StackConfig.Encryption.S3_MANAGED);
        assertThat(config.storage().intelligentTiering()).isFalse();
        assertThat(config.storage().noncurrentToStandardIaDays()).isEqualTo(30);
        assertThat(config.storage().noncurrentToGlacierIrDays()).isEqualTo(90);
        assertThat(config.storage().noncurrentExpirationDays()).isEqualTo(365);
        assertThat(config.storage().abortIncompleteMultipartDays()).isEqualTo(7);
        assertThat(config.ingest().visibilityTimeoutSeconds()).isEqualTo(120);
        assertThat(config.ingest().dlqMaxReceives()).isEqualTo(100);
        assertThat(config.processing().thumbnailerConcurrency()).isEmpty();
        assertThat(config.processing().metadataConcurrency()).isEmpty();
        assertThat(config.processing().lambdaLayer()).isEmpty();
        assertThat(config.services().apiHealthPath()).isEqualTo("/ready");
        assertThat(config.kafka().topicPartitions()).isEqualTo(12);
        assertThat(config.kafka().replicationFactor()).isEqualTo(3);
        assertThat(config.kafka().auditRetentionMs()).isEqualTo(-1);
        assertThat(config.services().ops().memoryMb()).isEqualTo(4096);
        assertThat(config.kafka().existing()).isFalse();
        assertThat(config.database().existing()).isFalse();
        assertThat(config.alarms().costMonitor()).isEqualTo(StackConfig.CostMonitor.TAG);
    }

    @Test
    void readsStringsFromTheCommandLineAndTypedValuesFromCdkJson() {
        Map<String, Object> context = new HashMap<>();
        context.put("region", "us-west-2");
        context.put("visibilityTimeoutSeconds", "300");  // -c visibilityTimeoutSeconds=300
        context.put("dlqMaxReceives", 8);                  // "dlqMaxReceives": 8 in cdk.json
        context.put("intelligentTiering", true);
        context.put("encryption", "KMS");
        context.put("availabilityZones", List.of("us-west-2a", "us-west-2b"));

        StackConfig config = config(context);

        assertThat(config.region()).isEqualTo("us-west-2");
        assertThat(config.ingest().visibilityTimeoutSeconds()).isEqualTo(300);
        assertThat(config.ingest().dlqMaxReceives()).isEqualTo(8);
        assertThat(config.storage().intelligentTiering()).isTrue();
        assertThat(config.encryption()).isEqualTo(StackConfig.Encryption.KMS);
        assertThat(config.availabilityZones()).containsExactly("us-west-2a", "us-west-2b");
        assertThat(config.zoneCount()).isEqualTo(2);
        assertThat(config.natGateways()).isEqualTo(2);
    }

    @Test
    void aLambdaMayNotOutliveTheQueueVisibilityTimeout() {
        assertThatThrownBy(() -> config(Map.of("visibilityTimeoutSeconds", "60", "lambdaTimeoutSeconds", "61")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lambdaTimeoutSeconds");
        assertThat(config(Map.of("visibilityTimeoutSeconds", "60", "lambdaTimeoutSeconds", "60"))
                .processing().timeoutSeconds()).isEqualTo(60);
    }

    @Test
    void rejectsSettingsAwsWouldRejectAtDeployTime() {
        assertThatThrownBy(() -> config(Map.of("noncurrentToStandardIaDays", "29")))
                .hasMessageContaining("30");
        assertThatThrownBy(() -> config(Map.of("visibilityTimeoutSeconds", "43201")))
                .hasMessageContaining("43200");
        assertThatThrownBy(() -> config(Map.of("lambdaTimeoutSeconds", "901", "visibilityTimeoutSeconds", "1000")))
                .hasMessageContaining("900");
        assertThatThrownBy(() -> config(Map.of("ingestRetentionDays", "14")))
                .hasMessageContaining("dlqRetentionDays");
        assertThatThrownBy(() -> config(Map.of("dlqMaxReceives", "0")))
                .hasMessageContaining("dlqMaxReceives");
        assertThatThrownBy(() -> config(Map.of("logRetentionDays", "100")))
                .hasMessageContaining("logRetentionDays");
        assertThatThrownBy(() -> config(Map.of("zoneCount", "1")))
                .hasMessageContaining("2 or 3");
    }

    @Test
    void topicsReplicateAsWidelyAsTheBrokersAllow() {
        assertThat(config(Map.of("zoneCount", "2")).kafka().replicationFactor()).isEqualTo(2);
        assertThat(config(Map.of("zoneCount", "2", "kafkaBrokersPerAz", "2")).kafka().replicationFactor()).isEqualTo(3);
        assertThat(config(Map.of("kafkaBootstrapServers", "b:9092")).kafka().replicationFactor()).isEqualTo(3);
        StackConfig.Kafka chosen = config(Map.of("kafkaBootstrapServers", "b:9092", "kafkaReplicationFactor", "1",
                "kafkaTopicPartitions", "48", "auditRetentionMs", "86400000")).kafka();
        assertThat(List.of(chosen.topicPartitions(), chosen.replicationFactor())).containsExactly(48, 1);
        assertThat(chosen.auditRetentionMs()).isEqualTo(86_400_000L);
        assertThatThrownBy(() -> config(Map.of("auditRetentionMs", "0"))).hasMessageContaining("auditRetentionMs");
    }

    @Test
    void anApiDomainNeedsItsCertificate() {
        assertThatThrownBy(() -> config(Map.of("apiDomainName", "api.example.com")))
                .hasMessageContaining("apiCertificateArn");
        assertThatThrownBy(() -> config(Map.of("thumbnailerConcurrency", "0")))
                .hasMessageContaining("reserved concurrency");
    }

    @Test
    void existingEndpointsNeedTheirCredentialsAndArns() {
        assertThatThrownBy(() -> config(Map.of("databaseUrl", "jdbc:postgresql://db:5432/x")))
                .hasMessageContaining("databaseSecretArn");
        assertThatThrownBy(() -> config(Map.of("kafkaClusterArn", Synth.EXISTING_KAFKA_ARN)))
                .hasMessageContaining("kafkaBootstrapServers");
        assertThatThrownBy(() -> config(Map.of("kafkaBootstrapServers", "b:9098", "kafkaClusterArn", "arn:nope")))
                .hasMessageContaining("MSK cluster ARN");
        assertThatThrownBy(() -> config(Map.of("encryption", "aes")))
                .hasMessageContaining("s3 or kms");
        assertThatThrownBy(() -> config(Map.of("intelligentTiering", "maybe")))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> config(Map.of("dlqMaxReceives", "five")))
                .hasMessageContaining("must be a number");
    }

    @Test
    void keysListsExactlyTheKeysTheAppReads() {
        Set<String> read = new LinkedHashSet<>();
        StackConfig.from(new ContextValues(key -> {
            read.add(key);
            return null;
        }));

        assertThat(read).containsExactlyInAnyOrderElementsOf(StackConfig.KEYS);
    }

    @Test
    void readmeDocumentsEveryContextKey() throws IOException {
        // The deployment section lives in the repository's README, two folders above this module.
        String readme = Files.readString(ModuleHome.path().resolve("../../README.md").normalize());

        assertThat(StackConfig.KEYS).allSatisfy(key -> assertThat(readme).contains("`" + key + "`"));
    }
}
