package dev.filetrail.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalStackConfigTest {

    @Test
    void withKafkaSecuredChangesTheBrokerModeAndNothingElse() {
        LocalStackConfig secured = LocalStackConfig.fromEnvironment(
                java.util.Map.of("LOCAL_API_PORT", "18080", "TOPIC_PARTITIONS", "5"), Path.of("/tmp/work"));
        LocalStackConfig open = secured.withKafkaSecured(false);

        assertThat(secured.kafkaSecured()).isTrue();
        assertThat(open.kafkaSecured()).isFalse();
        assertThat(open.withKafkaSecured(true)).isEqualTo(secured);
        assertThat(open.apiPort()).isEqualTo(18080);
        assertThat(open.topicPartitions()).isEqualTo(5);
    }

    @Test
    void readModelShardsDefaultToOneAndMustDivideThePartitions() {
        assertThat(LocalStackConfig.fromEnvironment(java.util.Map.of(), Path.of("/tmp/work")).readModelShards())
                .isEqualTo(1);
        LocalStackConfig three = LocalStackConfig.fromEnvironment(
                java.util.Map.of("LOCAL_READ_MODEL_SHARDS", "3", "TOPIC_PARTITIONS", "6"), Path.of("/tmp/work"));
        assertThat(three.readModelShards()).isEqualTo(3);
        assertThat(three.withKafkaSecured(false).readModelShards()).isEqualTo(3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalStackConfig.fromEnvironment(
                        java.util.Map.of("LOCAL_READ_MODEL_SHARDS", "2"), Path.of("/tmp/work")))
                .hasMessageContaining("must divide TOPIC_PARTITIONS=3");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalStackConfig.fromEnvironment(
                        java.util.Map.of("LOCAL_READ_MODEL_SHARDS", "3", "LOCAL_DATABASE_URL", "jdbc:postgresql://x/y"),
                        Path.of("/tmp/work")))
                .hasMessageContaining("cannot be combined with LOCAL_DATABASE_URL");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalStackConfig.fromEnvironment(
                        java.util.Map.of("LOCAL_READ_MODEL_SHARDS", "0"), Path.of("/tmp/work")))
                .hasMessageContaining("at least 1");
    }
}
