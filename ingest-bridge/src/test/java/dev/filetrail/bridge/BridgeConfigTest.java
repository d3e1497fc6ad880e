package dev.filetrail.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.SaslMechanism;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeConfigTest {

    @Test
    void defaultsPointAtTheLocalStack() {
        BridgeConfig config = BridgeConfig.local();
        assertThat(config.kafka()).isEqualTo(KafkaClientSettings.plaintext("127.0.0.1:9092"));
        assertThat(config.queueUrl()).isEqualTo("http://127.0.0.1:9324/000000000000/filetrail-ingest");
        assertThat(config.sqsEndpoint()).isEqualTo("http://127.0.0.1:9324");
        assertThat(config.pollers()).isEqualTo(2);
        assertThat(config.batchSize()).isEqualTo(10);
        assertThat(config.waitTimeSeconds()).isEqualTo(20);
        assertThat(config.visibilityTimeoutSeconds()).isEqualTo(120);
        assertThat(config.metricsPort()).isEqualTo(9401);
        assertThat(config.accessKey()).isEqualTo("filetrail");
        assertThat(config.kafkaLingerMs()).isEqualTo(20);
        assertThat(config.batchesInFlight()).isEqualTo(10);
        assertThat(config.stuckAfterMs()).isEqualTo(120_000);
    }

    @Test
    void environmentOverridesAndBadValuesAreNamed() {
        Map<String, String> env = Map.of("BRIDGE_POLLERS", "4", "SQS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/q",
                "SQS_ENDPOINT", "", "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "AWS_MSK_IAM");
        BridgeConfig config = BridgeConfig.from(env::get);
        assertThat(config.pollers()).isEqualTo(4);
        assertThat(config.queueUrl()).isEqualTo("https://sqs.eu-west-1.amazonaws.com/1/q");
        assertThat(config.sqsEndpoint()).isEmpty();
        assertThat(config.kafka().mechanism()).isEqualTo(SaslMechanism.AWS_MSK_IAM);
        assertThatThrownBy(() -> BridgeConfig.from(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")::get))
                .hasMessageContaining("KAFKA_SASL_MECHANISM must be set");
        assertThatThrownBy(() -> BridgeConfig.from(Map.of("BRIDGE_POLLERS", "many")::get))
                .hasMessageContaining("BRIDGE_POLLERS");
        assertThatThrownBy(() -> BridgeConfig.from(Map.of("BRIDGE_BATCH_SIZE", "11")::get))
                .hasMessageContaining("BRIDGE_BATCH_SIZE");
        assertThat(BridgeConfig.from(Map.of("BRIDGE_KAFKA_LINGER_MS", "0", "BRIDGE_BATCHES_IN_FLIGHT", "1")::get))
                .extracting(BridgeConfig::kafkaLingerMs, BridgeConfig::batchesInFlight).containsExactly(0, 1);
        assertThatThrownBy(() -> BridgeConfig.from(Map.of("BRIDGE_BATCHES_IN_FLIGHT", "0")::get))
                .hasMessageContaining("BRIDGE_BATCHES_IN_FLIGHT");
        assertThatThrownBy(() -> BridgeConfig.from(Map.of("BRIDGE_KAFKA_LINGER_MS", "-1")::get))
                .hasMessageContaining("BRIDGE_KAFKA_LINGER_MS");
        assertThat(BridgeConfig.from(Map.of("BRIDGE_STUCK_AFTER_MS", "5000")::get).stuckAfterMs()).isEqualTo(5000);
        assertThatThrownBy(() -> BridgeConfig.from(Map.of("BRIDGE_STUCK_AFTER_MS", "0")::get))
                .hasMessageContaining("BRIDGE_STUCK_AFTER_MS");
    }
}
